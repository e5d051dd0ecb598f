"""Coverage: how much demand reaches an open station within the threshold, and where not.

Every station in service that passes the filter (open at ``at``, with the amenities) counts,
wherever it lies: a worker at a county's edge may use the next county's station. The demand a
planner sees is that of their jurisdiction (points in their region subtree), so a county
planner's percentage is their county's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.core.scoping import jurisdiction_path
from nuanxin.coverage.demand import Demand, DemandSpec, demand_build
from nuanxin.coverage.network import MODES, RoadNetwork, network_loaded
from nuanxin.coverage.routing import NearestTimes, nearest_times
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.geo.selectors import region_index
from nuanxin.stations.selectors import ServingStations, stations_serving

MAX_THRESHOLD_MINUTES = 120
UNCOVERED_SHOWN = 50


@dataclass(frozen=True)
class CoverageQuery:
    mode: str = "ride"
    at: dt.datetime | None = None
    amenities: tuple[str, ...] = ()
    threshold_minutes: int = 15
    demand: DemandSpec = field(default_factory=DemandSpec)

    @classmethod
    def clean(
        cls,
        *,
        mode: str = "ride",
        at: dt.datetime | None = None,
        amenities: tuple[str, ...] | list[str] = (),
        threshold_minutes: int | None = None,
        sources: dict[str, float] | None = None,
    ) -> CoverageQuery:
        if mode not in MODES:
            raise ApplicationError(
                "coverage.bad_mode", _("出行方式只能是 ride（电动车）或 walk（步行）。")
            )
        minutes = (
            settings.COVERAGE_THRESHOLD_MINUTES if threshold_minutes is None else threshold_minutes
        )
        if not 1 <= minutes <= MAX_THRESHOLD_MINUTES:
            raise ApplicationError(
                "coverage.bad_threshold",
                _("时间阈值必须在 1 到 %(max)d 分钟之间。") % {"max": MAX_THRESHOLD_MINUTES},
            )
        wanted = tuple(dict.fromkeys(a.strip() for a in amenities if a and a.strip()))
        spec = DemandSpec.parse(sources) if sources is not None else DemandSpec()
        return cls(mode=mode, at=at, amenities=wanted, threshold_minutes=minutes, demand=spec)


@dataclass
class RegionRow:
    code: str
    name: str
    demand: float
    covered: float
    points: int
    uncovered_points: int

    @property
    def percent(self) -> float:
        return round(100 * self.covered / self.demand, 1) if self.demand else 0.0


@dataclass
class CoverageResult:
    query: CoverageQuery
    network: RoadNetwork | None
    stations: ServingStations
    demand: Demand
    times: NearestTimes
    county: list[str]  # region code of each point's county ("" when outside every region)
    street: list[str]
    region_names: dict[str, str]
    # Each point's own region (the finest one holding it; None outside every region).
    region_ids: list[int | None] = field(default_factory=list)

    @property
    def method(self) -> str:
        return (
            self.times.method
            if len(self.demand)
            else ("network" if self.network else "straight_line")
        )

    @property
    def threshold_seconds(self) -> float:
        return self.query.threshold_minutes * 60.0

    @property
    def covered(self) -> np.ndarray:
        return self.times.seconds <= self.threshold_seconds

    @property
    def total_weight(self) -> float:
        return self.demand.total

    @property
    def covered_weight(self) -> float:
        return float(self.demand.weights[self.covered].sum())

    @property
    def percent(self) -> float:
        total = self.total_weight
        return round(100 * self.covered_weight / total, 1) if total else 0.0

    def minutes(self) -> list[float | None]:
        return [None if not np.isfinite(s) else round(s / 60, 2) for s in self.times.seconds]

    def table(self, level: str) -> list[RegionRow]:
        codes = self.county if level == RegionLevel.COUNTY else self.street
        rows: dict[str, RegionRow] = {}
        covered = self.covered
        for i, code in enumerate(codes):
            row = rows.get(code)
            if row is None:
                name = self.region_names.get(code, "") if code else _("区域外")
                row = rows[code] = RegionRow(code, name, 0.0, 0.0, 0, 0)
            weight = float(self.demand.weights[i])
            row.demand += weight
            row.points += 1
            if covered[i]:
                row.covered += weight
            else:
                row.uncovered_points += 1
        return sorted(rows.values(), key=lambda r: (r.code == "", r.code))

    def uncovered(self, limit: int = UNCOVERED_SHOWN) -> list[dict[str, Any]]:
        """The heaviest uncovered points first (ties by position)."""
        idx = np.flatnonzero(~self.covered)
        order = sorted(
            idx.tolist(),
            key=lambda i: (-self.demand.weights[i], self.demand.lons[i], self.demand.lats[i]),
        )
        out = []
        for i in order[:limit]:
            seconds = self.times.seconds[i]
            out.append(
                {
                    "lon": float(self.demand.lons[i]),
                    "lat": float(self.demand.lats[i]),
                    "weight": round(float(self.demand.weights[i]), 3),
                    "source": str(self.demand.sources[i]),
                    "label": self.demand.labels[i],
                    "minutes": round(seconds / 60, 1) if np.isfinite(seconds) else None,
                    "street": self.region_names.get(self.street[i], ""),
                    "county": self.region_names.get(self.county[i], ""),
                }
            )
        return out

    def summary(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "method_counts": self.times.method_counts(),
            "network": _network_info(self.network),
            "mode": self.query.mode,
            "threshold_minutes": self.query.threshold_minutes,
            "at": self.query.at.isoformat() if self.query.at else None,
            "amenities": list(self.query.amenities),
            "sources": dict(self.query.demand.weights),
            "stations": len(self.stations.ids),
            "points": len(self.demand),
            "demand": round(self.total_weight, 3),
            "covered": round(self.covered_weight, 3),
            "percent": self.percent,
        }


def _network_info(network: RoadNetwork | None) -> dict[str, Any] | None:
    if network is None:
        return None
    return {
        "nodes": network.nodes,
        "source": network.meta.get("source", ""),
        "generated": bool(network.meta.get("generated", False)),
    }


def _regions_of_points(lons: np.ndarray, lats: np.ndarray) -> tuple[list[str], list[str], dict]:
    """Each point's county and street code, the names of those regions, and (in ``ids``) each
    point's own region id."""
    index = region_index.get()
    regions = {
        pk: (path, level, code, name)
        for pk, path, level, code, name in Region.objects.values_list(
            "pk", "path", "level", "code", "name"
        )
    }
    by_path = {path: (level, code) for path, level, code, _n in regions.values()}
    memo: dict[int | None, tuple[str, str]] = {None: ("", "")}
    counties, streets, ids = [], [], []
    for lon, lat in zip(lons.tolist(), lats.tolist(), strict=True):
        region_id, _method, _d = index.lookup(lon, lat, settings.REGION_FALLBACK_MAX_METERS)
        ids.append(region_id if region_id in regions else None)
        if region_id not in memo:
            county = street = ""
            path = regions[region_id][0] if region_id in regions else ""
            parts = [p for p in path.split("/") if p]
            for depth in range(1, len(parts) + 1):
                level, code = by_path.get("/".join(parts[:depth]) + "/", ("", ""))
                if level == RegionLevel.COUNTY:
                    county = code
                elif level == RegionLevel.STREET:
                    street = code
            memo[region_id] = (county, street)
        county, street = memo[region_id]
        counties.append(county)
        streets.append(street)
    names = {code: name for _p, _l, code, name in regions.values()}
    paths = {code: path for path, _l, code, _n in regions.values()}
    return counties, streets, {"names": names, "paths": paths, "ids": ids}


