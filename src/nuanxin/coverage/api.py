"""The coverage API: the 15-minute service circle and siting proposals, for planning staff.

Each answer says how travel times were found (``summary.method``: ``network`` on the imported
roads, ``straight_line`` by the detour-factor estimate, ``mixed`` when some points lie off the
network) and covers the caller's jurisdiction.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from nuanxin.coverage.access import require_planner
from nuanxin.coverage.analysis import CoverageQuery, coverage_compute
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
    SitingIn,
)

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
