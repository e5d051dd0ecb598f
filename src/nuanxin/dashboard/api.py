"""The dashboard's API: the same figures the big screen shows, for the region in ``?region=``
(the top of the caller's jurisdiction when absent); the public figures without login."""

import json

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from nuanxin.dashboard.figures import dashboard_region, region_charts, region_figures, region_map
from nuanxin.dashboard.public import public_figures
from nuanxin.dashboard.schemas import ChartOut, FiguresOut, MapOut, OverviewOut, PublicOut
from nuanxin.geo.coords import CoordSystem

router = Router(tags=["数据大屏"])
RegionCode = Query(None, max_length=32, description="区域代码（默认：本人辖区）")


@router.get(
    "/figures",
    url_name="dashboard_figures",
    response=FiguresOut,
    summary="区域主要数据及下级区域分项",
)
def figures(request: HttpRequest, region: str | None = RegionCode) -> dict:
    return region_figures(dashboard_region(request.auth, region)).as_dict()


@router.get(
    "/charts", url_name="dashboard_charts", response=list[ChartOut], summary="图表数据（近12个月）"
)
def charts(request: HttpRequest, region: str | None = RegionCode) -> list[dict]:
    return region_charts(dashboard_region(request.auth, region))


@router.get(
    "/overview",
    url_name="dashboard_overview",
    response=OverviewOut,
    summary="大屏全部数据（数据与图表）",
)
def overview(request: HttpRequest, region: str | None = RegionCode) -> dict:
    shown = dashboard_region(request.auth, region)
    figures = region_figures(shown)
    return {"figures": figures.as_dict(), "charts": region_charts(shown, figures=figures)}


@router.get(
    "/map", url_name="dashboard_map", response=MapOut, summary="地图：服务阵地与各下级区域问题数"
)
def map_data(
    request: HttpRequest, region: str | None = RegionCode, crs: CoordSystem = CoordSystem.WGS84
) -> HttpResponse:
    shown = dashboard_region(request.auth, region)
    found = region_map(shown, region_figures(shown), crs)
    # A city's map holds every station (10,000 at scale): written out as built, plain strings,
    # numbers and booleans in MapOut's shape, without a second pass through the schema.
    text = json.dumps(found, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(text, content_type="application/json; charset=utf-8")


@router.get(
    "/public",
    url_name="dashboard_public",
    auth=None,
    response=PublicOut,
    summary="公开数据（小于5的数不显示）",
)
def public(request: HttpRequest) -> dict:
    return public_figures()