def _in_scope(
    user: Any, counties: list[str], streets: list[str], paths: dict[str, str]
) -> np.ndarray:
    scope = jurisdiction_path(user) if user is not None else ""
    if scope is None:
        return np.zeros(len(counties), dtype=bool)
    if scope == "":
        return np.ones(len(counties), dtype=bool)
    keep = []
    for county, street in zip(counties, streets, strict=True):
        path = paths.get(street) or paths.get(county) or ""
        keep.append(bool(path) and path.startswith(scope))
    return np.array(keep, dtype=bool)


def coverage_compute(query: CoverageQuery, *, user: Any = None) -> CoverageResult:
    """The coverage of ``query``'s demand; ``user`` (a planner) narrows the demand to their
    jurisdiction, ``None`` is the system (CLI, demo) and sees the whole city."""
    network = network_loaded()
    stations = stations_serving(at=query.at, amenities=query.amenities)
    demand = demand_build(query.demand, network)
    counties, streets, info = _regions_of_points(demand.lons, demand.lats)
    keep = _in_scope(user, counties, streets, info["paths"])
    region_ids = info["ids"]
    if not keep.all():
        demand = Demand(
            lons=demand.lons[keep],
            lats=demand.lats[keep],
            weights=demand.weights[keep],
            sources=demand.sources[keep],
            labels=[label for label, k in zip(demand.labels, keep, strict=True) if k],
        )
        counties = [c for c, k in zip(counties, keep, strict=True) if k]
        streets = [s for s, k in zip(streets, keep, strict=True) if k]
        region_ids = [r for r, k in zip(region_ids, keep, strict=True) if k]
    times = nearest_times(
        network,
        query.mode,
        demand.lons,
        demand.lats,
        np.array(stations.lons),
        np.array(stations.lats),
    )
    return CoverageResult(
        query=query,
        network=network,
        stations=stations,
        demand=demand,
        times=times,
        county=counties,
        street=streets,
        region_names=info["names"],
        region_ids=region_ids,
    )
