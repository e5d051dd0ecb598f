"""Demand: the weighted points where workers need a station.

Sources, each selectable with a weight (``DemandSpec``):

- ``reports``: 随手拍 reports, counted per cell by the reports app (``COVERAGE_CELL_M``); a
  report's own location never reaches this app, only the count of its cell, placed at the
  cell's centre;
- ``checkins``: station check-ins, as counts at the stations (public places);
- ``volunteer``: meeting places of volunteer projects, weighted by their places;
- ``hotspots``: the imported sheet of order hot spots or a population grid (``HotSpot``);
- ``grid``: a uniform grid over the built-up area (cells of ``COVERAGE_CELL_M`` that hold a
  node of the road network), one person per cell: area coverage.

A point's weight is its source's count times the source's weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nuanxin.core.errors import ApplicationError
from nuanxin.coverage.models import HotSpot
from nuanxin.coverage.network import EARTH_RADIUS_M, RoadNetwork
from nuanxin.reports.selectors import report_counts_by_cell
from nuanxin.stations.selectors import checkins_by_station
from nuanxin.volunteering.selectors import volunteer_places

SOURCES = {
    "reports": gettext_lazy("随手拍问题（按网格汇总）"),
    "checkins": gettext_lazy("驿站签到"),
    "volunteer": gettext_lazy("志愿服务地点"),
    "hotspots": gettext_lazy("导入的需求热点"),
    "grid": gettext_lazy("建成区均匀网格"),
}
# The latitude cells are sized at when no network says where the city is (Zhanjiang's).
DEFAULT_LATITUDE = 21.2
MAX_SOURCE_WEIGHT = 1000.0


@dataclass(frozen=True)
class DemandSpec:
    weights: dict[str, float] = field(default_factory=lambda: {"hotspots": 1.0, "reports": 1.0})

    @classmethod
    def parse(cls, weights: dict[str, float]) -> DemandSpec:
        unknown = sorted(set(weights) - set(SOURCES))
        if unknown:
            raise ApplicationError(
                "coverage.unknown_source",
                _("未知的需求来源：%s。") % "、".join(unknown),
                extra={"sources": unknown},
            )
        bad = sorted(k for k, w in weights.items() if not (0 <= w <= MAX_SOURCE_WEIGHT))
        if bad:
            raise ApplicationError(
                "coverage.bad_weight",
                _("需求来源的权重必须在 0 到 %(max)d 之间。") % {"max": MAX_SOURCE_WEIGHT},
                extra={"sources": bad},
            )
        chosen = {k: float(w) for k, w in weights.items() if w > 0}
        if not chosen:
            raise ApplicationError("coverage.no_source", _("请至少选择一个需求来源。"))
        return cls(chosen)


@dataclass
class Demand:
    lons: np.ndarray
    lats: np.ndarray
    weights: np.ndarray
    sources: np.ndarray  # the source key of each point
    labels: list[str]

    def __len__(self) -> int:
        return len(self.lons)

    @property
    def total(self) -> float:
        return float(self.weights.sum())


def cell_degrees(latitude: float) -> tuple[float, float]:
    """The cell's size in degrees of longitude and latitude at ``latitude``."""
    metres_per_degree = math.pi / 180 * EARTH_RADIUS_M
    dlat = settings.COVERAGE_CELL_M / metres_per_degree
    return dlat / max(math.cos(math.radians(latitude)), 0.01), dlat


def _latitude(network: RoadNetwork | None) -> float:
    if network is not None and network.nodes:
        return round(float(np.mean(network.lats)), 1)
    return DEFAULT_LATITUDE


def _grid_cells(network: RoadNetwork, dlon: float, dlat: float) -> list[tuple[float, float, int]]:
    cols = np.floor(network.lons / dlon).astype(np.int64)
    rows = np.floor(network.lats / dlat).astype(np.int64)
    cells = np.unique(np.column_stack([cols, rows]), axis=0)
    return [((c + 0.5) * dlon, (r + 0.5) * dlat, 1) for c, r in cells.tolist()]


def demand_build(spec: DemandSpec, network: RoadNetwork | None) -> Demand:
    dlon, dlat = cell_degrees(_latitude(network))
    lons: list[float] = []
    lats: list[float] = []
    weights: list[float] = []
    sources: list[str] = []
    labels: list[str] = []

    def add(source: str, rows: list[tuple[float, float, float]], names: list[str] | None = None):
        factor = spec.weights[source]
        for i, (lon, lat, count) in enumerate(rows):
            if count <= 0:
                continue
            lons.append(lon)
            lats.append(lat)
            weights.append(count * factor)
            sources.append(source)
            labels.append(names[i] if names else "")

    for source in spec.weights:
        if source == "reports":
            cells = report_counts_by_cell(cell_lon=dlon, cell_lat=dlat)
            add(source, [((c + 0.5) * dlon, (r + 0.5) * dlat, n) for c, r, n in cells])
        elif source == "checkins":
            add(source, checkins_by_station())
        elif source == "volunteer":
            add(source, volunteer_places())
        elif source == "hotspots":
            spots = list(HotSpot.objects.order_by("id").values_list("name", "lon", "lat", "weight"))
            add(source, [(lon, lat, w) for _n, lon, lat, w in spots], [n for n, *_r in spots])
        elif source == "grid":
            if network is None or not network.nodes:
                raise ApplicationError(
                    "coverage.grid_needs_network",
                    _("均匀网格按路网划定建成区，请先导入路网。"),
                )
            add(source, _grid_cells(network, dlon, dlat))
    return Demand(
        lons=np.array(lons, dtype=float),
        lats=np.array(lats, dtype=float),
        weights=np.array(weights, dtype=float),
        sources=np.array(sources, dtype=object),
        labels=labels,
    )
