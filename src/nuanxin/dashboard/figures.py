"""The dashboard's figures: a region's headline numbers with one row per child region, the
charts over the last months, the stations on the map. Everything is read through the
feature apps' selectors listed in ``sources``; this module adds them up.

Adding up: every source counts per region its rows point at. A row is credited to the child of
the viewed region whose subtree holds it, or — when it points at the viewed region itself (a
worker bound to a county, a project run by a street) — to the remainder, shown as its own line
("直属"), so the rows always add up to the total. At the city, rows that name no region at all
count in that remainder too. Rates (a share of two figures) are worked out afterwards, for the
total and each row from that row's own figures.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import not_found
from nuanxin.core.scoping import jurisdiction_path, require_jurisdiction, require_staff
from nuanxin.dashboard.sources import (
    CHARTS,
    FIGURE_SOURCES,
    HIGHLIGHTS,
    RATES,
    Chart,
    Reads,
    stations_on_map,
)
from nuanxin.geo.coords import CoordSystem, from_wgs84
from nuanxin.geo.models import Region, RegionLevel

MONTHS_SHOWN = 12
# The levels one drills into by clicking: city -> county -> street (whose rows are communities).
DRILL_LEVELS = (RegionLevel.COUNTY, RegionLevel.STREET)


def counted_labels() -> dict[str, str]:
    """The figures that add up over regions, and their names, in display order."""
    return {key: str(label) for source in FIGURE_SOURCES for key, label in source.figures}


def figure_labels() -> dict[str, str]:
    """Every figure key and its name, in display order: the counted ones, then the rates."""
    return counted_labels() | {rate.key: str(rate.label) for rate in RATES}


def rate_parts() -> dict[str, list[str]]:
    """Each rate's key and the two counted figures it is the share of (numerator first)."""
    return {rate.key: [rate.numerator, rate.denominator] for rate in RATES}


def region_missing() -> Any:
    return not_found("dashboard.unknown_region", _("区域不存在。"))


def dashboard_region(user: Any, code: str | None) -> Region:
    """The region a staff member's dashboard shows: ``code`` if given (inside their
    jurisdiction, else ``auth.out_of_jurisdiction``), else the top of their jurisdiction."""
    require_staff(user, governing=True)
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise region_missing()
        require_jurisdiction(user, region)
        return region
    path = jurisdiction_path(user)
    top = Region.objects.filter(path=path).first() if path else None
    top = top or Region.objects.filter(depth=0).order_by("code").first()
    if top is None:
        raise region_missing()
    return top


def public_region() -> Region:
    """The city the public page shows."""
    city = Region.objects.filter(depth=0).order_by("code").first()
    if city is None:
        raise region_missing()
    return city


@dataclass
class RegionRow:
    code: str
    name: str
    level: str
    drillable: bool
    figures: dict[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "drillable": self.drillable,
            "figures": self.figures,
        }


@dataclass
class RegionFigures:
    region: Region
    trail: list[Region]
    totals: dict[str, float | None]
    rows: list[RegionRow]
    remainder: dict[str, float | None] | None
    # One named thing of the area each (the first mobile branch): key, label, name, value.
    highlights: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": _region_out(self.region),
            "trail": [_region_out(r) for r in self.trail],
            "labels": figure_labels(),
            "rates": rate_parts(),
            "totals": self.totals,
            "rows": [row.as_dict() for row in self.rows],
            "remainder": self.remainder,
            "highlights": self.highlights,
        }


def _region_out(region: Region) -> dict[str, Any]:
    return {"code": region.code, "name": region.name, "level": region.level}


def _zeros() -> dict[str, Any]:
    return dict.fromkeys(counted_labels(), 0)


def _add(into: dict[str, Any], figures: dict[str, Any]) -> None:
    for key, value in figures.items():
        into[key] = round(into[key] + value, 1) if isinstance(value, float) else into[key] + value


def _with_rates(figures: dict[str, Any]) -> dict[str, Any]:
    for rate in RATES:
        figures[rate.key] = rate.of(figures)
    return figures


def _highlights(within: str) -> list[dict[str, Any]]:
    out = []
    for item in HIGHLIGHTS:
        found = item.highlight(within=within)
        if found is not None:
            out.append({"key": item.key, "label": str(item.label), **found})
    return out


