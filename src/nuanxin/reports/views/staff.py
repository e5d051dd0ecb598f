from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nuanxin.accounts.models import ROLE_REGION_LEVEL, User
from nuanxin.core.errors import ApplicationError, not_found
from nuanxin.core.maps import map_crs
from nuanxin.core.pages import guarded
from nuanxin.core.scoping import require_staff, scope_to_jurisdiction
from nuanxin.geo.coords import from_wgs84
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.points.rules import shortfall_text
from nuanxin.reports import presenters, services
from nuanxin.reports.models import Department, Report, State
from nuanxin.reports.selectors import (
    QueueFilter,
    categories_active,
    is_overdue,
    original_for_staff,
    photo_get,
    photo_missing,
    queue_counts,
    report_for_staff,
    reports_nearby,
    reports_queue,
    templates_for,
)
from nuanxin.reports.views.worker import _answer_lines

staff_page = partial(guarded, governing=True, template="reports/error.html")


def _filters(request: HttpRequest) -> QueueFilter:
    get = request.GET
    overdue = {"1": True, "0": False}.get(get.get("overdue", ""))
    view = get.get("view", "waiting")
    return QueueFilter(
        state=get.get("state") or None,
        category=get.get("category") or None,
        region=get.get("region") or None,
        overdue=overdue,
        assignee=get.get("assignee") or None,
        waiting=view == "waiting" and not get.get("state"),
        q=get.get("q") or None,
    )


@staff_page
def queue(request: HttpRequest) -> HttpResponse:
    """Reports in my area: those waiting for review first, filters, a map, bulk decisions."""
    qs = reports_queue(request.user, _filters(request))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = [{"report": r, "overdue": is_overdue(r)} for r in page]
    regions = scope_to_jurisdiction(
        Region.objects.filter(level__in=[RegionLevel.COMMUNITY, RegionLevel.STREET]),
        request.user,
        region_field=None,
    ).order_by("path")[:300]
    context = {
        "page": page,
        "rows": rows,
        "counts": queue_counts(request.user),
        "categories": categories_active(),
        "states": State.choices,
        "regions": regions,
        "params": request.GET,
        "view": request.GET.get("view", "waiting"),
        "reject_templates": templates_for(State.REJECTED),
    }
    return render(request, "reports/queue.html", context)


# The queue map shows every report the filters select, not only the list's page, up to this.
QUEUE_MAP_LIMIT = 2000


@login_required
def queue_map(request: HttpRequest) -> JsonResponse:
    """The queue's reports for its map (same filters as the list), in the tiles' system."""
    try:
        require_staff(request.user, governing=True)
    except ApplicationError as refused:
        return JsonResponse(refused.as_dict(), status=refused.status)
    qs = reports_queue(request.user, _filters(request))
    crs = map_crs()
    points = []
    for r in qs[:QUEUE_MAP_LIMIT]:
        lon, lat = from_wgs84(r.lon, r.lat, crs)
        area = r.community or r.region
        points.append(
            {
                "id": r.pk,
                "lon": round(lon, 7),
                "lat": round(lat, 7),
                "category_name": r.category.name,
                "state": r.state,
                "state_name": str(r.get_state_display()),
                "overdue": is_overdue(r),
                "created": timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                "area": area.name if area else "",
                "url": reverse("reports:staff_detail", args=[r.pk]),
            }
        )
    return JsonResponse({"count": qs.count(), "points": points})


@staff_page
@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
    action = request.POST.get("action")
    back = request.POST.get("next") or "reports:queue"
    if not ids:
        messages.error(request, _("请先勾选问题。"))
        return redirect(back)
    try:
        if action == "accept":
            result = services.reports_bulk_accept(ids=ids, reviewer=request.user)
        else:
            result = services.reports_bulk_reject(
                ids=ids, reviewer=request.user, reason=request.POST.get("reason", "")
            )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, _("已处理 %(n)d 条。") % {"n": len(result.done)})
    if result.failed:
        failed = "、".join(f"#{i}" for i in result.failed)
        messages.error(request, _("以下问题未能处理：%(ids)s") % {"ids": failed})
    return redirect(back)


def _detail_context(request: HttpRequest, report: Report, **extra: Any) -> dict[str, Any]:
    colleagues = User.objects.filter(
        role__in=list(ROLE_REGION_LEVEL), is_active=True, region__isnull=False
    ).select_related("region")
    codes = [c for c in report.region.path.split("/") if c]
    colleagues = [u for u in colleagues.filter(region__code__in=codes)[:50]]
    street = report.community.parent if report.community_id else report.region
    nearby = [
        n
        for n in reports_nearby(category=report.category, lon=report.lon, lat=report.lat)
        if n.report.pk != report.pk
    ]
    context = {
        "report": report,
        "view": presenters.for_staff(report, with_events=True),
        "overdue": is_overdue(report),
        "answers": _answer_lines(report),
        "points_note": shortfall_text(report.points_limited_by),
        "departments": Department.objects.filter(is_active=True),
        "colleagues": colleagues,
        "nearby": nearby,
        "reassign_targets": Region.objects.filter(
            parent=street.parent if street.level == RegionLevel.COMMUNITY else street,
            level=RegionLevel.COMMUNITY,
        ).exclude(pk=report.community_id)
        if street is not None
        else [],
        "templates": {
            state: list(templates_for(state, report.category))
            for state in (State.ACCEPTED, State.REJECTED, State.RESOLVED, State.CLOSED)
        },
        "contact": None,
        "map_point": from_wgs84(report.lon, report.lat, map_crs()),
    }
    context.update(extra)
    return context


