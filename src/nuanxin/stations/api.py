"""The stations API: map data, nearest search, details, check-in, and staff management."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from nuanxin.accounts.models import Role, User
from nuanxin.accounts.services import phone_clean
from nuanxin.core.errors import ApplicationError, forbidden
from nuanxin.core.timeutil import local_date
from nuanxin.geo.coords import CoordSystem, from_wgs84
from nuanxin.geo.models import Region
from nuanxin.stations import services
from nuanxin.stations.excel import export_workbook, template_workbook
from nuanxin.stations.models import StationKind, StationPhoto
from nuanxin.stations.permissions import require_manager, stations_managed_by
from nuanxin.stations.presenters import hours_data, nearest_data, station_data
from nuanxin.stations.qr import qr_links
from nuanxin.stations.schemas import (
    AmenityOut,
    CheckinIn,
    CheckinOut,
    ExceptionIn,
    ExceptionOut,
    FeatureCollectionOut,
    HoursIn,
    HoursOut,
    ImportOut,
    ManagedStationOut,
    NearestOut,
    NearestResultOut,
    PhotoOut,
    QrOut,
    StationIn,
    StationOut,
    StationPatch,
    StatusIn,
    VisitOut,
    VisitStatsOut,
)
from nuanxin.stations.selectors import (
    STATS_GROUPS,
    amenities_active,
    nearest_stations,
    station_get,
    station_schedule,
    stations_for_map,
    visit_counts,
    visits_of,
    visits_today,
)
from nuanxin.stations.services.stations import clean_point

router = Router(tags=["服务驿站"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEAREST_FIELDS = set(NearestResultOut.model_fields)
MAX_STATS_DAYS = 400


def _region(code: str | None) -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ApplicationError(
            "stations.unknown_region", _("区域代码 %s 不存在。") % code, extra={"code": code}
        )
    return region


def _keepers(phones: list[str] | None) -> list[User] | None:
    if phones is None:
        return None
    users = []
    for raw in phones:
        try:
            phone = phone_clean(raw)
        except ApplicationError as exc:
            raise ApplicationError("stations.unknown_keeper", exc.message) from exc
        user = User.objects.filter(phone=phone, role=Role.STATION_KEEPER).first()
        if user is None:
            raise ApplicationError(
                "stations.unknown_keeper",
                _("手机号 %s 不是已注册的驿站管理员。") % raw,
            )
        users.append(user)
    return users


def _require_staff(request: HttpRequest) -> None:
    if not request.auth.is_staff:
        raise forbidden("stations.forbidden", _("只有工作人员可以操作。"))


def _managed(request: HttpRequest, station_id: int) -> Any:
    station = station_get(station_id)
    require_manager(request.auth, station)
    return station


# --- public -----------------------------------------------------------------------------------


@router.get("", auth=None, response=FeatureCollectionOut, summary="驿站分布（GeoJSON，用于地图）")
def station_map(
    request: HttpRequest,
    crs: CoordSystem = CoordSystem.WGS84,
    kind: StationKind | None = None,
    region: str | None = None,
    bbox: str | None = Query(None, description="WGS-84 范围：最小经度,最小纬度,最大经度,最大纬度"),
) -> dict:
    box = None
    if bbox:
        try:
            box = tuple(float(v) for v in bbox.split(","))
        except ValueError:
            box = ()
        if len(box) != 4:
            raise ApplicationError("stations.bad_bbox", _("范围参数应为四个用逗号分隔的数字。"))
    features = stations_for_map(crs=crs, kind=kind, region=_region(region), bbox=box)
    return {"type": "FeatureCollection", "features": features}


@router.get("/amenities", auth=None, response=list[AmenityOut], summary="服务设施清单")
def amenity_list(request: HttpRequest) -> list:
    return amenities_active()


class NearestParams(Schema):
    lon: float
    lat: float
    coord_system: CoordSystem = CoordSystem.WGS84
    amenities: str | None = None
    open_now: bool = False
    at: dt.datetime | None = None
    max_distance_m: float | None = None
    count: int = 5
    kind: StationKind | None = None
    crs: CoordSystem = CoordSystem.WGS84
    fields: str | None = None


@router.get(
    "/nearest",
    auth=None,
    response=NearestOut,
    exclude_unset=True,
    summary="最近的驿站（可筛选设施、当前开放、最大距离）",
    description=(
        "按直线距离从近到远返回驿站，距离相同按编号。`lon`/`lat` 的坐标系由 `coord_system` "
        "指定（wgs84、gcj02、bd09），结果坐标按 `crs` 输出。`amenities` 为逗号分隔的设施代码，"
        "须全部具备；`open_now=true` 只返回在 `at`（默认现在）开放的驿站；`fields` 为逗号分隔的"
        "结果字段名，只返回这些字段。步行、骑行时间按直线距离乘绕行系数 1.3，分别以 4.5 km/h "
        "和 15 km/h 估算。"
    ),
)
def nearest(request: HttpRequest, params: Query[NearestParams]) -> dict:
    lon, lat = clean_point(params.lon, params.lat, params.coord_system)
    fields = None
    if params.fields:
        fields = {f.strip() for f in params.fields.split(",") if f.strip()}
        unknown = sorted(fields - NEAREST_FIELDS)
        if unknown:
            raise ApplicationError(
                "stations.bad_fields",
                _("未知的字段：%s。") % "、".join(unknown),
                extra={"allowed": sorted(NEAREST_FIELDS)},
            )
    now = timezone.now()
    at = params.at or now
    amenities = [a for a in (params.amenities or "").split(",") if a.strip()]
    found = nearest_stations(
        lon=lon,
        lat=lat,
        at=at,
        amenities=amenities,
        open_now=params.open_now,
        max_distance_m=params.max_distance_m,
        count=params.count,
        kind=params.kind,
    )
    results = []
    for hit, station in found:
        data = nearest_data(hit, station, crs=params.crs, now=at)
        results.append({k: v for k, v in data.items() if fields is None or k in fields})
    return {
        "query": {
            "lon": params.lon,
            "lat": params.lat,
            "point": tuple(round(v, 7) for v in from_wgs84(lon, lat, params.crs)),
            "coord_system": params.coord_system,
            "crs": params.crs,
            "amenities": [a.strip() for a in amenities],
            "open_now": params.open_now,
            "at": at,
            "max_distance_m": params.max_distance_m,
            "count": params.count,
            "kind": params.kind,
        },
        "results": results,
    }


@router.get("/{int:station_id}", auth=None, response=StationOut, summary="驿站详情")
def station_detail(
    request: HttpRequest, station_id: int, crs: CoordSystem = CoordSystem.WGS84
) -> dict:
    return station_data(station_get(station_id), crs=crs)


# --- workers ----------------------------------------------------------------------------------


def _visit_out(visit: Any) -> dict:
    return {
        "id": visit.pk,
        "station": {"id": visit.station.pk, "code": visit.station.code, "name": visit.station.name},
        "day": visit.day,
        "first_at": visit.first_at,
        "last_at": visit.last_at,
        "scans": visit.scans,
        "points_awarded": visit.points_awarded,
    }


@router.post("/checkin", response=CheckinOut, summary="扫码签到（劳动者）")
def checkin(request: HttpRequest, payload: CheckinIn) -> dict:
    result = services.visit_checkin(token=payload.token, worker=request.auth)
    message = _("签到成功！") if result.counted else _("今天已在本驿站签到过，无需重复签到。")
    return {"counted": result.counted, "message": message, "visit": _visit_out(result.visit)}


@router.get("/visits/mine", response=list[VisitOut], summary="我的驿站签到记录")
def my_visits(request: HttpRequest) -> list:
    return [_visit_out(v) for v in visits_of(request.auth)]


# --- staff ------------------------------------------------------------------------------------


@router.get("/managed", response=list[ManagedStationOut], summary="我管理的驿站（工作人员）")
def managed(request: HttpRequest) -> list:
    _require_staff(request)
    stations = stations_managed_by(request.auth).select_related("region").order_by("code")
    return [
        {
            "id": s.pk,
            "code": s.code,
            "name": s.name,
            "kind": s.kind,
            "status": s.status,
            "region": {"code": s.region.code, "name": s.region.name},
            "visits_today": visits_today(s),
        }
        for s in stations[:500]
    ]


@router.post("", response={201: StationOut}, summary="新建驿站（工作人员）")
def station_create(request: HttpRequest, payload: StationIn) -> Status:
    data = payload.dict()
    hours = data.pop("hours")
    keepers = _keepers(data.pop("keeper_phones"))
    region = _region(data.pop("region_code"))
    station = services.station_create(actor=request.auth, region=region, keepers=keepers, **data)
    if hours:
        _set_hours(station, request.auth, HoursIn(**hours))
    return Status(201, station_data(station_get(station.pk)))


@router.patch("/{int:station_id}", response=StationOut, summary="修改驿站（工作人员、驿站管理员）")
def station_patch(request: HttpRequest, station_id: int, payload: StationPatch) -> dict:
    station = station_get(station_id)
    data = payload.dict(exclude_unset=True)
    changes: dict[str, Any] = {k: v for k, v in data.items() if v is not None}
    if "capacity" in data:
        changes["capacity"] = data["capacity"]
    if "keeper_phones" in changes:
        changes["keepers"] = _keepers(changes.pop("keeper_phones"))
    if "region_code" in changes:
        changes["region"] = _region(changes.pop("region_code"))
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


@router.put("/{int:station_id}/hours", response=HoursOut, summary="设置每周开放时间")
def hours_set(request: HttpRequest, station_id: int, payload: HoursIn) -> dict:
    if (payload.text is None) == (payload.weekly is None):
        raise ApplicationError("stations.bad_hours", _("请提供 weekly 或 text 其中之一。"))
    station = station_get(station_id)
    _set_hours(station, request.auth, payload)
    return hours_data(station_schedule(station_get(station_id)))


@router.put(
    "/{int:station_id}/exceptions/{date}", response=ExceptionOut, summary="设置特殊日期安排"
)
def exception_set(
    request: HttpRequest, station_id: int, date: dt.date, payload: ExceptionIn
) -> dict:
    station = station_get(station_id)
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
def exception_remove(request: HttpRequest, station_id: int, date: dt.date) -> Status:
    station = station_get(station_id)
    if not services.station_remove_exception(station=station, actor=request.auth, date=date):
        raise ApplicationError("stations.no_exception", _("该日期没有特殊安排。"), status=404)
    return Status(204, None)


@router.post("/{int:station_id}/status", response=StationOut, summary="开放、暂停或撤销驿站")
def status_set(request: HttpRequest, station_id: int, payload: StatusIn) -> dict:
    station = station_get(station_id)
    services.station_set_status(
        station=station, actor=request.auth, status=payload.status, note=payload.note
    )
    return station_data(station_get(station_id))


@router.get("/{int:station_id}/qr", response=QrOut, summary="签到二维码地址（管理人员）")
def qr(request: HttpRequest, station_id: int) -> dict:
    return qr_links(request, _managed(request, station_id))


@router.post("/{int:station_id}/qr/rotate", response=QrOut, summary="更换签到二维码（旧码作废）")
def qr_rotate(request: HttpRequest, station_id: int) -> dict:
    station = services.station_rotate_qr(station=station_get(station_id), actor=request.auth)
    return qr_links(request, station)


@router.post("/{int:station_id}/photos", response={201: PhotoOut}, summary="上传驿站照片")
def photo_add(
    request: HttpRequest,
    station_id: int,
    image: File[UploadedFile],
    caption: Form[str] = "",
) -> Status:
    photo = services.station_photo_add(
        station=station_get(station_id), actor=request.auth, data=image.read(), caption=caption
    )
    return Status(201, {"id": photo.pk, "url": photo.image.url, "caption": photo.caption})


@router.delete(
    "/{int:station_id}/photos/{int:photo_id}", response={204: None}, summary="删除驿站照片"
)
def photo_remove(request: HttpRequest, station_id: int, photo_id: int) -> Status:
    photo = get_object_or_404(StationPhoto, pk=photo_id, station_id=station_id)
    services.station_photo_remove(photo=photo, actor=request.auth)
    return Status(204, None)


@router.post("/import", response=ImportOut, summary="从 Excel（.xlsx）批量导入驿站")
def import_xlsx(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False
) -> dict:
    _require_staff(request)
    report = services.stations_import_xlsx(data=file.read(), actor=request.auth, dry_run=dry_run)
    return {
        "ok": report.ok,
        "dry_run": report.dry_run,
        "created": report.created,
        "updated": report.updated,
        "errors": [{"row": e.row, "code": e.code, "message": e.message} for e in report.errors],
    }


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@router.get("/import/template", summary="驿站导入模板（.xlsx）")
def import_template(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return _xlsx(template_workbook(), "stations-template.xlsx")


@router.get("/export", summary="导出我管理的驿站（.xlsx）")
def export(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    stations = (
        stations_managed_by(request.auth)
        .select_related("region")
        .prefetch_related("amenities", "weekly_spans", "keepers")
        .order_by("code")
    )
    return _xlsx(export_workbook(stations), "stations.xlsx")


@router.get("/stats/visits", response=VisitStatsOut, summary="签到统计（按驿站、日期或职业）")
def stats(
    request: HttpRequest,
    by: str = "station",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    region: str | None = None,
) -> dict:
    _require_staff(request)
    if by not in STATS_GROUPS:
        raise ApplicationError("stations.bad_group", _("分组只能是 station、day 或 occupation。"))
    date_to = date_to or local_date()
    date_from = date_from or date_to - dt.timedelta(days=29)
    if date_from > date_to or (date_to - date_from).days > MAX_STATS_DAYS:
        raise ApplicationError(
            "stations.bad_range", _("日期范围无效（最长 %d 天）。") % MAX_STATS_DAYS
        )
    rows = visit_counts(
        user=request.auth, date_from=date_from, date_to=date_to, by=by, region=_region(region)
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