def region_figures(region: Region) -> RegionFigures:
    """The headline figures of ``region``'s subtree and of each child's (one query for the
    regions, then the sources' grouped queries; no query per region)."""
    subtree = list(
        Region.objects.filter(path__startswith=region.path).values_list(
            "id", "code", "name", "level", "depth", "path", "parent_id"
        )
    )
    child_depth = region.depth + 1
    children = sorted((row for row in subtree if row[6] == region.pk), key=lambda row: row[1])
    with_children = {row[6] for row in subtree if row[4] == child_depth + 1}
    child_of_code = {row[1]: row for row in children}
    path_of = {row[0]: row[5] for row in subtree}
    totals = _zeros()
    by_child = {row[1]: _zeros() for row in children}
    remainder = _zeros()
    within = region.path if region.depth > 0 else ""
    for source in FIGURE_SOURCES:
        for region_id, figures in source.by_region(within=within).items():
            path = path_of.get(region_id)
            if path is None and region.depth > 0:
                continue  # outside the viewed subtree (a source that ignores ``within``)
            _add(totals, figures)
            codes = path.strip("/").split("/") if path else []
            child_code = codes[child_depth] if len(codes) > child_depth else None
            _add(by_child.get(child_code, remainder), figures)
    rows = [
        RegionRow(
            code=code,
            name=name,
            level=level,
            drillable=level in DRILL_LEVELS and pk in with_children,
            figures=_with_rates(by_child[code]),
        )
        for pk, code, name, level, _depth, _path, _parent in child_of_code.values()
    ]
    return RegionFigures(
        region=region,
        trail=region.ancestors(),
        totals=_with_rates(totals),
        rows=rows,
        remainder=_with_rates(remainder) if any(remainder.values()) else None,
        highlights=_highlights(within),
    )


def window_start(now: dt.datetime | None = None, months: int = MONTHS_SHOWN) -> dt.datetime:
    """The first local midnight of the month ``months - 1`` months before ``now``'s."""
    local = timezone.localtime(now or timezone.now())
    year, month = local.year, local.month - (months - 1)
    while month <= 0:
        year, month = year - 1, month + 12
    return local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


def month_keys(since: dt.datetime, months: int = MONTHS_SHOWN) -> list[str]:
    keys, year, month = [], since.year, since.month
    for _i in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def _by_child(chart: Chart, figures: RegionFigures) -> dict[str, dict[str, Any]]:
    labels = figure_labels()
    return {
        labels[key]: {row.name: row.figures[key] for row in figures.rows} for key in chart.by_child
    }


def _title(chart: Chart, figures: RegionFigures | None) -> str:
    if not chart.by_child:
        return str(chart.title)
    level = figures.rows[0].level if figures and figures.rows else RegionLevel.COMMUNITY
    return str(chart.title) % {"children": RegionLevel(level).label}


def region_charts(
    region: Region, now: dt.datetime | None = None, *, figures: RegionFigures | None = None
) -> list[dict[str, Any]]:
    """Every chart of ``CHARTS`` over the last ``MONTHS_SHOWN`` months, as x values and one
    list of y values per trace (months with nothing are 0). The charts by child region draw
    ``figures`` (the region's, computed here when not given)."""
    since = window_start(now)
    months = month_keys(since)
    within = region.path if region.depth > 0 else ""
    if figures is None and any(chart.by_child for chart in CHARTS):
        figures = region_figures(region)
    read = Reads()
    out = []
    for chart in CHARTS:
        traces = _by_child(chart, figures) if chart.by_child else chart.series(within, since, read)
        missing = None if chart.gaps else 0
        if chart.monthly:
            x = months
        else:
            x = []
            for values in traces.values():
                x += [key for key in values if key not in x]
        out.append(
            {
                "key": chart.key,
                "title": _title(chart, figures),
                "kind": chart.kind,
                "x": [str(key) for key in x],
                "traces": [
                    {"name": str(name), "y": [values.get(key, missing) for key in x]}
                    for name, values in traces.items()
                ],
            }
        )
    return out


def region_map(region: Region, figures: RegionFigures, crs: str) -> dict[str, Any]:
    """The stations of the subtree as points in ``crs``, and the reports per child region (what
    the map shades the children's outlines by)."""
    system = CoordSystem(crs)
    points = []
    for station in stations_on_map(region.path if region.depth > 0 else ""):
        lon, lat = from_wgs84(station["lon"], station["lat"], system)
        points.append(
            {
                "code": station["code"],
                "name": station["name"],
                "kind": station["kind"],
                "open": station["status"] == "open",
                "lon": round(lon, 6),
                "lat": round(lat, 6),
            }
        )
    child_level = figures.rows[0].level if figures.rows else ""
    return {
        "child_level": child_level,
        "parent": region.code,
        "stations": points,
        "reports": {row.code: row.figures.get("reports", 0) for row in figures.rows},
    }
