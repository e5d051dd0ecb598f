"""Enterprise and worker pages: filtered lists, detail, forms, exports."""

import re
from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.core.xlsx import xlsx_file_response
from nuanxin.registry import services
from nuanxin.registry.access import (
    enterprise_in_reach,
    enterprises_for,
    is_governing,
    is_liaison,
    may_see_full_numbers,
    worker_in_reach,
)
from nuanxin.registry.forms import LIAISON_ENTERPRISE_FIELDS, EnterpriseForm, WorkerForm
from nuanxin.registry.models import (
    OPEN_REGISTRATION_STATUSES,
    Enterprise,
    EnterpriseKind,
    EnterpriseStatus,
    Industry,
    Occupation,
    PoliticalStatus,
    Registration,
    Worker,
    WorkerStatus,
)
from nuanxin.registry.selectors import enterprise_list, worker_list
from nuanxin.registry.views.common import (
    enterprise_filter,
    page_of,
    query_without_page,
    registry_user,
    staff_only,
    user_root,
    worker_filter,
)

_NAMES = re.compile(r"[、,，;；\n]+")


def _form_error(form: Any, error: ApplicationError) -> None:
    """Show a service's error beside the field it names, or above the form."""
    field = error.extra.get("field")
    if isinstance(field, str) and field.removesuffix("_code") in form.fields:
        form.add_error(field.removesuffix("_code"), error.message)
    else:
        form.add_error(None, error.message)


def _list_context(request: HttpRequest, qs: Any, kind: str) -> dict[str, Any]:
    return {
        "page": page_of(request, qs),
        "query": query_without_page(request),
        "full_allowed": may_see_full_numbers(request.user),
        "kind": kind,
    }


# --- enterprises ---------------------------------------------------------------------------


@registry_user
def enterprises(request: HttpRequest) -> HttpResponse:
    filters = enterprise_filter(request)
    qs = enterprise_list(request.user, filters).annotate(
        people=Count("workers", filter=Q(workers__status=WorkerStatus.ACTIVE))
    )
    context = _list_context(request, qs, "enterprises")
    if request.htmx:
        return render(request, "registry/_enterprise_table.html", context)
    context.update(
        filters=filters,
        kinds=EnterpriseKind.choices,
        industries=Industry.choices,
        statuses=EnterpriseStatus.choices,
        can_add=is_governing(request.user),
    )
    return render(request, "registry/enterprises.html", context)


def _enterprise_changes(form: EnterpriseForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.fields}


@staff_only
def enterprise_new(request: HttpRequest) -> HttpResponse:
    form = EnterpriseForm(request.POST or None, root=user_root(request))
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.enterprise_create(actor=request.user, **_enterprise_changes(form))
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("已登记企业“%(name)s”。") % {"name": enterprise.name})
            return redirect("registry:enterprise", enterprise.pk)
    return render(request, "registry/enterprise_form.html", {"form": form, "enterprise": None})


def _enterprise(request: HttpRequest, pk: int) -> Enterprise:
    return enterprise_in_reach(request.user, pk)


@registry_user
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _enterprise(request, pk)
    registration = (
        Registration.objects.filter(enterprise=enterprise, status__in=OPEN_REGISTRATION_STATUSES)
        .select_related("community")
        .first()
    )
    people = enterprise.workers.filter(status=WorkerStatus.ACTIVE)
    context = {
        "enterprise": enterprise,
        "registration": registration,
        "worker_count": people.count(),
        "party_count": people.filter(political_status__in=["party_member", "probationary"]).count(),
        "liaisons": list(enterprise.liaisons.all()),
    }
    return render(request, "registry/enterprise_detail.html", context)


