"""JSON API of 随手拍 for the mini program: everything the pages do.

Worker: categories, nearby, submit (multipart, photos optional), add a photo, my reports,
support, reopen. Staff: queue, detail, each review transition, bulk, moderation, the audited
reporter contact. Public: the coarse map. Photos through a checked endpoint.
"""

from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from nuanxin.core.edge import loads_json
from nuanxin.core.errors import ApplicationError, not_found
from nuanxin.core.schema import IdParam, LatParam, LonParam, MetersParam, Offset, limit_param
from nuanxin.core.scoping import require_staff
from nuanxin.geo.coords import CoordSystem, point_to_wgs84
from nuanxin.geo.models import Region
from nuanxin.reports import presenters, services
from nuanxin.reports.models import Channel, Department, ReportPhoto
from nuanxin.reports.privacy import public_view
from nuanxin.reports.questions import questions_clean
from nuanxin.reports.schemas import (
    AssignIn,
    BulkIn,
    BulkOut,
    CategoryOut,
    ContactOut,
    DepartmentOut,
    DispatchIn,
    DuplicateIn,
    EditIn,
    HideIn,
    NearbyOut,
    NoteIn,
    PhotoOut,
    PublicFeatureCollection,
    PurposeIn,
    QueueOut,
    ReasonIn,
    ReassignIn,
    ReportIn,
    ReportOut,
    StaffReportOut,
    SupportIn,
    TemplateOut,
)
from nuanxin.reports.selectors import (
    QueueFilter,
    can_view_photo,
    categories_active,
    category_get,
    original_for_staff,
    photo_for_staff,
    photo_get,
    photo_missing,
    public_reports,
    report_for_staff,
    report_for_supporter,
    report_of_reporter,
    reports_nearby,
    reports_of_reporter,
    reports_queue,
    templates_for,
)
from nuanxin.reports.services._common import assignee_refused

router = Router(tags=["随手拍"])

MAX_PAGE = 100
# The answers to a category's questions: a few short texts and choices.
MAX_ANSWERS_BYTES = 64 * 1024


def category_out(category: Any) -> dict[str, Any]:
    return {
        "code": category.code,
        "name": category.name,
        "group": category.group,
        "description": category.description,
        "keywords": category.keywords,
        "points": category.points,
        "department": category.department.name if category.department_id else None,
        "questions": questions_clean(category.questions),
        "anonymous_public": category.anonymous_public,
        "handling_hours": category.handling_hours,
    }


def nearby_out(found: Any) -> dict[str, Any]:
    report = found.report
    hide = report.category.anonymous_public
    return {
        "id": report.pk,
        "category": report.category.code,
        "category_name": report.category.name,
        "state": report.state,
        "state_name": str(report.get_state_display()),
        "distance_m": round(found.distance_m / 10) * 10,
        "summary": "" if hide else report.description[:60],
        "support_count": report.support_count,
        "created_at": report.created_at,
    }


def _answers(raw: str) -> dict[str, Any]:
    # The edge's parser: bounded nesting and size, no control characters in any answer.
    try:
        value = loads_json(raw or "{}", field="answers", max_bytes=MAX_ANSWERS_BYTES)
    except ApplicationError as error:
        if error.code != "request.bad_json":
            raise
        raise ApplicationError("reports.bad_answer", _("补充信息格式不正确。")) from error
    if not isinstance(value, dict):
        raise ApplicationError("reports.bad_answer", _("补充信息格式不正确。"))
    return value


@router.get(
    "/categories",
    auth=None,
    response=list[CategoryOut],
    url_name="reports_categories",
    summary="问题类别（含补充问题）",
)
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    return [category_out(c) for c in categories_active()]


@router.get(
    "/departments",
    response=list[DepartmentOut],
    url_name="reports_departments",
    summary="责任部门",
)
def departments(request: HttpRequest) -> list[Department]:
    return list(Department.objects.filter(is_active=True))


class NearbyQuery(Schema):
    lon: LonParam
    lat: LatParam
    coord_system: CoordSystem = CoordSystem.WGS84
    category: str | None = None
    radius_m: MetersParam | None = None


@router.get(
    "/nearby",
    response=list[NearbyOut],
    url_name="reports_nearby",
    summary="附近未办结的同类问题（提交前查看，可附议）",
)
def nearby(request: HttpRequest, query: Query[NearbyQuery]) -> list[dict[str, Any]]:
    lon, lat = point_to_wgs84(query.lon, query.lat, query.coord_system)
    category = category_get(query.category) if query.category else None
    found = reports_nearby(category=category, lon=lon, lat=lat, radius_m=query.radius_m)
    return [nearby_out(n) for n in found]


