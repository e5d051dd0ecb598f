"""Siting new stations: the maximal covering (MCLP) and set covering (LSCP) problems.

Existing stations stay; demand they already cover counts as covered. ``reach`` (points x
candidates) says which uncovered points a candidate would serve within the threshold.

- ``mclp_exact``: choose at most p candidates maximising newly covered demand, as a mixed
  integer programme solved by HiGHS through ``scipy.optimize.milp``: binary x_j (open site j),
  y_i in [0, 1] (point i covered), y_i <= sum_j a_ij x_j, sum_j x_j <= p, maximise sum w_i y_i.
  y needs no integrality: at an optimum y_i = min(1, sum_j a_ij x_j), which is 0 or 1. Under a
  time limit the best solution found is returned with HiGHS's optimality gap.
- ``mclp_greedy``: for instances too large to solve exactly, the site with the largest gain
  each time; its bound is the tightest "value + the p largest remaining gains" seen on the way
  (coverage is submodular), so the gap it reports is a true upper bound on what it misses.
- ``lscp_exact``: the fewest sites that bring coverage to a target share of all demand.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from nuanxin.core.errors import ApplicationError

DEFAULT_TIME_LIMIT_S = 60.0


@dataclass
class SitingResult:
    method: str  # "mclp_exact", "mclp_greedy", "lscp_exact"
    chosen: list[int]  # candidate indices, in order of marginal gain
    gains: list[float]  # newly covered demand each adds, in that order
    value: float  # newly covered demand of the whole choice
    bound: float  # upper bound on the best possible value (== value when proven optimal)
    optimal: bool
    status: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        return 0.0 if self.bound <= 0 else max(0.0, (self.bound - self.value) / self.bound)


def _uncovered_reach(
    reach: sparse.spmatrix, weights: np.ndarray, covered: np.ndarray
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The uncovered points that some candidate reaches, those reached by the same set of
    candidates merged into one row with their weights added (the same problem, far fewer
    rows: neighbouring points are usually served by the same sites)."""
    reach = sparse.csr_matrix(reach, dtype=bool)
    reach.sort_indices()
    useful = np.flatnonzero(
        (~covered) & (np.asarray(reach.sum(axis=1)).ravel() > 0) & (weights > 0)
    )
    groups: dict[bytes, int] = {}
    group_of = np.empty(len(useful), dtype=np.int64)
    for k, i in enumerate(useful.tolist()):
        key = reach.indices[reach.indptr[i] : reach.indptr[i + 1]].tobytes()
        group_of[k] = groups.setdefault(key, len(groups))
    merged_w = np.bincount(group_of, weights=weights[useful], minlength=len(groups))
    first = np.zeros(len(groups), dtype=np.int64)
    first[group_of[::-1]] = useful[::-1]  # one point of each group stands for its row
    return reach[first].astype(np.float64), merged_w.astype(np.float64)


def covered_value(a: sparse.csr_matrix, w: np.ndarray, sites: list[int]) -> float:
    if not sites:
        return 0.0
    hit = np.asarray(a[:, sites].sum(axis=1)).ravel() > 0
    return float(w[hit].sum())


def order_by_gain(
    a: sparse.csr_matrix, w: np.ndarray, sites: list[int]
) -> tuple[list[int], list[float]]:
    """``sites`` reordered greedily (largest marginal gain first, ties by index) with each gain."""
    a = sparse.csc_matrix(a)
    left = sorted(sites)
    done = np.zeros(a.shape[0], dtype=bool)
    order, gains = [], []
    while left:
        best, best_gain = None, -1.0
        for j in left:
            rows = a.indices[a.indptr[j] : a.indptr[j + 1]]
            gain = float(w[rows[~done[rows]]].sum())
            if gain > best_gain:
                best, best_gain = j, gain
        rows = a.indices[a.indptr[best] : a.indptr[best + 1]]
        done[rows] = True
        order.append(best)
        gains.append(best_gain)
        left.remove(best)
    return order, gains


def _check_p(p: int, n_candidates: int) -> None:
    if p < 1:
        raise ApplicationError("coverage.bad_p", _("新建驿站数必须至少为 1。"))
    if n_candidates == 0:
        raise ApplicationError("coverage.no_candidates", _("没有可选的候选站址。"))


def mclp_exact(
    reach: sparse.spmatrix,
    weights: np.ndarray,
    covered: np.ndarray,
    p: int,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT_S,
) -> SitingResult:
    n_cand = reach.shape[1]
    _check_p(p, n_cand)
    a, w = _uncovered_reach(
        reach, np.asarray(weights, dtype=float), np.asarray(covered, dtype=bool)
    )
    r = a.shape[0]
    if r == 0:
        return SitingResult("mclp_exact", [], [], 0.0, 0.0, True, "nothing_to_cover")
    # variables: x (n_cand binary), then y (r continuous)
    c = np.concatenate([np.zeros(n_cand), -w])
    link = sparse.hstack([-a, sparse.identity(r, format="csr")], format="csr")  # y - A x <= 0
    budget = sparse.csr_matrix(np.concatenate([np.ones(n_cand), np.zeros(r)])[None, :])
    constraints = [
        LinearConstraint(link, -np.inf, 0.0),
        LinearConstraint(budget, 0.0, float(p)),
    ]
    integrality = np.concatenate([np.ones(n_cand), np.zeros(r)])
    res = milp(
        c,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(0.0, 1.0),
        options={"time_limit": float(time_limit), "mip_rel_gap": 0.0, "disp": False},
    )
    if res.x is None:
        raise ApplicationError(
            "coverage.solver_failed", _("求解器未能在时限内找到方案，请放宽时限或减少候选站址。")
        )
    chosen = [j for j in range(n_cand) if res.x[j] > 0.5]
    value = covered_value(a, w, chosen)
    optimal = res.status == 0
    if optimal:
        order, gains = order_by_gain(a, w, chosen)
        return SitingResult("mclp_exact", order, gains, value, value, True, "optimal")
    # Stopped by the time limit: HiGHS's dual bound still bounds the optimum; the greedy
    # choice may beat its incumbent, and its own bound may be tighter. Keep the best of both.
    dual = getattr(res, "mip_dual_bound", None)
    bound = -float(dual) if dual is not None and np.isfinite(dual) else float(w.sum())
    greedy = mclp_greedy(reach, weights, covered, p)
    bound = max(min(bound, greedy.bound), value, greedy.value)
    if greedy.value > value:
        return SitingResult(
            "mclp_exact", greedy.chosen, greedy.gains, greedy.value, bound, False,
            "time_limit_greedy",
        )  # fmt: skip
    order, gains = order_by_gain(a, w, chosen)
    return SitingResult("mclp_exact", order, gains, value, bound, False, "time_limit")


