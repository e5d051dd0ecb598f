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
from nuanxin.core.tally import Tally, tally_add
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
    # When the figures were counted: now, or when the snapshot they come from was taken.
    as_of: dt.datetime = field(default_factory=timezone.now)
    # The area's charts, as the snapshot holds them (traces by key); None when counted live.
    traces: dict[str, Tally] | None = None
    since: dt.datetime | None = None

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
            "as_of": self.as_of,
        }


def _region_out(region: Region) -> dict[str, Any]:
    return {"code": region.code, "name": region.name, "level": region.level}


def _zeros() -> dict[str, Any]:
    return dict.fromkeys(counted_labels(), 0)


def _with_rates(figures: dict[str, Any]) -> dict[str, Any]:
    figures = _zeros() | figures
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


def _within(region: Region) -> str:
    return region.path if region.depth > 0 else ""


@dataclass
class Areas:
    """Tallies (figures, or a chart's counts) of every region of a subtree added up: ``own``
    counts the rows that point at the region itself, ``total`` those of its whole subtree."""

    own: dict[int, Tally]
    total: dict[int, Tally]


def added_up(top: Region, regions: list[Region], found: dict[Any, Tally]) -> Areas:
    """``found`` (tallies by the region id the rows point at) added up the tree of ``regions``
    (``top`` and its subtree). A row that points at a region outside the subtree is left out;
    at the city (depth 0) it counts in the city's own, as do rows that point at no region."""
    own: dict[int, Tally] = {region.pk: {} for region in regions}
    for region_id, tally in found.items():
        if region_id in own:
            tally_add(own[region_id], tally)
        elif top.depth == 0:
            tally_add(own[top.pk], tally)
    total = {pk: tally_add({}, tally) for pk, tally in own.items()}
    for region in sorted(regions, key=lambda r: -r.depth):
        if region.pk != top.pk and region.parent_id in total:
            tally_add(total[region.parent_id], total[region.pk])
    return Areas(own, total)


def subtree_of(region: Region) -> list[Region]:
    """``region`` and every region under it (one query)."""
    return list(
        Region.objects.filter(path__startswith=region.path).only(
            "id", "code", "name", "level", "depth", "path", "parent_id"
        )
    )


def figures_found(within: str) -> dict[Any, Tally]:
    """Every figure source's figures per region id, in the subtree at ``within``."""
    found: dict[Any, Tally] = {}
    for source in FIGURE_SOURCES:
        for region_id, figures in source.by_region(within=within).items():
            tally_add(found.setdefault(region_id, {}), figures)
    return found


def charts_found(within: str, since: dt.datetime) -> dict[str, dict[Any, Tally]]:
    """Every chart by region's tally, per region id, in the subtree at ``within``."""
    read = Reads()
    return {chart.key: chart.tally(within, since, read) for chart in CHARTS if chart.tally}


def _children(region: Region, regions: list[Region]) -> tuple[list[Region], set[int]]:
    """The children of ``region`` by code, and the ids of those that have children."""
    children = sorted((r for r in regions if r.parent_id == region.pk), key=lambda r: r.code)
    ids = {child.pk for child in children}
    return children, {r.parent_id for r in regions if r.parent_id in ids}


def _figures_of(
    region: Region,
    regions: list[Region],
    totals: dict[str, Any],
    by_child: dict[str, dict[str, Any]],
    remainder: dict[str, Any],
) -> RegionFigures:
    children, with_children = _children(region, regions)
    rows = [
        RegionRow(
            code=child.code,
            name=child.name,
            level=child.level,
            drillable=child.level in DRILL_LEVELS and child.pk in with_children,
            figures=_with_rates(by_child.get(child.code, {})),
        )
        for child in children
    ]
    return RegionFigures(
        region=region,
        trail=region.ancestors(),
        totals=_with_rates(totals),
        rows=rows,
        remainder=_with_rates(remainder) if any(remainder.values()) else None,
        highlights=_highlights(_within(region)),
    )


def area_figures(region: Region, regions: list[Region], areas: Areas) -> dict[str, Any]:
    """What the figures of ``region`` are drawn from (counted figures, before rates): its
    total, each child's by code, and its remainder."""
    children, _with_children = _children(region, regions)
    return {
        "totals": areas.total[region.pk],
        "rows": {child.code: areas.total[child.pk] for child in children},
        "remainder": areas.own[region.pk],
    }


