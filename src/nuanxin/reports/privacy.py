"""What the public may learn about a report: the category, the state and a coarse location.

A location is snapped to the centre of a ~200 m cell (so nearby reports share one point and a
doorway cannot be read off), or to the community centre for categories that are anonymous to the
public. Reporter fields never leave through here.
"""

import math
from typing import Any

from django.utils import timezone

from nuanxin.reports.models import PublicLocation, Report

CELL_M = 200.0
METRES_PER_DEGREE = 111_320.0


def snap(lon: float, lat: float, cell_m: float = CELL_M) -> tuple[float, float]:
    """The centre of the ~``cell_m`` cell the point falls in (fixed cells, not around the point)."""
    lat_step = cell_m / METRES_PER_DEGREE
    lat_c = (math.floor(lat / lat_step) + 0.5) * lat_step
    # Longitude cells are sized at the cell row's latitude so they stay roughly square.
    lon_step = cell_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat_c)), 0.01))
    lon_c = (math.floor(lon / lon_step) + 0.5) * lon_step
    return (round(lon_c, 6), round(lat_c, 6))


def public_point(report: Report) -> tuple[float, float] | None:
    """The point the public map may show for a report, or None when it shows none."""
    mode = report.category.public_location
    if mode == PublicLocation.HIDDEN:
        return None
    if mode == PublicLocation.COMMUNITY:
        area = report.community or report.region
        return area.centre if area is not None else None
    return snap(report.lon, report.lat)


def public_view(report: Report) -> dict[str, Any] | None:
    """The public facts of a report (no description, no photos, no people)."""
    point = public_point(report)
    if point is None:
        return None
    area = report.community or report.region
    return {
        "id": report.pk,
        "category": report.category.code,
        "category_name": report.category.name,
        "state": report.state,
        "state_name": str(report.get_state_display()),
        "lon": point[0],
        "lat": point[1],
        "precision": report.category.public_location,
        "area": area.name if area else "",
        # The city's calendar day, not UTC's (a report at 07:00 Beijing time is today's).
        "created_date": timezone.localdate(report.created_at).isoformat(),
    }