def mclp_greedy(
    reach: sparse.spmatrix, weights: np.ndarray, covered: np.ndarray, p: int
) -> SitingResult:
    n_cand = reach.shape[1]
    _check_p(p, n_cand)
    a, w = _uncovered_reach(
        reach, np.asarray(weights, dtype=float), np.asarray(covered, dtype=bool)
    )
    a_csc = sparse.csc_matrix(a)
    at = sparse.csr_matrix(a.T)
    left = w.copy()
    value, bound = 0.0, float(w.sum())
    chosen, gains = [], []
    for _step in range(min(p, n_cand)):
        marginal = at @ left
        top = np.sort(marginal)[::-1][:p]
        bound = min(bound, value + float(top.sum()))
        j = int(np.argmax(marginal))
        if marginal[j] <= 0:
            break
        rows = a_csc.indices[a_csc.indptr[j] : a_csc.indptr[j + 1]]
        gain = float(left[rows].sum())
        left[rows] = 0.0
        value += gain
        chosen.append(j)
        gains.append(gain)
    bound = min(bound, value + float(np.sort(at @ left)[::-1][:p].sum()))
    return SitingResult("mclp_greedy", chosen, gains, value, max(bound, value), bound <= value)


def mclp_brute_force(
    reach: sparse.spmatrix, weights: np.ndarray, covered: np.ndarray, p: int
) -> tuple[float, tuple[int, ...]]:
    """The best value and a best set by trying every set of p candidates (tests only)."""
    a, w = _uncovered_reach(
        reach, np.asarray(weights, dtype=float), np.asarray(covered, dtype=bool)
    )
    best = (0.0, ())
    for combo in itertools.combinations(range(reach.shape[1]), min(p, reach.shape[1])):
        value = covered_value(a, w, list(combo))
        if value > best[0] + 1e-9:
            best = (value, combo)
    return best


def lscp_exact(
    reach: sparse.spmatrix,
    weights: np.ndarray,
    covered: np.ndarray,
    target_share: float,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT_S,
) -> SitingResult:
    """The fewest candidates bringing covered demand to ``target_share`` (0-1] of all demand."""
    weights = np.asarray(weights, dtype=float)
    covered = np.asarray(covered, dtype=bool)
    if not 0 < target_share <= 1:
        raise ApplicationError("coverage.bad_target", _("目标覆盖率必须大于 0，且不超过 100。"))
    total = float(weights.sum())
    already = float(weights[covered].sum())
    need = target_share * total - already
    n_cand = reach.shape[1]
    if need <= 1e-9:
        return SitingResult("lscp_exact", [], [], 0.0, 0.0, True, "already_met")
    a, w = _uncovered_reach(reach, weights, covered)
    reachable = float(w.sum())
    if reachable + 1e-9 < need:
        best = round(100 * (already + reachable) / total, 1) if total else 0.0
        raise ApplicationError(
            "coverage.target_unreachable",
            _("即使启用全部候选站址，覆盖率最高也只能达到 %(best)s%%。") % {"best": best},
            extra={"best_percent": best},
        )
    r = a.shape[0]
    c = np.concatenate([np.ones(n_cand), np.zeros(r)])
    link = sparse.hstack([-a, sparse.identity(r, format="csr")], format="csr")
    demand_row = sparse.csr_matrix(np.concatenate([np.zeros(n_cand), w])[None, :])
    res = milp(
        c,
        constraints=[
            LinearConstraint(link, -np.inf, 0.0),
            # a hair below ``need``: the sum of float weights must not make an exact target fail
            LinearConstraint(demand_row, need - 1e-9 * max(1.0, total), np.inf),
        ],
        integrality=np.concatenate([np.ones(n_cand), np.zeros(r)]),
        bounds=Bounds(0.0, 1.0),
        options={"time_limit": float(time_limit), "mip_rel_gap": 0.0, "disp": False},
    )
    if res.x is None:
        raise ApplicationError(
            "coverage.solver_failed", _("求解器未能在时限内找到方案，请放宽时限或减少候选站址。")
        )
    chosen = [j for j in range(n_cand) if res.x[j] > 0.5]
    order, gains = order_by_gain(a, w, chosen)
    value = covered_value(a, w, chosen)
    optimal = res.status == 0
    status = "optimal" if optimal else "time_limit"
    return SitingResult(
        "lscp_exact", order, gains, value, value, optimal, status, extra={"sites": len(chosen)}
    )
