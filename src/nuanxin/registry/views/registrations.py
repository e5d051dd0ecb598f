"""报到备案 pages: the community's QR page, review by staff, registering on someone's behalf."""

from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nuanxin.accounts.models import Role
from nuanxin.core.errors import ApplicationError, not_found
from nuanxin.core.scoping import in_jurisdiction
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.registry import services
from nuanxin.registry.access import enterprises_for, is_governing, is_liaison, workers_for
from nuanxin.registry.cleaning import FieldProblem, clean_mobile
from nuanxin.registry.forms import JoinForm, OnBehalfForm, RejectForm
from nuanxin.registry.models import (
    OPEN_REGISTRATION_STATUSES,
    Enterprise,
    Registration,
    RegistrationChannel,
    RegistrationStatus,
    Worker,
)
from nuanxin.registry.selectors import registration_in_reach, registrations_for
from nuanxin.registry.views.common import (
    page_of,
    query_without_page,
    registry_user,
    signed_in,
    staff_only,
    user_root,
)


@registry_user
def registrations(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", RegistrationStatus.SUBMITTED)
    if status not in RegistrationStatus.values:
        status = ""
    qs = registrations_for(request.user, status=status)
    context = {
        "page": page_of(request, qs),
        "query": query_without_page(request),
        "status": status,
        "statuses": RegistrationStatus.choices,
        "can_review": is_governing(request.user),
    }
    return render(request, "registry/registrations.html", context)


def _row(request: HttpRequest, registration: Registration, error: Any = None) -> HttpResponse:
    registration = Registration.objects.select_related("community", "enterprise", "worker").get(
        pk=registration.pk
    )
    context = {"r": registration, "can_review": True, "row_error": error}
    if request.htmx:
        return render(request, "registry/_registration_row.html", context)
    if error is not None:
        messages.error(request, error.message)
    return redirect("registry:registrations")


@staff_only
@require_POST
def registration_accept(request: HttpRequest, pk: int) -> HttpResponse:
    registration = registration_in_reach(request.user, pk)
    try:
        services.registration_accept(registration=registration, reviewer=request.user)
    except ApplicationError as error:
        return _row(request, registration, error)
    return _row(request, registration)


@staff_only
@require_POST
def registration_reject(request: HttpRequest, pk: int) -> HttpResponse:
    registration = registration_in_reach(request.user, pk)
    form = RejectForm(request.POST)
    try:
        services.registration_reject(
            registration=registration,
            reviewer=request.user,
            reason=form.data.get("reason", ""),
        )
    except ApplicationError as error:
        return _row(request, registration, error)
    return _row(request, registration)


@signed_in
@require_POST
def registration_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    registration = registration_in_reach(request.user, pk)
    services.registration_withdraw(registration=registration, actor=request.user)
    messages.success(request, _("已撤销报到。"))
    target = request.POST.get("next") or reverse("registry:me")
    return redirect(target if target.startswith("/") else reverse("registry:me"))


def _subject(request: HttpRequest, form: OnBehalfForm) -> Enterprise | Worker | None:
    name = form.cleaned_data["enterprise_name"].strip()
    phone = form.cleaned_data["worker_phone"].strip()
    if bool(name) == bool(phone):
        form.add_error(None, _("请填写企业名称或人员手机号（二选一）。"))
        return None
    if name:
        enterprise = enterprises_for(request.user).filter(name=name).first()
        if enterprise is None:
            form.add_error("enterprise_name", _("台账中没有这家企业（或不在您的管辖范围内）。"))
        return enterprise
    try:
        phone = clean_mobile(phone)
    except FieldProblem as problem:
        form.add_error("worker_phone", problem.message)
        return None
    worker = workers_for(request.user).filter(phone=phone).first()
    if worker is None:
        form.add_error("worker_phone", _("台账中没有这个手机号（或不在您的管辖范围内）。"))
    return worker


@staff_only
def registration_new(request: HttpRequest) -> HttpResponse:
    """Staff register an enterprise or a worker with a community on their behalf."""
    form = OnBehalfForm(request.POST or None, root=user_root(request))
    if request.method == "POST" and form.is_valid():
        subject = _subject(request, form)
        if subject is not None:
            try:
                services.registration_submit(
                    community=form.cleaned_data["community"],
                    actor=request.user,
                    enterprise=subject if isinstance(subject, Enterprise) else None,
                    worker=subject if isinstance(subject, Worker) else None,
                    channel=RegistrationChannel.STAFF,
                    note=form.cleaned_data["note"],
                    accept_now=form.cleaned_data["accept_now"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("已为“%(name)s”办理报到。") % {"name": subject})
                return redirect("registry:registrations")
    names = list(enterprises_for(request.user).values_list("name", flat=True)[:500])
    return render(
        request, "registry/registration_form.html", {"form": form, "enterprise_names": names}
    )


def _community_missing() -> ApplicationError:
    return not_found("registry.not_a_community", _("该二维码对应的社区不存在。"))


def _community(code: str) -> Region:
    community = Region.objects.filter(code=code, level=RegionLevel.COMMUNITY).first()
    if community is None:
        raise _community_missing()
    return community


@signed_in
def join(request: HttpRequest, code: str) -> HttpResponse:
    """Where a community's QR code leads: a worker registers themself, a liaison their
    enterprise; staff see how to register someone on their behalf."""
    community = _community(code)
    user = request.user
    context: dict[str, Any] = {"community": community, "full_name": community.full_name()}
    if is_liaison(user):
        return _join_as_liaison(request, community, context)
    if user.role != Role.WORKER:
        return render(request, "registry/join.html", {**context, "staff": True})
    worker = (
        Worker.objects.filter(user=user).first() or Worker.objects.filter(phone=user.phone).first()
    )
    open_registration = None
    if worker is not None:
        open_registration = (
            worker.registrations.filter(status__in=OPEN_REGISTRATION_STATUSES)
            .select_related("community")
            .first()
        )
    form = JoinForm(request.POST or None, initial={"name": user.name})
    if request.method == "POST" and (worker is not None or form.is_valid()):
        try:
            registration = _join_as_worker(request, community, worker, form)
        except ApplicationError as error:
            context["error"] = error
        else:
            if registration is not None:
                messages.success(
                    request,
                    _("已提交报到，%(community)s审核后生效。") % {"community": community.name},
                )
                return redirect("registry:me")
    county_path = "/".join(community.path.split("/")[:2]) + "/"
    nearby = Enterprise.objects.filter(region__path__startswith=county_path)
    names = list(nearby.values_list("name", flat=True)[:300])
    context.update(worker=worker, open_registration=open_registration, form=form,
                   enterprise_names=names)  # fmt: skip
    return render(request, "registry/join.html", context)


def _join_as_worker(
    request: HttpRequest, community: Region, worker: Worker | None, form: JoinForm
) -> Registration | None:
    note = request.POST.get("note", "")
    if worker is None or worker.user_id is None:
        data = form.cleaned_data if form.is_valid() else {}
        enterprise = None
        if data.get("enterprise_name"):
            enterprise = Enterprise.objects.filter(name=data["enterprise_name"].strip()).first()
        worker = services.worker_self_register(
            user=request.user,
            name=data.get("name") or request.user.name,
            occupation=data.get("occupation") or "other",
            work_region=community,
            enterprises=[enterprise] if enterprise else [],
            political_status=data.get("political_status") or "masses",
            union_member=bool(data.get("union_member")),
        )
    return services.registration_submit(
        community=community, actor=request.user, worker=worker, note=note
    )


def _join_as_liaison(request: HttpRequest, community: Region, context: dict) -> HttpResponse:
    theirs = list(enterprises_for(request.user))
    if request.method == "POST":
        enterprise = next((e for e in theirs if str(e.pk) == request.POST.get("enterprise")), None)
        if enterprise is None:
            context["error"] = ApplicationError("registry.required", _("请选择要报到的企业。"))
        else:
            try:
                services.registration_submit(
                    community=community,
                    actor=request.user,
                    enterprise=enterprise,
                    note=request.POST.get("note", ""),
                )
            except ApplicationError as error:
                context["error"] = error
            else:
                messages.success(request, _("已提交报到，等待社区审核。"))
                return redirect("registry:home")
    return render(request, "registry/join.html", {**context, "enterprises": theirs})


def _own_community(request: HttpRequest, code: str) -> Region:
    """A community of the staff member's jurisdiction; any other is "not found" here."""
    community = _community(code)
    if not in_jurisdiction(request.user, community):
        raise _community_missing()
    return community


@staff_only
def join_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The community's registration QR code as SVG, for printing and posting at stations."""
    community = _own_community(request, code)
    url = request.build_absolute_uri(reverse("registry:join", args=[community.code]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    return HttpResponse(image.to_string(), content_type="image/svg+xml")


@staff_only
def join_poster(request: HttpRequest, code: str) -> HttpResponse:
    community = _own_community(request, code)
    url = request.build_absolute_uri(reverse("registry:join", args=[community.code]))
    context = {"community": community, "full_name": community.full_name(), "url": url}
    return render(request, "registry/poster.html", context)


@signed_in
def me(request: HttpRequest) -> HttpResponse:
    """A worker's own record and registrations (numbers masked: it is their own data, but the
    page may be open on a shared phone)."""
    worker = Worker.objects.filter(user=request.user).select_related("work_region").first()
    context = {
        "worker": worker,
        "registrations": list(worker.registrations.select_related("community")) if worker else [],
    }
    return render(request, "registry/me.html", context)