def _live(region: Region) -> RegionFigures:
    """The figures of ``region`` counted now from the apps' rows."""
    regions = subtree_of(region)
    found = area_figures(region, regions, added_up(region, regions, figures_found(_within(region))))
    return _figures_of(region, regions, found["totals"], found["rows"], found["remainder"])


def region_figures(region: Region) -> RegionFigures:
    """The headline figures of ``region``'s subtree and of each child's: from the dashboard's
    snapshot when a fresh one is kept (``snapshots``), else counted now (one query for the
    regions, then the sources' grouped queries; no query per region)."""
    from nuanxin.dashboard.snapshots import snapshot_of

    kept = snapshot_of(region, window_start())
    if kept is None:
        return _live(region)
    regions = list(
        Region.objects.filter(path__startswith=region.path, depth__lte=region.depth + 2).only(
            "id", "code", "name", "level", "depth", "path", "parent_id"
        )
    )
    children, _with_children = _children(region, regions)
    if {child.code for child in children} != set(kept.data["figures"]["rows"]):
        return _live(region)  # the region tree changed since the snapshot
    found = kept.data["figures"]
    figures = _figures_of(region, regions, found["totals"], found["rows"], found["remainder"])
    figures.as_of, figures.traces = kept.taken_at, kept.data["charts"]
    return figures


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


def area_traces(total: dict[str, Tally]) -> dict[str, Tally]:
    """Each chart's traces (by key) from the area's added-up tallies (``charts_found``)."""
    return {chart.key: chart.finish(total.get(chart.key, {})) for chart in CHARTS if chart.tally}


def _x_order(chart: Chart, traces: Tally, months: list[str]) -> list[str]:
    if chart.monthly:
        return months
    keys: list[str] = []
    for values in traces.values():
        keys += [key for key in values if key not in keys]
    if chart.order == "key":
        return sorted(keys, key=int)
    first = next(iter(traces.values()), {})
    name = chart.x_name or str
    return sorted(keys, key=lambda key: (-first.get(key, 0), name(key)))


def _drawn(chart: Chart, traces: Tally, months: list[str]) -> tuple[list[str], list[dict]]:
    """A chart by region's x values and traces, named in the reader's language."""
    x = _x_order(chart, traces, months)
    missing = None if chart.gaps else 0
    drawn = [
        {"name": str(name), "y": [traces.get(key, {}).get(value, missing) for value in x]}
        for key, name in chart.traces
    ]
    return [chart.x_name(v) if chart.x_name else str(v) for v in x], drawn


def _named(traces: dict[Any, dict[Any, Any]], missing: Any, months: list[str] | None) -> tuple:
    x: list[Any] = list(months or [])
    if months is None:
        for values in traces.values():
            x += [key for key in values if key not in x]
    drawn = [{"name": str(name), "y": [v.get(k, missing) for k in x]} for name, v in traces.items()]
    return [str(key) for key in x], drawn


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
    ``figures`` (the region's, computed here when not given); the charts by region come from
    the snapshot ``figures`` were read from, or are counted now."""
    figures = figures or region_figures(region)
    if figures.traces is not None and now is None:
        traces, since = figures.traces, window_start(figures.as_of)
    else:
        since = window_start(now)
        found = charts_found(_within(region), since)
        traces = area_traces({key: _summed(by) for key, by in found.items()})
    months = month_keys(since)
    out = []
    for chart in CHARTS:
        if chart.tally:
            x, drawn = _drawn(chart, traces.get(chart.key, {}), months)
        elif chart.live:
            x, drawn = _named(chart.live(_within(region)), None if chart.gaps else 0, None)
        else:
            x, drawn = _named(_by_child(chart, figures), None if chart.gaps else 0, None)
        out.append(
            {
                "key": chart.key,
                "title": _title(chart, figures),
                "kind": chart.kind,
                "x": x,
                "traces": drawn,
            }
        )
    return out


def _summed(by_region: dict[Any, Tally]) -> Tally:
    total: Tally = {}
    for tally in by_region.values():
        tally_add(total, tally)
    return total


def region_map(region: Region, figures: RegionFigures, crs: str) -> dict[str, Any]:
    """The stations of the subtree as points in ``crs``, and the reports per child region (what
    the map shades the children's outlines by)."""
    system = CoordSystem(crs)
    points = []
    for station in stations_on_map(region.path if region.depth > 0 else ""):
        lon, lat = station["lon"], station["lat"]  # stored in WGS-84
        if system is not CoordSystem.WGS84:
            lon, lat = from_wgs84(lon, lat, system)
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
