"""The coverage API: the 15-minute service circle and siting proposals, for planning staff.

Each answer says how travel times were found (``summary.method``: ``network`` on the imported
roads, ``straight_line`` by the detour-factor estimate, ``mixed`` when some points lie off the
network) and covers the caller's jurisdiction.
"""

import math
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from nuanxin.core.errors import ApplicationError
from nuanxin.coverage.access import require_planner
from nuanxin.coverage.analysis import CoverageQuery, coverage_compute
from nuanxin.coverage.network import names_in_box, network_loaded, segments_in_box
from nuanxin.coverage.planning import sites_maximise, sites_minimum
from nuanxin.coverage.presenters import (
    coverage_features,
    coverage_payload,
    parse_sources,
    plan_payload,
)
from nuanxin.coverage.schemas import (
    CoverageIn,
    CoverageOut,
    CoverageParams,
    MinimumIn,
    PlanOut,
    RoadsParams,
    SitingIn,
)
from nuanxin.geo.coords import from_wgs84, to_wgs84

router = Router(tags=["15分钟服务圈"])


def _amenity_list(text: str | None) -> list[str]:
    return [a.strip() for a in (text or "").split(",") if a.strip()]


def _compute(request: HttpRequest, payload: CoverageIn | CoverageParams, sources: Any) -> Any:
    require_planner(request.auth)
    amenities = (
        payload.amenities
        if isinstance(payload.amenities, list)
        else _amenity_list(payload.amenities)
    )
    query = CoverageQuery.clean(
        mode=payload.mode,
        at=payload.at,
        amenities=amenities,
        threshold_minutes=payload.threshold_minutes,
        sources=sources,
    )
    return coverage_compute(query, user=request.auth)


@router.get(
    "/summary",
    url_name="coverage_summary",
    response=CoverageOut,
    summary="服务圈覆盖率、分县区和街道表、未覆盖热点",
)
def summary(request: HttpRequest, params: Query[CoverageParams]) -> dict:
    result = _compute(request, params, parse_sources(params.sources))
    return coverage_payload(result, params.crs)


@router.get("/map", url_name="coverage_map", summary="服务圈地图数据（GeoJSON：驿站与需求点）")
def coverage_map(request: HttpRequest, params: Query[CoverageParams]) -> dict:
    result = _compute(request, params, parse_sources(params.sources))
    return coverage_features(result, params.crs)


ROADS_LIMIT = 20_000
NAMES_LIMIT = 60


@router.get("/roads", url_name="coverage_roads", summary="视野内的街道（导入路网，离线底图）")
def roads(request: HttpRequest, params: Query[RoadsParams]) -> dict:
    """Street lines of the imported network inside a box, for maps with no tile server: each
    segment once, at most 20,000 (``truncated`` says when more were there: zoom in), and the
    names of the streets there (at most 60).

    Any logged-in user may ask: street lines are public geography, not planning data, and every
    map page (the worker's report map too) draws them."""
    network = network_loaded()
    if network is None:
        return {
            "type": "FeatureCollection", "features": [], "names": [], "truncated": False,
            "generated": False,
        }  # fmt: skip
    try:
        box = tuple(float(v) for v in (params.bbox or "").split(","))
    except ValueError:
        box = ()
    in_range = len(box) == 4 and all(map(math.isfinite, box))
    in_range = in_range and box[0] >= -180 and box[2] <= 180 and box[1] >= -90 and box[3] <= 90
    if not in_range or box[0] > box[2] or box[1] > box[3]:
        raise ApplicationError(
            "coverage.bad_bbox", _("bbox 应为“最小经度,最小纬度,最大经度,最大纬度”。")
        )
    lon1, lat1 = to_wgs84(box[0], box[1], params.crs)
    lon2, lat2 = to_wgs84(box[2], box[3], params.crs)
    lines, truncated = segments_in_box(network, (lon1, lat1, lon2, lat2), ROADS_LIMIT)
    features = []
    for x1, y1, x2, y2 in lines.tolist():
        a, b = from_wgs84(x1, y1, params.crs), from_wgs84(x2, y2, params.crs)
        coordinates = [[round(a[0], 6), round(a[1], 6)], [round(b[0], 6), round(b[1], 6)]]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coordinates},
                "properties": {},
            }
        )
    names = []
    for name, lon, lat in names_in_box(network, (lon1, lat1, lon2, lat2), NAMES_LIMIT):
        x, y = from_wgs84(lon, lat, params.crs)
        names.append({"name": name, "point": [round(x, 6), round(y, 6)]})
    return {
        "type": "FeatureCollection",
        "features": features,
        "names": names,
        "truncated": truncated,
        "generated": bool(network.meta.get("generated", False)),
    }


@router.post(
    "/siting",
    url_name="coverage_siting",
    response=PlanOut,
    summary="新建驿站选址：覆盖最多需求的 p 个站址（MCLP）",
)
def siting(request: HttpRequest, payload: SitingIn) -> dict:
    result = _compute(request, payload, payload.sources)
    plan = sites_maximise(
        result,
        p=payload.p,
        candidates=payload.candidates,
        solver=payload.solver,
        time_limit=payload.time_limit_s,
        user=request.auth,
    )
    return plan_payload(plan, payload.crs)


@router.post(
    "/minimum",
    url_name="coverage_minimum",
    response=PlanOut,
    summary="达到目标覆盖率最少需新建几个驿站（LSCP）",
)
def minimum(request: HttpRequest, payload: MinimumIn) -> dict:
    result = _compute(request, payload, payload.sources)
    plan = sites_minimum(
        result,
        target_percent=payload.target_percent,
        candidates=payload.candidates,
        time_limit=payload.time_limit_s,
        user=request.auth,
    )
    return plan_payload(plan, payload.crs)
