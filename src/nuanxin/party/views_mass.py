"""Pages of party-work staff for mass organisations (工会/共青团/妇联) and their members from
the registry, party-work instructors (党建指导员) at enterprises, and the edits of a party
organisation (set up, officers, covered enterprises, merge or dissolve), part-time grid members
and the party-work permission. Every write goes through a service."""

import datetime as dt
from functools import partial

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import query_date
from nuanxin.core.pages import back, guarded, run
from nuanxin.core.scoping import in_jurisdiction, scope_to_jurisdiction
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.party import services
from nuanxin.party.access import is_party_staff
from nuanxin.party.models import (
    Attachment,
    BranchType,
    MassKind,
    OfficerPost,
    OrgKind,
    OrgStatus,
)
from nuanxin.party.selectors import staff
from nuanxin.party.services.industry_import import enterprise_named
from nuanxin.registry.selectors import worker_by_id, workers_of_enterprise

staff_page = partial(guarded, check=is_party_staff, template="party/error.html")


def _date(value: str | None) -> dt.date:
    day = query_date(value)
    if day is None:
        raise ApplicationError("party.invalid_date", _("请填写有效的日期。"), extra={"field": "on"})
    return day


def _region(user: object, code: str | None) -> Region:
    region = Region.objects.filter(code=(code or "").strip()[:32]).first()
    if region is None or not in_jurisdiction(user, region):
        raise ApplicationError("party.unknown_region", _("请选择管辖范围内的区域。"))
    return region


def _regions(user: object) -> list[Region]:
    levels = [RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.STREET, RegionLevel.COMMUNITY]
    qs = Region.objects.filter(level__in=levels)
    return list(scope_to_jurisdiction(qs, user, region_field=None).order_by("path")[:600])


def _enterprise_or_none(request: HttpRequest) -> object:
    name = (request.POST.get("enterprise") or "").strip()
    return enterprise_named(name, request.user) if name else None


# --- mass organisations ---


@staff_page
def mass_list(request: HttpRequest) -> HttpResponse:
    rows = staff.mass_organisations_for(request.user).order_by("region__path", "kind", "name")
    kind = request.GET.get("kind") or ""
    if kind in MassKind.values:
        rows = rows.filter(kind=kind)
    return render(
        request,
        "party/staff/mass_list.html",
        {"rows": rows[:500], "kinds": MassKind.choices, "kind": kind,
         "regions": _regions(request.user), "today": timezone.localdate()},
    )  # fmt: skip


@require_POST
@staff_page
def mass_create(request: HttpRequest) -> HttpResponse:
    def call() -> object:
        return services.mass_organisation_create(
            actor=request.user, name=request.POST.get("name", "")[:300],
            kind=request.POST.get("kind", ""), region=_region(request.user,
            request.POST.get("region")), founded_on=_date(request.POST.get("founded_on")),
            enterprise=_enterprise_or_none(request),
            station_name=request.POST.get("station_name", "")[:200],
        )  # fmt: skip

    run(request, call, _("群团组织已登记。"))
    return redirect("party:mass_list")


@staff_page
def mass_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = staff.mass_organisation_for_staff(request.user, pk)
    members = staff.mass_memberships_for(request.user).filter(organisation=body)
    current = members.filter(left_on__isnull=True).order_by("worker__name")
    candidates = []
    if body.enterprise_id and body.ended_on is None:
        present = current.values_list("worker_id", flat=True)
        candidates = workers_of_enterprise(body.enterprise_id).exclude(pk__in=present)
        candidates = candidates.order_by("name")[:300]
    return render(
        request,
        "party/staff/mass_detail.html",
        {"body": body, "members": current, "left": members.filter(left_on__isnull=False)[:50],
         "candidates": candidates, "today": timezone.localdate(),
         "can_sync": body.kind == MassKind.UNION and body.enterprise_id is not None},
    )  # fmt: skip


def _detail(pk: int) -> str:
    return reverse("party:mass_detail", args=[pk])