@login_required
def staff_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    try:
        report = report_for_staff(request.user, report_id)
    except ApplicationError as exc:
        return render(request, "reports/error.html", {"error": exc}, status=exc.status)
    return render(request, "reports/staff_detail.html", _detail_context(request, report))


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise not_found("geo.unknown_region", _("区域不存在。"), code=code)
    return region


def _department(code: str) -> Department:
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise not_found("reports.unknown_department", _("部门不存在。"), code=code)
    return department


def _last_filled(values: list[str]) -> str:
    """A typed-in number wins over the picked nearby report."""
    return next((v.strip() for v in reversed(values) if v.strip()), "")


def _user(pk: str) -> User | None:
    return User.objects.filter(pk=int(pk)).first() if str(pk).isdigit() else None


ACTIONS: dict[str, tuple[Callable[..., Any], str]] = {
    "accept": (
        lambda r, u, p, f: services.report_accept(report=r, reviewer=u, note=p.get("note", "")),
        _("已受理。"),
    ),
    "reject": (
        lambda r, u, p, f: services.report_reject(report=r, reviewer=u, reason=p.get("reason", "")),
        _("已标记为不予受理。"),
    ),
    "duplicate": (
        lambda r, u, p, f: services.report_mark_duplicate(
            report=r,
            reviewer=u,
            original=original_for_staff(u, _last_filled(p.getlist("original"))),
            note=p.get("note", ""),
        ),
        _("已标记为重复问题。"),
    ),
    "dispatch": (
        lambda r, u, p, f: services.report_dispatch(
            report=r,
            reviewer=u,
            department=_department(p.get("department", "")),
            note=p.get("note", ""),
        ),
        _("已派单。"),
    ),
    "resolve": (
        lambda r, u, p, f: services.report_resolve(
            report=r, reviewer=u, note=p.get("note", ""), photo=f.get("photo")
        ),
        _("已标记为解决。"),
    ),
    "close": (
        lambda r, u, p, f: services.report_close(report=r, reviewer=u, note=p.get("note", "")),
        _("已关闭。"),
    ),
    "reassign": (
        lambda r, u, p, f: services.report_reassign(
            report=r, reviewer=u, region=_region(p.get("region", "")), note=p.get("note", "")
        ),
        _("已转交。"),
    ),
    "assign": (
        lambda r, u, p, f: services.report_assign(
            report=r, reviewer=u, assignee=_user(p.get("assignee", ""))
        ),
        _("已指派。"),
    ),
    "edit": (
        lambda r, u, p, f: services.report_edit_description(
            report=r, moderator=u, description=p.get("description", ""), reason=p.get("reason", "")
        ),
        _("描述已修改，原文保留在处理记录中。"),
    ),
    "hide_photo": (
        lambda r, u, p, f: services.photo_set_hidden(
            photo=_photo_of(r, p.get("photo", "")),
            moderator=u,
            hidden=p.get("hidden", "1") == "1",
            reason=p.get("reason", ""),
        ),
        _("照片显示状态已更新。"),
    ),
    "public_hidden": (
        lambda r, u, p, f: services.report_set_public_hidden(
            report=r, moderator=u, hidden=p.get("hidden", "1") == "1", reason=p.get("reason", "")
        ),
        _("公开地图显示状态已更新。"),
    ),
}


def _photo_of(report: Report, pk: str) -> Any:
    photo = photo_get(int(pk) if str(pk).isdigit() and len(pk) < 19 else 0)
    if photo.report_id != report.pk:
        raise photo_missing()
    return photo


@login_required
@require_POST
def staff_action(request: HttpRequest, report_id: int, action: str) -> HttpResponse:
    try:
        report = report_for_staff(request.user, report_id)
    except ApplicationError as exc:
        return render(request, "reports/error.html", {"error": exc}, status=exc.status)
    if action == "reveal":
        try:
            contact = services.reporter_reveal(
                report=report, viewer=request.user, purpose=request.POST.get("purpose", "")
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            refused = render(
                request, "reports/staff_detail.html", _detail_context(request, report),
                status=exc.status,
            )  # fmt: skip
            if "retry_after_seconds" in exc.extra:
                refused["Retry-After"] = str(exc.extra["retry_after_seconds"])
            return refused
        context = _detail_context(request, report, contact=contact)
        response = render(request, "reports/staff_detail.html", context)
        response["Cache-Control"] = "no-store"
        return response
    if action not in ACTIONS:
        return render(
            request,
            "reports/error.html",
            {"error": not_found("reports.unknown_action", _("未知操作。"))},
            status=404,
        )
    run, done = ACTIONS[action]
    try:
        run(report, request.user, request.POST, request.FILES)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("reports:staff_detail", report.pk)
    messages.success(request, done)
    if action == "reassign":
        return redirect("reports:queue")
    return redirect("reports:staff_detail", report.pk)
