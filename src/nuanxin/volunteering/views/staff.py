"""Staff pages: projects, posting, a session's attendance sheet and poster, statistics."""

from decimal import Decimal

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nuanxin.accounts.models import User, normalize_phone
from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import query_date, query_int
from nuanxin.core.schema import MAX_COUNT
from nuanxin.core.xlsx import xlsx_file_response
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.volunteering import selectors, services, stats
from nuanxin.volunteering.forms import CodeForm, ProjectForm, VerifyForm
from nuanxin.volunteering.models import Outcome, ProjectKind, ProjectStatus
from nuanxin.volunteering.views._common import run, staff_required


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    projects = selectors.staff_projects(request.user, status=status or None)[:200]
    return render(
        request,
        "volunteering/staff/home.html",
        {"projects": projects, "status": status, "statuses": ProjectStatus.choices},
    )


@staff_required
def new(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, user=request.user)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, **form.service_kwargs())
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(request, _("项目已创建。"))
            return redirect("volunteering:staff_project", pk=project.pk)
    return render(
        request,
        "volunteering/staff/new.html",
        {"form": form, "error": error},
        status=400 if error else 200,
    )


def _project(request: HttpRequest, pk: int):
    return selectors.project_for_staff(request.user, pk)


@staff_required
def project(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _project(request, pk)
    sessions = list(obj.sessions.all())
    return render(
        request,
        "volunteering/staff/project.html",
        {
            "project": obj,
            "lines": selectors.session_lines(sessions, None),
            "figures": next(iter(stats.project_stats(request.user, project_id=obj.pk)), None),
        },
    )


TRANSITIONS = {
    "publish": (services.project_publish, _("项目已发布，劳动者可以认领了。")),
    "close": (services.project_close, _("已截止报名。")),
}


@require_POST
@staff_required
def project_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    obj = _project(request, pk)
    if action == "places":
        raw = request.POST.get("places", "")
        run(
            request,
            lambda: services.project_update(
                project=obj, actor=request.user, places=query_int(raw, ge=0, le=MAX_COUNT) or 0
            ),
            _("名额已更新。"),
        )
    elif action == "cancel":
        run(
            request,
            lambda: services.project_cancel(
                project=obj, actor=request.user, reason=request.POST.get("reason", "")
            ),
            _("项目已取消，已通知认领人。"),
        )
    elif action in TRANSITIONS:
        call, message = TRANSITIONS[action]
        run(request, lambda: call(project=obj, actor=request.user), message)
    return redirect("volunteering:staff_project", pk=obj.pk)


def _session(request: HttpRequest, pk: int):
    return selectors.session_for_staff(request.user, pk)


@staff_required
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    return render(
        request,
        "volunteering/staff/sheet.html",
        {
            "session": session,
            "project": session.project,
            "rows": selectors.sheet_rows(session),
            "progress": selectors.session_progress(session),
            "code_form": CodeForm(),
            "outcomes": Outcome.choices,
            "started": session.starts_at <= timezone.now(),
        },
    )


def _sheet_url(session_pk: int) -> str:
    return reverse("volunteering:staff_sheet", args=[session_pk])


@require_POST
@staff_required
def by_code(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    form = CodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请输入认领码。"))
        return redirect(_sheet_url(pk))
    data = form.cleaned_data
    try:
        claim = selectors.claim_by_code(session, data["code"])
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(_sheet_url(pk))
    if data["op"] == "check_out":
        run(
            request,
            lambda: services.attendance_staff_check_out(
                claim=claim, staff=request.user, quantity=data["quantity"]
            ),
            _("%(name)s 已签退。") % {"name": claim.worker.name},
        )
    else:
        run(
            request,
            lambda: services.attendance_staff_check_in(claim=claim, staff=request.user),
            _("%(name)s 已签到。") % {"name": claim.worker.name},
        )
    return redirect(_sheet_url(pk))


@require_POST
@staff_required
def record(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    worker = User.objects.filter(phone=normalize_phone(request.POST.get("phone", ""))).first()
    if worker is None:
        messages.error(request, _("没有这个手机号的劳动者。"))
    else:
        run(
            request,
            lambda: services.claim_record(session=session, worker=worker, staff=request.user),
            _("已为 %(name)s 登记名额。") % {"name": worker.name},
        )
    return redirect(_sheet_url(pk))


@require_POST
@staff_required
def promote(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    run(
        request,
        lambda: services.session_promote_waitlist(session=session, actor=request.user),
        _("已按顺序递补。"),
    )
    return redirect(_sheet_url(pk))


@require_POST
@staff_required
def mark(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.claim_for_staff(request.user, pk)
    if request.POST.get("op") == "check_out":
        call = lambda: services.attendance_staff_check_out(claim=claim, staff=request.user)  # noqa: E731
        message = _("%(name)s 已签退。")
    else:
        call = lambda: services.attendance_staff_check_in(claim=claim, staff=request.user)  # noqa: E731
        message = _("%(name)s 已签到。")
    run(request, call, message % {"name": claim.worker.name})
    return redirect(_sheet_url(claim.session_id))


@require_POST
@staff_required
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.claim_for_staff(request.user, pk)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("核验信息有误，请检查时长和数量。"))
        return redirect(_sheet_url(claim.session_id))
    data = form.cleaned_data
    run(
        request,
        lambda: services.attendance_verify(
            claim=claim,
            staff=request.user,
            outcome=data["outcome"],
            hours=data["hours"],
            quantity=data["quantity"],
            note=data["note"],
        ),
        _("%(name)s 已核验。") % {"name": claim.worker.name},
    )
    return redirect(_sheet_url(claim.session_id))


@require_POST
@staff_required
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    attendance = selectors.attendance_for_staff(request.user, pk)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("更正信息有误，请检查时长和数量。"))
        return redirect(_sheet_url(attendance.session_id))
    data = form.cleaned_data
    run(
        request,
        lambda: services.attendance_correct(
            attendance=attendance,
            staff=request.user,
            outcome=data["outcome"],
            hours=data["hours"],
            quantity=data["quantity"],
            reason=data["reason"],
        ),
        _("已更正，积分已按新结果调整。"),
    )
    return redirect(_sheet_url(attendance.session_id))


@require_POST
@staff_required
def cancel_claim(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.claim_for_staff(request.user, pk)
    run(
        request,
        lambda: services.claim_cancel(
            claim=claim, staff=request.user, reason=request.POST.get("reason", "")
        ),
        _("已取消该认领。"),
    )
    return redirect(_sheet_url(claim.session_id))


@require_POST
@staff_required
def retry_award(request: HttpRequest, pk: int) -> HttpResponse:
    award = selectors.award_for_staff(request.user, pk)
    run(
        request,
        lambda: services.award_retry(award=award, staff=request.user),
        _("已重新发放积分。"),
    )
    return redirect(_sheet_url(award.attendance.session_id))


@staff_required
def poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable page with the session's QR code for the meeting place."""
    session = _session(request, pk)
    token = services.session_token(session)
    url = request.build_absolute_uri(reverse("volunteering:scan", args=[token]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    return render(
        request,
        "volunteering/staff/poster.html",
        {
            "session": session,
            "project": session.project,
            "qr_svg": mark_safe(image.to_string(encoding="unicode")),  # noqa: S308 - generated here
            "url": url,
        },
    )


def _stats_filter(request: HttpRequest) -> stats.StatsFilter:
    kind = request.GET.get("kind") or ""
    return stats.StatsFilter(
        streets=[code for code in request.GET.getlist("street") if code],
        kind=kind if kind in ProjectKind.values else "",
        since=query_date(request.GET.get("since")),
        until=query_date(request.GET.get("until")),
    )


@staff_required
def stats_page(request: HttpRequest) -> HttpResponse:
    flt = _stats_filter(request)
    streets, total = stats.street_stats(request.user, flt)
    with_projects = Region.objects.filter(
        level=RegionLevel.STREET,
        pk__in=selectors.staff_projects(request.user).values("street"),
    )
    choices = {r.code: r.full_name() for r in with_projects}
    return render(
        request,
        "volunteering/staff/stats.html",
        {
            "filter": flt,
            "streets": streets,
            "total": total,
            "projects": stats.project_stats(request.user, flt),
            "workers": stats.worker_stats(request.user, flt, limit=50),
            "street_choices": sorted(choices.items()),
            "kinds": ProjectKind.choices,
            "query": request.GET.urlencode(),
            "zero": Decimal("0"),
        },
    )


@staff_required
def export(request: HttpRequest) -> HttpResponse:
    content = stats.stats_workbook(request.user, _stats_filter(request))
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_file_response(content, f"volunteering-{stamp}.xlsx")