@require_POST
@staff_page
def mass_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    body = staff.mass_organisation_for_staff(request.user, pk)

    def call() -> object:
        worker = worker_by_id(_choice(request.POST.get("worker")))
        # A registry person outside the caller's area answers like one who does not exist.
        if worker is None or not in_jurisdiction(request.user, worker.region):
            raise ApplicationError("party.worker_not_found", _("人员不存在。"))
        return services.mass_member_add(
            actor=request.user, organisation=body, worker=worker,
            on=_date(request.POST.get("on")),
        )  # fmt: skip

    run(request, call, _("已加入。"))
    return back(request, _detail(pk))


@require_POST
@staff_page
def mass_sync(request: HttpRequest, pk: int) -> HttpResponse:
    body = staff.mass_organisation_for_staff(request.user, pk)
    try:
        joined = services.union_sync_from_registry(
            actor=request.user, organisation=body, on=_date(request.POST.get("on"))
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已按台账“工会会员”同步，新加入 %d 人。") % joined)
    return back(request, _detail(pk))


@require_POST
@staff_page
def mass_member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    row = staff.mass_membership_for_staff(request.user, pk)
    run(
        request,
        lambda: services.mass_member_leave(
            actor=request.user, membership=row, on=_date(request.POST.get("on"))
        ),
        _("已退出。"),
    )
    return back(request, _detail(row.organisation_id))


@require_POST
@staff_page
def mass_end(request: HttpRequest, pk: int) -> HttpResponse:
    body = staff.mass_organisation_for_staff(request.user, pk)
    run(
        request,
        lambda: services.mass_organisation_end(
            actor=request.user,
            organisation=body,
            on=_date(request.POST.get("on")),
            note=request.POST.get("note", "")[:300],
        ),
        _("群团组织已撤销。"),
    )
    return back(request, _detail(pk))


# --- party-work instructors ---


@staff_page
def instructors(request: HttpRequest) -> HttpResponse:
    rows = staff.instructors_for(request.user).order_by("ended_on", "enterprise__name")
    return render(
        request,
        "party/staff/instructors.html",
        {"rows": rows[:500], "today": timezone.localdate()},
    )


@require_POST
@staff_page
def instructor_assign(request: HttpRequest) -> HttpResponse:
    def call() -> object:
        enterprise = enterprise_named(request.POST.get("enterprise", ""), request.user)
        return services.instructor_assign(
            actor=request.user, enterprise=enterprise, name=request.POST.get("name", "")[:100],
            on=_date(request.POST.get("on")),
        )  # fmt: skip

    run(request, call, _("党建指导员已派驻。"))
    return redirect("party:instructors")


@require_POST
@staff_page
def instructor_end(request: HttpRequest, pk: int) -> HttpResponse:
    row = staff.instructor_for_staff(request.user, pk)
    run(
        request,
        lambda: services.instructor_end(
            actor=request.user, assignment=row, on=_date(request.POST.get("on"))
        ),
        _("派驻已结束。"),
    )
    return redirect("party:instructors")


# --- a party organisation: set up, officers, merge or dissolve ---


def _choice(value: str | None) -> int:
    try:
        number = int(value or "")
    except ValueError:
        number = 0
    if not 1 <= number <= 2**31:
        raise ApplicationError("party.invalid_choice", _("请选择有效的选项。"))
    return number


@require_POST
@staff_page
def organisation_create(request: HttpRequest) -> HttpResponse:
    post = request.POST

    def call() -> object:
        parent = None
        if post.get("parent"):
            parent = staff.organisation_for_staff(request.user, _choice(post.get("parent")))
        return services.organisation_create(
            actor=request.user, name=post.get("name", "")[:300], kind=post.get("kind", ""),
            attachment=post.get("attachment", ""), region=_region(request.user, post.get("region")),
            founded_on=_date(post.get("founded_on")), branch_type=post.get("branch_type", ""),
            parent=parent, enterprise=_enterprise_or_none(request),
            chain_name=post.get("chain_name", "")[:100],
        )  # fmt: skip

    run(request, call, _("党组织已登记。"))
    return redirect("party:staff")


def organisation_form_context(user: object) -> dict[str, object]:
    """What the set-up form on the tree page offers."""
    return {
        "org_kinds": OrgKind.choices,
        "branch_types": BranchType.choices,
        "attachments": Attachment.choices,
        "regions": _regions(user),
        "parents": staff.organisations_for(user).filter(status=OrgStatus.ACTIVE)
        .exclude(kind=OrgKind.BRANCH).order_by("name"),
        "today": timezone.localdate(),
    }  # fmt: skip


@require_POST
@staff_page
def officer_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    org = staff.organisation_for_staff(request.user, pk)
    run(
        request,
        lambda: services.officer_appoint(
            actor=request.user,
            organisation=org,
            post=request.POST.get("post", ""),
            name=request.POST.get("name", "")[:100],
            on=_date(request.POST.get("on")),
        ),
        _("任职已登记。"),
    )
    return back(request, reverse("party:organisation", args=[pk]))


@require_POST
@staff_page
def officer_end(request: HttpRequest, pk: int) -> HttpResponse:
    officer = staff.officer_for_staff(request.user, pk)
    run(
        request,
        lambda: services.officer_end(
            actor=request.user, officer=officer, on=_date(request.POST.get("on"))
        ),
        _("离任已登记。"),
    )
    return back(request, reverse("party:organisation", args=[officer.organisation_id]))


@require_POST
@staff_page
def organisation_end(request: HttpRequest, pk: int) -> HttpResponse:
    org = staff.organisation_for_staff(request.user, pk)

    def call() -> object:
        target = None
        if request.POST.get("status") == OrgStatus.MERGED:
            target = staff.organisation_for_staff(request.user, _choice(request.POST.get("into")))
        return services.organisation_end(
            actor=request.user, organisation=org, status=request.POST.get("status", ""),
            on=_date(request.POST.get("on")), note=request.POST.get("note", "")[:300],
            merged_into=target,
        )  # fmt: skip

    run(request, call, _("组织状态已变更。"))
    return back(request, reverse("party:organisation", args=[pk]))


@require_POST
@staff_page
def organisation_covered(request: HttpRequest, pk: int) -> HttpResponse:
    org = staff.organisation_for_staff(request.user, pk)

    def call() -> object:
        names = [n.strip() for n in request.POST.get("enterprises", "").splitlines()]
        wanted = [enterprise_named(n[:200], request.user) for n in dict.fromkeys(names) if n]
        return services.organisation_set_covered(
            actor=request.user, organisation=org, enterprises=wanted[:500]
        )

    run(request, call, _("覆盖的企业已保存。"))
    return back(request, reverse("party:organisation", args=[pk]))


# --- part-time grid members and the party-work permission ---


def grids_of(user: object) -> list[Region]:
    qs = Region.objects.filter(level=RegionLevel.GRID)
    return list(scope_to_jurisdiction(qs, user, region_field=None).order_by("path")[:600])


@require_POST
@staff_page
def grid_member_enrol(request: HttpRequest) -> HttpResponse:
    def call() -> object:
        grid = Region.objects.filter(code=request.POST.get("grid", "")[:32]).first()
        if grid is None:
            raise ApplicationError("party.unknown_region", _("请选择管辖范围内的网格。"))
        return services.grid_member_enrol(
            actor=request.user, grid=grid, on=_date(request.POST.get("on")),
            user=staff.worker_account_by_phone(request.user, request.POST.get("phone", "")[:20]),
        )  # fmt: skip

    run(request, call, _("兼职网格员已登记。"))
    return redirect("party:grid")


@require_POST
@staff_page
def grid_member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    row = staff.grid_member_for_staff(request.user, pk)
    run(
        request,
        lambda: services.grid_member_leave(
            actor=request.user, member=row, on=_date(request.POST.get("on"))
        ),
        _("网格员已退出。"),
    )
    return redirect("party:grid")


@staff_page
def party_work(request: HttpRequest) -> HttpResponse:
    return render(
        request, "party/staff/party_work.html", {"rows": staff.party_workers_for(request.user)}
    )


@require_POST
@staff_page
def party_work_grant(request: HttpRequest) -> HttpResponse:
    granted = request.POST.get("granted") == "1"

    def call() -> object:
        member = staff.staff_member_by_phone(request.user, request.POST.get("phone", "")[:20])
        return services.party_work_grant(actor=request.user, user=member, granted=granted)

    run(request, call, _("已授予党务工作权限。") if granted else _("已收回党务工作权限。"))
    return redirect("party:party_work")


OFFICER_POSTS = OfficerPost.choices
