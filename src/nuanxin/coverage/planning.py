"""Siting proposals on top of a coverage result: candidates, the solvers, what each site adds.

Candidate sites (``CANDIDATE_SETS``): ``grid`` — centres of the built-up area's cells at four
times the demand cell size (or the demand points when there is no network); ``hotspots`` — the
imported hot spots; ``uncovered`` — the uncovered demand points themselves. A planner's
candidates are those in their jurisdiction, like their demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from scipy.spatial import cKDTree

from nuanxin.core.errors import ApplicationError
from nuanxin.coverage.analysis import CoverageResult, _in_scope, _regions_of_points
from nuanxin.coverage.demand import cell_degrees
from nuanxin.coverage.models import HotSpot
from nuanxin.coverage.network import EARTH_RADIUS_M
from nuanxin.coverage.routing import mode_speed_ms, reach_matrix, unit_vectors
from nuanxin.coverage.siting import (
    DEFAULT_TIME_LIMIT_S,
    SitingResult,
    lscp_exact,
    mclp_exact,
    mclp_greedy,
)

CANDIDATE_SETS = {
    "grid": gettext_lazy("建成区网格"),
    "hotspots": gettext_lazy("导入的需求热点"),
    "uncovered": gettext_lazy("未覆盖的需求点"),
}
GRID_CELLS = 4  # a candidate cell is this many demand cells wide
SOLVERS = ("exact", "greedy")
MAX_P = 200
MAX_CANDIDATES = 5000
MAX_TIME_LIMIT_S = 600.0


@dataclass
class Candidates:
    lons: np.ndarray
    lats: np.ndarray
    labels: list[str]
    county: list[str]
    street: list[str]


@dataclass
class SitingPlan:
    coverage: CoverageResult
    candidates: Candidates
    result: SitingResult
    kind: str  # "mclp" or "lscp"

    def sites(self) -> list[dict[str, Any]]:
        total = self.coverage.total_weight or 1.0
        names = self.coverage.region_names
        out = []
        for rank, (j, gain) in enumerate(
            zip(self.result.chosen, self.result.gains, strict=True), 1
        ):
            out.append(
                {
                    "rank": rank,
                    "lon": round(float(self.candidates.lons[j]), 7),
                    "lat": round(float(self.candidates.lats[j]), 7),
                    "label": self.candidates.labels[j],
                    "street": names.get(self.candidates.street[j], ""),
                    "county": names.get(self.candidates.county[j], ""),
                    "gain": round(gain, 3),
                    "gain_points": round(100 * gain / total, 2),
                }
            )
        return out

    def summary(self) -> dict[str, Any]:
        before = self.coverage.covered_weight
        total = self.coverage.total_weight
        after = before + self.result.value
        return {
            "kind": self.kind,
            "solver": self.result.method,
            "optimal": self.result.optimal,
            "status": self.result.status,
            "gap": round(self.result.gap, 6),
            "bound": round(self.result.bound, 3),
            "candidates": len(self.candidates.lons),
            "new_stations": len(self.result.chosen),
            "covered_before": round(before, 3),
            "covered_after": round(after, 3),
            "percent_before": round(100 * before / total, 1) if total else 0.0,
            "percent_after": round(100 * after / total, 1) if total else 0.0,
            "coverage": self.coverage.summary(),
        }


def candidates_build(kind: str, coverage: CoverageResult, *, user: Any = None) -> Candidates:
    if kind not in CANDIDATE_SETS:
        raise ApplicationError(
            "coverage.bad_candidates", _("候选站址只能是：%s。") % "、".join(CANDIDATE_SETS)
        )
    network = coverage.network
    labels: list[str] = []
    if kind == "grid" and network is not None and network.nodes:
        dlon, dlat = (GRID_CELLS * d for d in cell_degrees(round(float(np.mean(network.lats)), 1)))
        cells = np.unique(
            np.column_stack([np.floor(network.lons / dlon), np.floor(network.lats / dlat)]).astype(
                np.int64
            ),
            axis=0,
        )
        lons, lats = (cells[:, 0] + 0.5) * dlon, (cells[:, 1] + 0.5) * dlat
    elif kind == "hotspots":
        rows = list(HotSpot.objects.order_by("id").values_list("name", "lon", "lat"))
        labels = [r[0] for r in rows]
        lons = np.array([r[1] for r in rows], dtype=float)
        lats = np.array([r[2] for r in rows], dtype=float)
    else:  # the uncovered demand (and the grid's stand-in without a network)
        at = (
            np.flatnonzero(~coverage.covered)
            if kind == "uncovered"
            else np.arange(len(coverage.demand))
        )
        lons, lats = coverage.demand.lons[at], coverage.demand.lats[at]
        labels = [coverage.demand.labels[i] for i in at]
    labels = labels or [""] * len(lons)
    counties, streets, info = _regions_of_points(lons, lats)
    keep = _in_scope(user, counties, streets, info["paths"])
    if kind == "grid":
        # a grid cell of no region (sea, the next city) is no place for a station
        keep &= np.array([bool(c) for c in counties], dtype=bool)
    keep &= _may_cover(coverage, np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    idx = np.flatnonzero(keep)
    if len(idx) > MAX_CANDIDATES:
        raise ApplicationError(
            "coverage.too_many_candidates",
            _("候选站址有 %(n)d 个，超过上限 %(max)d 个，请缩小范围。")
            % {"n": len(idx), "max": MAX_CANDIDATES},
        )
    return Candidates(
        lons=np.asarray(lons, dtype=float)[idx],
        lats=np.asarray(lats, dtype=float)[idx],
        labels=[labels[i] for i in idx],
        county=[counties[i] for i in idx],
        street=[streets[i] for i in idx],
    )


def _may_cover(coverage: CoverageResult, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """False for candidates that cannot reach any uncovered point within the threshold: no
    trip is shorter than the straight line, nor faster than the mode's fastest speed, so a
    candidate farther than threshold x that speed from every uncovered point covers nothing new
    (leaving it out changes no answer, and keeps the matrix small)."""
    uncovered = ~coverage.covered
    if not uncovered.any() or len(lons) == 0:
        return np.zeros(len(lons), dtype=bool)
    fastest = max(settings.COVERAGE_SPEEDS_KMH[coverage.query.mode].values()) / 3.6
    reach_m = coverage.threshold_seconds * max(fastest, mode_speed_ms(coverage.query.mode))
    tree = cKDTree(unit_vectors(coverage.demand.lons[uncovered], coverage.demand.lats[uncovered]))
    chord, _i = tree.query(unit_vectors(lons, lats), k=1)
    metres = 2 * EARTH_RADIUS_M * np.arcsin(np.clip(chord / 2, 0, 1))
    return metres <= reach_m * 1.000001 + 1.0


def _reach(coverage: CoverageResult, candidates: Candidates):
    return reach_matrix(
        coverage.network,
        coverage.query.mode,
        coverage.demand.lons,
        coverage.demand.lats,
        candidates.lons,
        candidates.lats,
        coverage.threshold_seconds,
    )


def _check_time_limit(time_limit: float) -> float:
    if not 0 < time_limit <= MAX_TIME_LIMIT_S:
        raise ApplicationError(
            "coverage.bad_time_limit",
            _("求解时限必须在 1 到 %(max)d 秒之间。") % {"max": int(MAX_TIME_LIMIT_S)},
        )
    return float(time_limit)


def sites_maximise(
    coverage: CoverageResult,
    *,
    p: int,
    candidates: str = "grid",
    solver: str = "exact",
    time_limit: float = DEFAULT_TIME_LIMIT_S,
    user: Any = None,
) -> SitingPlan:
    """Up to ``p`` new stations covering the most uncovered demand (MCLP)."""
    if not 1 <= p <= MAX_P:
        raise ApplicationError(
            "coverage.bad_p", _("新建驿站数必须在 1 到 %(max)d 之间。") % {"max": MAX_P}
        )
    if solver not in SOLVERS:
        raise ApplicationError("coverage.bad_solver", _("求解方法只能是 exact 或 greedy。"))
    time_limit = _check_time_limit(time_limit)
    sites = candidates_build(candidates, coverage, user=user)
    if len(sites.lons) == 0:
        raise ApplicationError("coverage.no_candidates", _("没有可选的候选站址。"))
    reach = _reach(coverage, sites)
    if solver == "exact":
        result = mclp_exact(
            reach, coverage.demand.weights, coverage.covered, p, time_limit=time_limit
        )
    else:
        result = mclp_greedy(reach, coverage.demand.weights, coverage.covered, p)
    return SitingPlan(coverage, sites, result, "mclp")


def sites_minimum(
    coverage: CoverageResult,
    *,
    target_percent: float,
    candidates: str = "grid",
    time_limit: float = DEFAULT_TIME_LIMIT_S,
    user: Any = None,
) -> SitingPlan:
    """The fewest new stations that bring coverage to ``target_percent`` (LSCP)."""
    time_limit = _check_time_limit(time_limit)
    sites = candidates_build(candidates, coverage, user=user)
    reach = _reach(coverage, sites)
    result = lscp_exact(
        reach,
        coverage.demand.weights,
        coverage.covered,
        target_percent / 100,
        time_limit=time_limit,
    )
    return SitingPlan(coverage, sites, result, "lscp")
