"""Routing: which region, community and department a point and category belong to."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.geo.selectors import region_at_point
from nuanxin.reports.models import Category, CategoryRoute, Department

ROUTABLE_LEVELS = (RegionLevel.GRID, RegionLevel.COMMUNITY)


@dataclass(frozen=True)
class Routing:
    region: Region
    community: Region | None


def community_of(region: Region) -> Region | None:
    """The community a region lies in (itself for a community, its parent for a grid)."""
    if region.level == RegionLevel.COMMUNITY:
        return region
    if region.level == RegionLevel.GRID:
        return region.parent
    return None


def route_point(lon: float, lat: float) -> Routing:
    """The deepest region containing a WGS-84 point (a grid, else a community, else whatever
    level the boundaries reach), or ``reports.outside_area`` when the point is in none."""
    match = region_at_point(lon, lat)
    if match is None:
        raise ApplicationError(
            "reports.outside_area",
            _("该位置不在本市服务范围内。"),
            extra={"lon": lon, "lat": lat},
        )
    return Routing(region=match.region, community=community_of(match.region))


def route_department(category: Category, region: Region) -> Department | None:
    """The department for a category at a region: the deepest area route, else the default."""
    codes = [code for code in region.path.split("/") if code]
    routes = (
        CategoryRoute.objects.filter(
            category=category, region__code__in=codes, department__is_active=True
        )
        .select_related("department", "region")
        .order_by("-region__depth")
    )
    route = routes.first()
    if route is not None:
        return route.department
    return category.department if category.department_id else None
