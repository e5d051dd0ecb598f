from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from nuanxin.core.errors import not_found
from nuanxin.core.schema import param_int
from nuanxin.core.scoping import get_in_scope_or_404
from nuanxin.geo.coords import CoordSystem, from_wgs84, point_to_wgs84
from nuanxin.geo.geometry import geometry_from_wgs84
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.geo.schemas import (
    FeatureCollectionOut,
    LocateOut,
    LocateQuery,
    LookupQuery,
    RegionLookupOut,
    RegionNodeOut,
    RegionOut,
)
from nuanxin.geo.selectors import region_at_point, region_get, region_tree

router = Router(tags=["区域"])

Depth = param_int(0, 4)


def region_out(region: Region) -> RegionOut:
    parent_codes = [code for code in region.path.split("/") if code]
    return RegionOut(
        code=region.code,
        name=region.name,
        level=region.level,
        parent_code=parent_codes[-2] if len(parent_codes) > 1 else None,
        centre=region.centre,
        is_demo_boundary=region.is_demo_boundary,
    )


@router.get("/tree", auth=None, response=list[RegionNodeOut], summary="区域树")
def tree(request: HttpRequest, root: str | None = None, depth: Depth = 2) -> list[dict]:
    root_region = None
    if root:
        root_region = region_get(root)
        if root_region is None:
            raise not_found("geo.unknown_region", _("区域不存在。"), code=root)
    return region_tree(root_region, depth)


@router.get("/lookup", auth=None, response=RegionLookupOut, summary="坐标所属区域（最深一级）")
def lookup(request: HttpRequest, query: Query[LookupQuery]) -> RegionLookupOut:
    lon, lat = point_to_wgs84(query.lon, query.lat, query.coord_system)
    match = region_at_point(lon, lat)
    if match is None:
        raise not_found("geo.outside_regions", _("该位置不在任何已知区域内。"), lon=lon, lat=lat)
    return RegionLookupOut(
        region=region_out(match.region),
        path=[region_out(r) for r in match.region.ancestors()],
        method=match.method,
        distance_m=round(match.distance_m, 1),
    )


@router.get(
    "/locate",
    auth=None,
    response=LocateOut,
    url_name="geo_locate",
    summary="地图上的一点：在地图坐标系中的位置和所属区域",
    description=(
        "`lon`/`lat` 的坐标系由 `coord_system` 指定，`point` 按 `crs`（地图瓦片的坐标系）输出，"
        "`wgs84` 为保存用的坐标。`regions` 从市到最深一级；不在任何区域内时为空列表。"
    ),
)
def locate(request: HttpRequest, query: Query[LocateQuery]) -> LocateOut:
    # The map pages draw a phone's WGS-84 fix on GCJ-02 tiles and name the community under a
    # pin through this one call, so the browser never converts datums itself.
    lon, lat = point_to_wgs84(query.lon, query.lat, query.coord_system)
    match = region_at_point(lon, lat)
    shown = from_wgs84(lon, lat, query.crs)
    return LocateOut(
        point=(round(shown[0], 7), round(shown[1], 7)),
        wgs84=(round(lon, 7), round(lat, 7)),
        regions=[region_out(r) for r in match.region.ancestors()] if match else [],
    )


@router.get(
    "/geojson", auth=None, response=FeatureCollectionOut, summary="区域边界（GeoJSON，用于地图）"
)
def geojson(
    request: HttpRequest,
    level: RegionLevel = RegionLevel.COUNTY,
    parent: str | None = None,
    crs: CoordSystem = CoordSystem.WGS84,
) -> dict:
    qs = Region.objects.filter(level=level, boundary__isnull=False)
    if parent:
        qs = qs.filter(parent__code=parent)
    features = [
        {
            "type": "Feature",
            "geometry": geometry_from_wgs84(region.boundary, crs),
            "properties": {
                "code": region.code,
                "name": region.name,
                "level": region.level,
                "demo": region.is_demo_boundary,
                # Where a map writes the region's name: a point inside it, in ``crs``.
                "centre": _point_out(region.centre, crs),
            },
        }
        for region in qs.only(
            "code", "name", "level", "boundary", "is_demo_boundary", "centre_lon", "centre_lat"
        )
    ]
    return {"type": "FeatureCollection", "features": features}


def _point_out(point: tuple[float, float] | None, crs: CoordSystem) -> list[float] | None:
    if point is None:
        return None
    lon, lat = from_wgs84(point[0], point[1], crs)
    return [round(lon, 7), round(lat, 7)]


@router.get("/{code}", auth=None, response=RegionOut, summary="区域详情")
def detail(request: HttpRequest, code: str) -> RegionOut:
    return region_out(
        get_in_scope_or_404(
            Region.objects.all(), not_found("geo.unknown_region", _("区域不存在。")), code=code
        )
    )
