"""Staff and keepers: managing stations, hours, QR codes, photos, sheets and statistics."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Status
from ninja.files import UploadedFile

from nuanxin.core.errors import ApplicationError, not_found
from nuanxin.core.schema import Date, IdParam
from nuanxin.core.scoping import get_in_scope_or_404
from nuanxin.core.timeutil import local_date
from nuanxin.core.xlsx import xlsx_file_response
from nuanxin.geo.coords import CoordSystem
from nuanxin.stations import services
from nuanxin.stations.api import router
from nuanxin.stations.api.common import (
    keepers_by_phone,
    managed_station,
    region_by_code,
    require_staff,
)
from nuanxin.stations.excel import export_workbook, template_workbook
from nuanxin.stations.models import StationPhoto
from nuanxin.stations.permissions import stations_managed_by
from nuanxin.stations.presenters import hours_data, station_data
from nuanxin.stations.qr import live_checkin_url, qr_links
from nuanxin.stations.schemas import (
    ExceptionIn,
    ExceptionOut,
    HoursIn,
    LiveCodeOut,
    ManagedStationOut,
    QrOut,
    StationHoursOut,
    StationImportOut,
    StationIn,
    StationOut,
    StationPatch,
    StationPhotoOut,
    StatusIn,
    VisitStatsOut,
)
from nuanxin.stations.selectors import (
    STATS_GROUPS,
    station_get,
    station_schedule,
    stations_managed_list,
    visit_counts,
)

MAX_STATS_DAYS = 400


@router.get("/managed", response=list[ManagedStationOut], summary="我管理的驿站（工作人员）")
def managed(request: HttpRequest) -> list:
    require_staff(request)
    stations = stations_managed_list(request.auth)
    return [
        {
            "id": s.pk,
            "code": s.code,
            "name": s.name,
            "kind": s.kind,
            "status": s.status,
            "region": {"code": s.region.code, "name": s.region.name},
            "visits_today": s.visits_today_count,
        }
        for s in stations[:500]
    ]


@router.post("", response={201: StationOut}, summary="新建驿站（工作人员）")
def station_create(request: HttpRequest, payload: StationIn) -> Status:
    data = payload.dict()
    hours = data.pop("hours")
    keepers = keepers_by_phone(data.pop("keeper_phones"))
    region = region_by_code(data.pop("region_code"))
    station = services.station_create(actor=request.auth, region=region, keepers=keepers, **data)
    if hours:
        _set_hours(station, request.auth, HoursIn(**hours))
    return Status(201, station_data(station_get(station.pk)))


@router.patch("/{int:station_id}", response=StationOut, summary="修改驿站（工作人员、驿站管理员）")
def station_patch(request: HttpRequest, station_id: IdParam, payload: StationPatch) -> dict:
    station = managed_station(request, station_id)
    data = payload.dict(exclude_unset=True)
    changes: dict[str, Any] = {k: v for k, v in data.items() if v is not None}
    if "capacity" in data:
        changes["capacity"] = data["capacity"]
    if "keeper_phones" in changes:
        changes["keepers"] = keepers_by_phone(changes.pop("keeper_phones"))
    if "region_code" in changes:
        changes["region"] = region_by_code(changes.pop("region_code"))
    changes.setdefault("coord_system", CoordSystem.WGS84)
    services.station_update(station=station, actor=request.auth, **changes)
    return station_data(station_get(station_id))


def _set_hours(station: Any, actor: Any, payload: HoursIn) -> None:
    if payload.text is not None:
        services.station_set_weekly_hours(station=station, actor=actor, text=payload.text)
        return
    weekly: dict[int, list[tuple[str, str]]] = {}
    for span in payload.weekly or []:
        weekly.setdefault(span.weekday, []).append((span.start, span.end))
    services.station_set_weekly_hours(station=station, actor=actor, weekly=weekly)


@router.put("/{int:station_id}/hours", response=StationHoursOut, summary="设置每周开放时间")
def hours_set(request: HttpRequest, station_id: IdParam, payload: HoursIn) -> dict:
    if (payload.text is None) == (payload.weekly is None):
        raise ApplicationError("stations.bad_hours", _("请提供 weekly 或 text 其中之一。"))
    station = managed_station(request, station_id)
    _set_hours(station, request.auth, payload)
    return hours_data(station_schedule(station_get(station_id)))


@router.put(
    "/{int:station_id}/exceptions/{date}", response=ExceptionOut, summary="设置特殊日期安排"
)
def exception_set(
    request: HttpRequest, station_id: IdParam, date: Date, payload: ExceptionIn
) -> dict:
    station = managed_station(request, station_id)
    exception = services.station_set_exception(
        station=station,
        actor=request.auth,
        date=date,
        closed=payload.closed,
        spans=[(s.start, s.end) for s in payload.spans],
        note=payload.note,
    )
    schedule = station_schedule(station_get(station_id))
    return {
        "date": exception.date,
        "closed": exception.is_closed,
        "spans": [
            {
                "start": s.as_pair()[0],
                "end": s.as_pair()[1],
                "overnight": s.overnight,
                "label": s.label(),
            }
            for s in schedule.spans_on(exception.date)
        ],
        "note": exception.note,
    }


@router.delete(
    "/{int:station_id}/exceptions/{date}", response={204: None}, summary="取消特殊日期安排"
)
def exception_remove(request: HttpRequest, station_id: IdParam, date: Date) -> Status:
    station = managed_station(request, station_id)
    if not services.station_remove_exception(station=station, actor=request.auth, date=date):
        raise ApplicationError("stations.no_exception", _("该日期没有特殊安排。"), status=404)
    return Status(204, None)


@router.post("/{int:station_id}/status", response=StationOut, summary="开放、暂停或撤销驿站")
def status_set(request: HttpRequest, station_id: IdParam, payload: StatusIn) -> dict:
    station = managed_station(request, station_id)
    services.station_set_status(
        station=station, actor=request.auth, status=payload.status, note=payload.note
    )
    return station_data(station_get(station_id))


@router.get("/{int:station_id}/qr", response=QrOut, summary="签到二维码地址（管理人员）")
def qr(request: HttpRequest, station_id: IdParam) -> dict:
    return qr_links(request, managed_station(request, station_id))


@router.get(
    "/{int:station_id}/live-code",
    response=LiveCodeOut,
    summary="驿站屏幕的动态签到码（管理人员，每 30 秒更换）",
)
def live_code(request: HttpRequest, station_id: IdParam) -> dict:
    station = managed_station(request, station_id)
    current = services.live_code(station, timezone.now())
    return {
        "code": current.code,
        "digits": current.digits,
        "url": live_checkin_url(request, station, current.code),
        "changes_at": current.changes_at,
        "expires_at": current.expires_at,
    }


@router.post("/{int:station_id}/qr/rotate", response=QrOut, summary="更换签到二维码（旧码作废）")
def qr_rotate(request: HttpRequest, station_id: IdParam) -> dict:
    station = services.station_rotate_qr(
        station=managed_station(request, station_id), actor=request.auth
    )
    return qr_links(request, station)


@router.post("/{int:station_id}/photos", response={201: StationPhotoOut}, summary="上传驿站照片")
def photo_add(
    request: HttpRequest,
    station_id: IdParam,
    image: File[UploadedFile],
    caption: Form[str] = "",
) -> Status:
    photo = services.station_photo_add(
        station=managed_station(request, station_id),
        actor=request.auth,
        data=image,
        caption=caption,
    )
    return Status(201, {"id": photo.pk, "url": photo.image.url, "caption": photo.caption})


@router.delete(
    "/{int:station_id}/photos/{int:photo_id}", response={204: None}, summary="删除驿站照片"
)
def photo_remove(request: HttpRequest, station_id: IdParam, photo_id: IdParam) -> Status:
    station = managed_station(request, station_id)
    photo = get_in_scope_or_404(
        StationPhoto.objects.filter(station=station),
        not_found("stations.photo_not_found", _("照片不存在。")),
        pk=photo_id,
    )
    services.station_photo_remove(photo=photo, actor=request.auth)
    return Status(204, None)


@router.post("/import", response=StationImportOut, summary="从 Excel（.xlsx）批量导入驿站")
def import_xlsx(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False
) -> dict:
    require_staff(request)
    report = services.stations_import_xlsx(data=file.read(), actor=request.auth, dry_run=dry_run)
    return {
        "ok": report.ok,
        "dry_run": report.dry_run,
        "created": report.created,
        "updated": report.updated,
        "errors": [{"row": e.row, "code": e.code, "message": e.message} for e in report.errors],
    }


@router.get("/import/template", summary="驿站导入模板（.xlsx）")
def import_template(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    return xlsx_file_response(template_workbook(), "stations-template.xlsx")


@router.get("/export", summary="导出我管理的驿站（.xlsx）")
def export(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    stations = (
        stations_managed_by(request.auth)
        .select_related("region")
        .prefetch_related("amenities", "weekly_spans", "keepers")
        .order_by("code")
    )
    return xlsx_file_response(export_workbook(stations), "stations.xlsx")


@router.get("/stats/visits", response=VisitStatsOut, summary="签到统计（按驿站、日期或职业）")
def stats(
    request: HttpRequest,
    by: str = "station",
    date_from: Date | None = None,
    date_to: Date | None = None,
    region: str | None = None,
) -> dict:
    require_staff(request)
    if by not in STATS_GROUPS:
        raise ApplicationError("stations.bad_group", _("分组只能是 station、day 或 occupation。"))
    date_to = date_to or local_date()
    date_from = date_from or date_to - dt.timedelta(days=29)
    if date_from > date_to or (date_to - date_from).days > MAX_STATS_DAYS:
        raise ApplicationError(
            "stations.bad_range", _("日期范围无效（最长 %d 天）。") % MAX_STATS_DAYS
        )
    rows = visit_counts(
        user=request.auth,
        date_from=date_from,
        date_to=date_to,
        by=by,
        region=region_by_code(region),
    )
    return {
        "date_from": date_from,
        "date_to": date_to,
        "by": by,
        "total_visits": sum(r.visits for r in rows),
        "rows": [
            {"key": str(r.key), "label": r.label, "visits": r.visits, "scans": r.scans}
            for r in rows
        ],
    }
