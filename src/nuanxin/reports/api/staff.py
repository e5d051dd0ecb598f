"""The reports API for staff of a jurisdiction: the queue, a report's detail and every review
step, bulk decisions, moderation and the audited reporter contact."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from nuanxin.core.errors import not_found
from nuanxin.core.schema import IdParam, Offset, limit_param
from nuanxin.core.scoping import require_staff
from nuanxin.geo.coords import CoordSystem
from nuanxin.geo.models import Region
from nuanxin.reports import presenters, services
from nuanxin.reports.api._common import MAX_PAGE
from nuanxin.reports.models import Department
from nuanxin.reports.schemas import (
    AssignIn,
    BulkIn,
    BulkOut,
    ContactOut,
    DispatchIn,
    DuplicateIn,
    EditIn,
    HideIn,
    NoteIn,
    PhotoOut,
    PurposeIn,
    QueueOut,
    ReasonIn,
    ReassignIn,
    StaffReportOut,
    TemplateOut,
)
from nuanxin.reports.selectors import (
    QueueFilter,
    category_get,
    original_for_staff,
    photo_for_staff,
    points_notes,
    report_for_staff,
    reports_queue,
    templates_for,
)
from nuanxin.reports.services._common import assignee_refused

router = Router()


class QueueQuery(Schema):
    state: str | None = None
    category: str | None = None
    region: str | None = None
    overdue: bool | None = None
    assignee: str | None = None
    waiting: bool = False
    q: str | None = None
    limit: limit_param(MAX_PAGE) = 50
    offset: Offset = 0
    crs: CoordSystem = CoordSystem.WGS84


def _staff_only(user: Any) -> None:
    require_staff(user, governing=True)


@router.get("/queue", response=QueueOut, url_name="reports_queue", summary="审核队列（我的辖区）")
def queue(request: HttpRequest, query: Query[QueueQuery]) -> dict[str, Any]:
    _staff_only(request.auth)
    qs = reports_queue(
        request.auth,
        QueueFilter(
            state=query.state,
            category=query.category,
            region=query.region,
            overdue=query.overdue,
            assignee=query.assignee,
            waiting=query.waiting,
            q=query.q,
        ),
    ).prefetch_related("photos")
    limit, offset = query.limit, query.offset
    page = list(qs[offset : offset + limit])
    notes = points_notes(page)
    return {
        "count": qs.count(),
        "items": [presenters.for_staff(r, query.crs, notes=notes) for r in page],
    }


@router.get(
    "/{int:report_id}",
    response=StaffReportOut,
    url_name="reports_staff_detail",
    summary="问题详情（工作人员，含处理记录）",
)
def staff_detail(
    request: HttpRequest, report_id: IdParam, crs: CoordSystem = CoordSystem.WGS84
) -> dict[str, Any]:
    return presenters.for_staff(report_for_staff(request.auth, report_id), crs, with_events=True)


def _staff_report(request: HttpRequest, report_id: int) -> Any:
    return report_for_staff(request.auth, report_id)


def _done(request: HttpRequest, report: Any) -> dict[str, Any]:
    fresh = report_for_staff(request.auth, report.pk) if report.region_id else report
    return presenters.for_staff(fresh, with_events=True)


@router.post(
    "/{int:report_id}/accept",
    response=StaffReportOut,
    url_name="reports_accept",
    summary="受理（按类别发放积分，仅一次）",
)
def accept(request: HttpRequest, report_id: IdParam, payload: NoteIn) -> dict[str, Any]:
    report = services.report_accept(
        report=_staff_report(request, report_id), reviewer=request.auth, note=payload.note
    )
    return _done(request, report)


@router.post(
    "/{int:report_id}/reject",
    response=StaffReportOut,
    url_name="reports_reject",
    summary="不予受理（原因告知报告人）",
)
def reject(request: HttpRequest, report_id: IdParam, payload: ReasonIn) -> dict[str, Any]:
    report = services.report_reject(
        report=_staff_report(request, report_id), reviewer=request.auth, reason=payload.reason
    )
    return _done(request, report)


@router.post(
    "/{int:report_id}/duplicate",
    response=StaffReportOut,
    url_name="reports_duplicate",
    summary="标记为重复问题",
)
def duplicate(request: HttpRequest, report_id: IdParam, payload: DuplicateIn) -> dict[str, Any]:
    report = _staff_report(request, report_id)
    report = services.report_mark_duplicate(
        report=report,
        reviewer=request.auth,
        original=original_for_staff(request.auth, payload.original),
        note=payload.note,
    )
    return _done(request, report)


@router.post(
    "/{int:report_id}/dispatch",
    response=StaffReportOut,
    url_name="reports_dispatch",
    summary="派单给责任部门",
)
def dispatch(request: HttpRequest, report_id: IdParam, payload: DispatchIn) -> dict[str, Any]:
    department = Department.objects.filter(code=payload.department).first()
    if department is None:
        raise not_found("reports.unknown_department", _("部门不存在。"), code=payload.department)
    report = services.report_dispatch(
        report=_staff_report(request, report_id),
        reviewer=request.auth,
        department=department,
        note=payload.note,
    )
    return _done(request, report)


@router.post(
    "/{int:report_id}/resolve",
    response=StaffReportOut,
    url_name="reports_resolve",
    summary="标记已解决（说明 + 可选照片，multipart）",
)
def resolve(
    request: HttpRequest,
    report_id: IdParam,
    note: Form[str],
    photo: File[UploadedFile] = None,
) -> dict[str, Any]:
    report = services.report_resolve(
        report=_staff_report(request, report_id), reviewer=request.auth, note=note, photo=photo
    )
    return _done(request, report)


@router.post(
    "/{int:report_id}/close", response=StaffReportOut, url_name="reports_close", summary="关闭"
)
def close(request: HttpRequest, report_id: IdParam, payload: NoteIn) -> dict[str, Any]:
    report = services.report_close(
        report=_staff_report(request, report_id), reviewer=request.auth, note=payload.note
    )
    return _done(request, report)


@router.post(
    "/{int:report_id}/reassign",
    response=dict,
    url_name="reports_reassign",
    summary="转交到其他社区或网格（分错时）",
)
def reassign(request: HttpRequest, report_id: IdParam, payload: ReassignIn) -> dict[str, Any]:
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise not_found("geo.unknown_region", _("区域不存在。"), code=payload.region)
    report = services.report_reassign(
        report=_staff_report(request, report_id),
        reviewer=request.auth,
        region=region,
        note=payload.note,
    )
    # After a move out of one's area the report is no longer visible in detail.
    return {"id": report.pk, "region": region.code, "state": report.state}


@router.post(
    "/{int:report_id}/assign",
    response=StaffReportOut,
    url_name="reports_assign",
    summary="指派给同事",
)
def assign(request: HttpRequest, report_id: IdParam, payload: AssignIn) -> dict[str, Any]:
    from nuanxin.accounts.models import User

    report = _staff_report(request, report_id)
    assignee = None
    if payload.assignee is not None:
        assignee = User.objects.filter(pk=payload.assignee).first()
        if assignee is None:
            # The same answer as for a person who does not cover the report.
            raise assignee_refused()
    report = services.report_assign(report=report, reviewer=request.auth, assignee=assignee)
    return _done(request, report)


@router.post(
    "/{int:report_id}/edit",
    response=StaffReportOut,
    url_name="reports_edit",
    summary="编辑描述（原文保留在处理记录中）",
)
def edit(request: HttpRequest, report_id: IdParam, payload: EditIn) -> dict[str, Any]:
    report = services.report_edit_description(
        report=_staff_report(request, report_id),
        moderator=request.auth,
        description=payload.description,
        reason=payload.reason,
    )
    return _done(request, report)


@router.post(
    "/{int:report_id}/public-hidden",
    response=StaffReportOut,
    url_name="reports_public_hidden",
    summary="在公开地图隐藏/恢复",
)
def public_hidden(request: HttpRequest, report_id: IdParam, payload: HideIn) -> dict[str, Any]:
    report = services.report_set_public_hidden(
        report=_staff_report(request, report_id),
        moderator=request.auth,
        hidden=payload.hidden,
        reason=payload.reason,
    )
    return _done(request, report)


@router.post(
    "/{int:report_id}/reporter",
    response=ContactOut,
    url_name="reports_reveal",
    summary="查看报告人联系方式（需说明用途，留痕）",
)
def reveal(request: HttpRequest, report_id: IdParam, payload: PurposeIn) -> dict[str, str]:
    return services.reporter_reveal(
        report=_staff_report(request, report_id), viewer=request.auth, purpose=payload.purpose
    )


@router.post(
    "/photos/{int:photo_id}/hide",
    response=PhotoOut,
    url_name="reports_photo_hide",
    summary="隐藏/恢复照片",
)
def photo_hide(request: HttpRequest, photo_id: IdParam, payload: HideIn) -> dict[str, Any]:
    photo = photo_for_staff(request.auth, photo_id)
    photo = services.photo_set_hidden(
        photo=photo, moderator=request.auth, hidden=payload.hidden, reason=payload.reason
    )
    return presenters.photo_urls(photo)


@router.post("/bulk/accept", response=BulkOut, url_name="reports_bulk_accept", summary="批量受理")
def bulk_accept(request: HttpRequest, payload: BulkIn) -> dict[str, Any]:
    _staff_only(request.auth)
    result = services.reports_bulk_accept(ids=payload.ids, reviewer=request.auth, note=payload.note)
    return {"done": result.done, "failed": result.failed}


@router.post(
    "/bulk/reject", response=BulkOut, url_name="reports_bulk_reject", summary="批量不予受理"
)
def bulk_reject(request: HttpRequest, payload: BulkIn) -> dict[str, Any]:
    _staff_only(request.auth)
    result = services.reports_bulk_reject(
        ids=payload.ids, reviewer=request.auth, reason=payload.reason
    )
    return {"done": result.done, "failed": result.failed}


@router.get(
    "/templates", response=list[TemplateOut], url_name="reports_templates", summary="回复模板"
)
def templates(request: HttpRequest, state: str, category: str | None = None) -> list[Any]:
    cat = category_get(category) if category else None
    return list(templates_for(state, cat))
