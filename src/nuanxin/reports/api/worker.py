"""The reports API for workers: nearby reports, submitting with photos, my reports, support and
reopening."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from nuanxin.core.edge import loads_json
from nuanxin.core.errors import ApplicationError
from nuanxin.core.schema import IdParam, LatParam, LonParam, MetersParam, Offset, limit_param
from nuanxin.geo.coords import CoordSystem, point_to_wgs84
from nuanxin.reports import presenters, services
from nuanxin.reports.api._common import MAX_PAGE
from nuanxin.reports.models import Channel
from nuanxin.reports.schemas import (
    NearbyOut,
    PhotoOut,
    ReasonIn,
    ReportIn,
    ReportOut,
    SupportIn,
)
from nuanxin.reports.selectors import (
    category_get,
    report_for_supporter,
    report_of_reporter,
    reports_nearby,
    reports_of_reporter,
)

router = Router()

# The answers to a category's questions: a few short texts and choices.
MAX_ANSWERS_BYTES = 64 * 1024


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