@registry_user
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _enterprise(request, pk)
    initial = {
        "name": enterprise.name, "credit_code": enterprise.credit_code or "",
        "kind": enterprise.kind, "industry": enterprise.industry,
        "platform_brand": enterprise.platform_brand,
        "hq_outside_city": enterprise.hq_outside_city, "region": enterprise.region.code,
        "address": enterprise.address, "lon": enterprise.lon, "lat": enterprise.lat,
        "coord_system": "wgs84", "contact_name": enterprise.contact_name,
        "contact_phone": enterprise.contact_phone, "worker_count": enterprise.worker_count,
        "status": enterprise.status,
    }  # fmt: skip
    form = EnterpriseForm(request.POST or None, initial=initial, root=user_root(request))
    if is_liaison(request.user):
        for name in list(form.fields):
            if name not in LIAISON_ENTERPRISE_FIELDS:
                del form.fields[name]
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_update(
                enterprise=enterprise, actor=request.user, changes=_enterprise_changes(form)
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("registry:enterprise", enterprise.pk)
    return render(
        request, "registry/enterprise_form.html", {"form": form, "enterprise": enterprise}
    )


# --- workers -----------------------------------------------------------------------------


@registry_user
def workers(request: HttpRequest) -> HttpResponse:
    filters = worker_filter(request)
    qs = worker_list(request.user, filters).prefetch_related(
        Prefetch("enterprises", Enterprise.objects.only("name"))
    )
    context = _list_context(request, qs, "workers")
    if request.htmx:
        return render(request, "registry/_worker_table.html", context)
    context.update(
        filters=filters,
        occupations=Occupation.choices,
        political_statuses=PoliticalStatus.choices,
        statuses=WorkerStatus.choices,
    )
    return render(request, "registry/workers.html", context)


def _linked_enterprises(request: HttpRequest, form: WorkerForm) -> list[Enterprise] | None:
    names = [n.strip() for n in _NAMES.split(form.cleaned_data["enterprises"]) if n.strip()]
    found = {e.name: e for e in enterprises_for(request.user).filter(name__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        form.add_error("enterprises", _("找不到企业：%(names)s") % {"names": "、".join(missing)})
        return None
    return [found[n] for n in names]


def _worker_changes(form: WorkerForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("enterprises")
    return data


def _enterprise_names(request: HttpRequest) -> list[str]:
    return list(enterprises_for(request.user).values_list("name", flat=True)[:500])


@registry_user
def worker_new(request: HttpRequest) -> HttpResponse:
    form = WorkerForm(request.POST or None, root=user_root(request))
    if request.method == "POST" and form.is_valid():
        linked = _linked_enterprises(request, form)
        if linked is not None:
            try:
                worker = services.worker_create(
                    actor=request.user, enterprises=linked, **_worker_changes(form)
                )
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("已登记“%(name)s”。") % {"name": worker.name})
                return redirect("registry:worker", worker.pk)
    context = {"form": form, "worker": None, "enterprise_names": _enterprise_names(request)}
    return render(request, "registry/worker_form.html", context)


def _worker(request: HttpRequest, pk: int) -> Worker:
    return worker_in_reach(request.user, pk)


@registry_user
def worker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The one view with the full numbers, shown after a deliberate click with a stated
    purpose; each reveal is audited and counted against the hourly budget."""
    worker = _worker(request, pk)
    numbers = refused = None
    if request.method == "POST" and "reveal" in request.POST:
        try:
            numbers = services.worker_reveal(
                worker=worker, actor=request.user, purpose=request.POST.get("purpose", "")
            )
        except ApplicationError as error:
            refused = error
    context = {
        "worker": worker,
        "numbers": numbers,
        "reveal_error": refused,
        "enterprises": list(worker.enterprises.all()),
        "registrations": list(worker.registrations.select_related("community")[:10]),
    }
    response = render(
        request, "registry/worker_detail.html", context, status=refused.status if refused else 200
    )
    if numbers is not None:
        response["Cache-Control"] = "no-store"
    if refused is not None and "retry_after_seconds" in refused.extra:
        response["Retry-After"] = str(refused.extra["retry_after_seconds"])
    return response


@registry_user
def worker_edit(request: HttpRequest, pk: int) -> HttpResponse:
    worker = _worker(request, pk)
    initial = {
        "name": worker.name, "phone": worker.phone, "id_number": worker.id_number or "",
        "gender": worker.gender, "birth_year": worker.birth_year,
        "occupation": worker.occupation,
        "enterprises": "、".join(worker.enterprises.values_list("name", flat=True)),
        "work_region": worker.work_region.code if worker.work_region else worker.region.code,
        "home_region": worker.home_region.code if worker.home_region else "",
        "political_status": worker.political_status, "union_member": worker.union_member,
        "status": worker.status,
    }  # fmt: skip
    form = WorkerForm(request.POST or None, initial=initial, root=user_root(request))
    # The edit form must not print the numbers: it shows masks; typing a new one replaces it.
    for name, masked in (("phone", worker.masked_phone), ("id_number", worker.masked_id_number)):
        form.fields[name].required = False
        form.fields[name].widget.attrs["placeholder"] = masked
        form.initial[name] = ""
    if request.method == "POST" and form.is_valid():
        linked = _linked_enterprises(request, form)
        changes = {k: v for k, v in _worker_changes(form).items() if k not in {"phone", "id_number"}
                   or v}  # fmt: skip
        if linked is not None:
            try:
                services.worker_update(
                    worker=worker, actor=request.user, changes=changes, enterprises=linked
                )
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect("registry:worker", worker.pk)
    context = {"form": form, "worker": worker, "enterprise_names": _enterprise_names(request)}
    return render(request, "registry/worker_form.html", context)


# --- exports -----------------------------------------------------------------------------


@registry_user
def export_enterprises(request: HttpRequest) -> HttpResponse:
    filters = enterprise_filter(request)
    data = services.registry_export(
        actor=request.user,
        queryset=enterprise_list(request.user, filters),
        full_numbers=request.GET.get("full") == "1",
        filters=dict(request.GET.items()),
    )
    return xlsx_file_response(data, "enterprises.xlsx")


@registry_user
def export_workers(request: HttpRequest) -> HttpResponse:
    filters = worker_filter(request)
    data = services.registry_export(
        actor=request.user,
        queryset=worker_list(request.user, filters),
        full_numbers=request.GET.get("full") == "1",
        filters=dict(request.GET.items()),
    )
    return xlsx_file_response(data, "workers.xlsx")
