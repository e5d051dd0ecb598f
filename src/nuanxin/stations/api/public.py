"""Public operations: the map, the nearest search and station details."""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Schema

from nuanxin.core.errors import ApplicationError
from nuanxin.core.schema import (
    MAX_COUNT,
    DateTime,
    IdParam,
    LatParam,
    LonParam,
    MetersParam,
    param_int,
)
from nuanxin.geo.coords import CoordSystem, from_wgs84, point_to_wgs84
from nuanxin.stations.api import router
from nuanxin.stations.api.common import region_by_code
from nuanxin.stations.models import StationKind
from nuanxin.stations.presenters import nearest_data, station_data
from nuanxin.stations.schemas import (
    AmenityOut,
    FeatureCollectionOut,
    NearestOut,
    NearestResultOut,
    StationOut,
)
from nuanxin.stations.selectors import (
    amenities_active,
    nearest_stations,
    station_get,
    stations_for_map,
)

NEAREST_FIELDS = set(NearestResultOut.model_fields)


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
    features = stations_for_map(crs=crs, kind=kind, region=region_by_code(region), bbox=box)
    return {"type": "FeatureCollection", "features": features}


@router.get("/amenities", auth=None, response=list[AmenityOut], summary="服务设施清单")
def amenity_list(request: HttpRequest) -> list:
    return amenities_active()


class NearestParams(Schema):
    lon: LonParam
    lat: LatParam
    coord_system: CoordSystem = CoordSystem.WGS84
    amenities: str | None = None
    open_now: bool = False
    at: DateTime | None = None
    max_distance_m: MetersParam | None = None
    # 1 to 50, judged by the search (stations.bad_count); the edge only bounds it.
    count: param_int(-MAX_COUNT, MAX_COUNT) = 5
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
    lon, lat = point_to_wgs84(params.lon, params.lat, params.coord_system)
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
    for item in found:
        data = nearest_data(item.hit, item.station, item.amenities, crs=params.crs, now=at)
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
    request: HttpRequest, station_id: IdParam, crs: CoordSystem = CoordSystem.WGS84
) -> dict:
    return station_data(station_get(station_id), crs=crs)