@router.post(
    "/",
    response={201: ReportOut},
    url_name="reports_submit",
    summary="提交随手拍（multipart：字段 + 最多 4 张照片；支持 Idempotency-Key）",
)
def submit(
    request: HttpRequest,
    payload: Form[ReportIn],
    photos: File[list[UploadedFile]] = None,
) -> Status:
    report = services.report_submit(
        reporter=request.auth,
        category=category_get(payload.category),
        lon=payload.lon,
        lat=payload.lat,
        coord_system=payload.coord_system,
        description=payload.description,
        answers=_answers(payload.answers),
        address=payload.address,
        photos=list(photos or []),
        channel=Channel.API,
        submit_key=request.headers.get("Idempotency-Key", ""),
    )
    return Status(201, presenters.for_reporter(report, request.auth))


@router.post(
    "/{int:report_id}/photos",
    response={201: PhotoOut},
    url_name="reports_photo_add",
    summary="为自己待审核的问题补充一张照片",
)
def photo_add(request: HttpRequest, report_id: IdParam, photo: File[UploadedFile]) -> Status:
    report = report_of_reporter(request.auth, report_id)
    added = services.report_photo_add(report=report, user=request.auth, photo=photo)
    return Status(201, presenters.photo_urls(added))


@router.get("/mine", response=list[ReportOut], url_name="reports_mine", summary="我的随手拍")
def mine(
    request: HttpRequest,
    limit: limit_param(MAX_PAGE) = 20,
    offset: Offset = 0,
    crs: CoordSystem = CoordSystem.WGS84,
) -> list[dict[str, Any]]:
    rows = reports_of_reporter(request.auth)[offset : offset + limit]
    return [presenters.for_reporter(r, request.auth, crs) for r in rows]


@router.get(
    "/mine/{int:report_id}",
    response=ReportOut,
    url_name="reports_mine_detail",
    summary="我的随手拍详情与处理进度",
)
def mine_detail(
    request: HttpRequest, report_id: IdParam, crs: CoordSystem = CoordSystem.WGS84
) -> dict[str, Any]:
    return presenters.for_reporter(report_of_reporter(request.auth, report_id), request.auth, crs)


@router.post(
    "/{int:report_id}/support",
    response={201: dict},
    url_name="reports_support",
    summary="附议（我也看到了）",
)
def support(request: HttpRequest, report_id: IdParam, payload: SupportIn) -> Status:
    report = report_for_supporter(report_id)
    services.report_support(report=report, user=request.auth, note=payload.note)
    report.refresh_from_db()
    return Status(201, {"id": report.pk, "support_count": report.support_count})


@router.post(
    "/{int:report_id}/reopen",
    response=ReportOut,
    url_name="reports_reopen",
    summary="报告人重新打开（未真正解决时）",
)
def reopen(request: HttpRequest, report_id: IdParam, payload: ReasonIn) -> dict[str, Any]:
    report = report_of_reporter(request.auth, report_id)
    report = services.report_reopen(report=report, reporter=request.auth, reason=payload.reason)
    return presenters.for_reporter(report, request.auth)


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
    return {
        "count": qs.count(),
        "items": [presenters.for_staff(r, query.crs) for r in qs[offset : offset + limit]],
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


@router.get(
    "/public",
    auth=None,
    response=PublicFeatureCollection,
    url_name="reports_public",
    summary="公开地图：类别、状态、大致位置（不含报告人、描述和照片）",
)
def public(
    request: HttpRequest,
    crs: CoordSystem = CoordSystem.WGS84,
    category: str | None = None,
    bbox: str | None = None,
) -> dict[str, Any]:
    from nuanxin.geo.coords import from_wgs84

    box = None
    if bbox:
        try:
            parts = [float(x) for x in bbox.split(",")]
            box = (parts[0], parts[1], parts[2], parts[3])
        except (ValueError, IndexError) as exc:
            raise ApplicationError("reports.bad_bbox", _("范围参数无效。")) from exc
    features = []
    for report in public_reports(bbox=box, category=category):
        view = public_view(report)
        if view is None:
            continue
        lon, lat = from_wgs84(view.pop("lon"), view.pop("lat"), crs)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": view,
            }
        )
    return {"type": "FeatureCollection", "crs": crs, "features": features}


@router.get(
    "/photos/{int:photo_id}",
    auth=None,
    url_name="reports_photo_file",
    summary="照片文件（仅报告人与辖区工作人员可见）",
)
def photo_file(request: HttpRequest, photo_id: IdParam, thumb: bool = False) -> FileResponse:
    from nuanxin.accounts.auth import BearerTokenAuth

    user = getattr(request, "user", None)
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = BearerTokenAuth().authenticate(request, header[7:].strip()) or user
    return photo_response(user, photo_get(photo_id), thumb)


def photo_response(user: Any, photo: ReportPhoto, thumb: bool) -> FileResponse:
    if not can_view_photo(user, photo):
        raise photo_missing()
    field = photo.thumbnail if thumb else photo.image
    response = FileResponse(field.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
