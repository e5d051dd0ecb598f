"""Siting new stations: the maximal covering (MCLP) and set covering (LSCP) problems.

Existing stations stay; demand they already cover counts as covered. ``reach`` (points x
candidates) says which uncovered points a candidate would serve within the threshold.

- ``mclp_exact``: choose at most p candidates maximising newly covered demand, as a mixed
  integer programme solved by HiGHS: binary x_j (open site j), y_i in [0, 1] (point i
  covered), y_i <= sum_j a_ij x_j, sum_j x_j <= p, maximise sum w_i y_i. y needs no
  integrality: at an optimum y_i = min(1, sum_j a_ij x_j), which is 0 or 1. The default
  engine is HiGHS's own Python API (``highspy``), in rounds: the linear relaxation by primal
  simplex, whose optimum is the answer, proven, when its x is integral; otherwise its duals,
  as prices on the points, bound what any choice opening (or leaving closed) each site can
  reach, and a choice found by local search close to the optimum shows most sites closed (some
  open) in every better choice: they are fixed so and the smaller problem solved again. Branch
  and bound runs only on what is left, started from that choice. Under a time limit, shared by
  all of it, the best choice found is returned with a true upper bound (the gap).
  ``engine="scipy"`` solves the whole model through ``scipy.optimize.milp`` (branch and bound
  only; benchmarks/ compares them).
- ``mclp_greedy``: for instances too large to solve exactly, the site with the largest gain
  each time; its bound is the tightest "value + the p largest remaining gains" seen on the way
  (coverage is submodular), so the gap it reports is a true upper bound on what it misses.
- ``lscp_exact``: the fewest sites that bring coverage to a target share of all demand.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
from django.utils.translation import gettext as _
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from nuanxin.core.errors import ApplicationError

DEFAULT_TIME_LIMIT_S = 60.0
ENGINES = ("highs", "scipy")


@dataclass
class _Solved:
    x: np.ndarray | None  # None when no feasible solution was found
    optimal: bool
    dual_bound: float  # of the minimisation, -inf when unknown
    row_dual: np.ndarray | None = None  # the relaxation's row duals (HiGHS's signs)


def _solve_highs(
    c: np.ndarray,
    matrix: sparse.spmatrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    n_integer: int,
    time_limit: float,
    start: np.ndarray | None = None,
    relaxation: bool = False,
    presolve: bool = True,
) -> _Solved:
    """min c.x over 0 <= x <= 1, row_lower <= matrix x <= row_upper, the first ``n_integer``
    variables integer, through highspy; ``start``: a feasible point to begin from.
    ``relaxation``: solve the linear relaxation only (no integrality), by primal simplex, and
    report its objective as ``dual_bound`` and its row duals. ``presolve``: HiGHS's own, off
    for a model that ``mclp_exact`` has already reduced by the same kind of argument."""
    a = sparse.csc_matrix(matrix, dtype=np.float64)
    a.sort_indices()
    n = len(c)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, a.shape[0]
    lp.col_cost_ = np.asarray(c, dtype=np.float64)
    lp.col_lower_, lp.col_upper_ = np.zeros(n), np.ones(n)
    inf = highspy.kHighsInf
    lp.row_lower_ = np.where(np.isfinite(row_lower), row_lower, -inf).astype(np.float64)
    lp.row_upper_ = np.where(np.isfinite(row_upper), row_upper, inf).astype(np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    if relaxation:
        # primal simplex: on these models ten to twenty times faster than HiGHS's default
        # dual simplex, which is also what its branch and bound uses for the root
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", 4)
        h.passModel(lp)
        h.run()
        solution = h.getSolution()
        x = np.asarray(solution.col_value, dtype=float)
        optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        objective = float(h.getInfo().objective_function_value)
        return _Solved(x if optimal and len(x) == n else None, optimal,
                       objective if optimal else -np.inf,
                       np.asarray(solution.row_dual, dtype=float))  # fmt: skip
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_integer + [
        highspy.HighsVarType.kContinuous
    ] * (n - n_integer)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("presolve", "on" if presolve else "off")
    h.passModel(lp)
    if start is not None:
        solution = highspy.HighsSolution()
        solution.value_valid = True
        solution.col_value = np.asarray(start, dtype=np.float64)
        h.setSolution(solution)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    x = np.asarray(h.getSolution().col_value, dtype=float)
    found = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    dual = float(info.mip_dual_bound)
    return _Solved(
        x if found and len(x) == n else None,
        status == highspy.HighsModelStatus.kOptimal,
        dual if np.isfinite(dual) and abs(dual) < inf else -np.inf,
    )


def _solve_scipy(
    c: np.ndarray,
    matrix: sparse.spmatrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    n_integer: int,
    time_limit: float,
) -> _Solved:
    n = len(c)
    res = milp(
        c,
        constraints=[LinearConstraint(matrix, row_lower, row_upper)],
        integrality=np.concatenate([np.ones(n_integer), np.zeros(n - n_integer)]),
        bounds=Bounds(0.0, 1.0),
        options={"time_limit": float(time_limit), "mip_rel_gap": 0.0, "disp": False},
    )
    dual = getattr(res, "mip_dual_bound", None)
    return _Solved(
        res.x,
        res.status == 0,
        float(dual) if dual is not None and np.isfinite(dual) else -np.inf,
    )


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise ApplicationError("coverage.bad_engine", _("求解引擎只能是 highs 或 scipy。"))


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


@dataclass
class _Reduced:
    """The MCLP model after two reductions that keep its optimum (``_reduce``)."""

    columns: np.ndarray  # the candidates kept, as indices of the full matrix
    a: sparse.csr_matrix  # rows reached by two or more kept candidates, over the kept ones
    w: np.ndarray  # those rows' weights
    own: np.ndarray  # per kept candidate: the weight only it reaches (folded into its cost)
    stand_in: np.ndarray  # per candidate of the full matrix: the kept one that covers its rows


def _reduce(a: sparse.csr_matrix, w: np.ndarray) -> _Reduced:
    """Two exact reductions of the maximal covering model over ``a`` (rows x candidates):

    - a candidate whose rows all lie within another's (the larger one, or the first of equal
      ones), or that reaches none, is dropped: any choice with it does at least as well with
      the other instead, so some optimum uses kept candidates only;
    - a row that one kept candidate alone reaches needs no variable: it is covered exactly
      when that candidate opens, so its weight joins the candidate's objective coefficient.

    Rows reached by the same kept candidates are merged again, as ``_uncovered_reach`` does."""
    col = sparse.csc_matrix(a, dtype=np.float64)
    n = col.shape[1]
    size = np.asarray(col.sum(axis=0)).ravel()
    shared = (col.T @ col).tocsr()  # shared[j, k]: rows j and k both reach
    key = size * (n + 1) + (n - np.arange(n))  # larger first, then the lower index
    stand_in = np.arange(n)
    for j in range(n):
        ks = shared.indices[shared.indptr[j] : shared.indptr[j + 1]]
        vs = shared.data[shared.indptr[j] : shared.indptr[j + 1]]
        within = ks[vs >= size[j]]  # the candidates that reach every row j reaches
        if len(within):
            stand_in[j] = within[np.argmax(key[within])]
    # a candidate that reaches none of these rows can only stand in for nothing: the best one
    # stands in for it (any kept one would do)
    stand_in[size == 0] = int(np.argmax(key))
    columns = np.flatnonzero(stand_in == np.arange(n))
    kept = sparse.csr_matrix(col[:, columns], dtype=bool)
    kept.sort_indices()
    reached = np.diff(kept.indptr)
    single = np.flatnonzero(reached == 1)
    own = np.bincount(kept.indices[kept.indptr[single]], weights=w[single], minlength=len(columns))
    rest = np.flatnonzero(reached > 1)
    merged, merged_w = _uncovered_reach(
        kept[rest], w[rest], np.zeros(len(rest), dtype=bool)
    ) if len(rest) else (sparse.csr_matrix((0, len(columns))), np.zeros(0))  # fmt: skip
    return _Reduced(columns, merged, merged_w, own, stand_in)


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


def _mclp_model(
    model: _Reduced, p: int
) -> tuple[np.ndarray, sparse.csr_matrix, np.ndarray, np.ndarray]:
    """The MIP over ``model`` for ``_solve_highs``: x (its kept candidates), then y (its rows);
    minimise -(own.x + w.y) subject to y <= a x and sum x <= p."""
    k, m = len(model.columns), model.a.shape[0]
    c = np.concatenate([-model.own, -model.w])
    matrix = sparse.vstack(
        [
            sparse.hstack([-model.a, sparse.identity(m, format="csr")], format="csr"),  # y <= Ax
            sparse.csr_matrix(np.concatenate([np.ones(k), np.zeros(m)])[None, :]),
        ],
        format="csr",
    )
    lower = np.concatenate([np.full(m, -np.inf), [0.0]])
    upper = np.concatenate([np.zeros(m), [float(p)]])
    return c, matrix, lower, upper


def _restrict(
    a: sparse.csc_matrix, w: np.ndarray, free: np.ndarray, opened: np.ndarray
) -> tuple[_Reduced, np.ndarray]:
    """The problem left when the candidates ``opened`` are open and only those in ``free``
    (sorted) may still open: the rows the open ones cover are gone and so are rows no free one
    reaches; then ``_reduce``. Returns the model and, per kept column, its candidate in ``a``."""
    left = np.ones(a.shape[0], dtype=bool)
    left[a[:, opened].indices] = False
    sub = sparse.csr_matrix(a[:, free])
    rows = np.flatnonzero(left & (np.diff(sub.indptr) > 0))
    model = _reduce(sub[rows], w[rows])
    return model, free[model.columns]


def _price_bounds(model: _Reduced, u: np.ndarray, p: int) -> tuple[float, np.ndarray, np.ndarray]:
    """Upper bounds on the model's value from prices 0 <= u <= w on its rows: overall, and per
    kept candidate for the choices that open it and for those that leave it closed.

    For a choice x of at most p sites and its coverage y, y_i <= (a x)_i gives
    own.x + w.y <= g.x + sum(w - u) with g = own + a'u >= 0, and the largest g.x over at most
    p sites is the sum of the p largest g; forcing a site open or closed changes which p are
    summed. That holds for any such u, so the bounds are sound whatever HiGHS's tolerances did
    to its duals; with the relaxation's duals the overall one is the relaxation's optimum."""
    g = model.own + model.a.T @ u
    rest = float((model.w - u).sum())
    order = np.argsort(-g, kind="stable")
    top = np.zeros(len(g), dtype=bool)
    top[order[:p]] = True
    last = g[order[min(p, len(g)) - 1]]  # the smallest of the p summed
    after = g[order[p]] if p < len(g) else 0.0  # the one that would take a closed one's place
    total = rest + float(g[top].sum())
    with_open = np.where(top, total, total - last + g)
    with_closed = np.where(top, total - g + after, total)
    return total, with_open, with_closed


def _improved_by_exchange(model: _Reduced, chosen: np.ndarray, p: int) -> np.ndarray:
    """``chosen`` (a mask over the model's candidates, at most p set) after local search: while
    opening one more (when fewer than p are open) or exchanging an open site for a closed one
    adds demand, the best such move. Every move's gain comes at once from how many open sites
    reach each row: an exchange of j for k loses what j alone reaches, except what k reaches."""
    a, w, own = model.a, model.w, model.own
    at = sparse.csr_matrix(a.T)
    chosen = chosen.copy()
    tol = 1e-9 * max(1.0, float(w.sum() + own.sum()))
    for _move in range(20 * p):
        count = a @ chosen.astype(np.float64)
        gain = np.where(chosen, -np.inf, own + at @ (w * (count == 0)))
        alone = w * (count == 1)
        open_ = np.flatnonzero(chosen)
        add = int(np.argmax(gain))
        add_gain = gain[add] if len(open_) < p else -np.inf
        swap_gain, out, into = -np.inf, -1, -1
        if len(open_):
            kept = (at[open_].multiply(alone[None, :]) @ a).toarray()
            delta = gain[None, :] - (own[open_] + at[open_] @ alone)[:, None] + kept
            i, into = np.unravel_index(int(np.argmax(delta)), delta.shape)
            swap_gain, out = delta[i, into], open_[i]
        if max(add_gain, swap_gain) <= tol:
            break
        if add_gain >= swap_gain:
            chosen[add] = True
        else:
            chosen[out], chosen[into] = False, True
    return chosen


@dataclass
class _Search:
    """``mclp_exact``'s state: the best choice found and an upper bound on the optimum; the
    candidates proven closed or open in every choice better than that best (``free`` the rest)."""

    a: sparse.csc_matrix
    w: np.ndarray
    p: int
    best: np.ndarray
    value: float
    bound: float
    free: np.ndarray
    opened: np.ndarray

    def offer(self, columns: np.ndarray, mask: np.ndarray) -> None:
        sites = np.concatenate([self.opened, columns[mask]]).astype(np.int64)
        value = covered_value(self.a, self.w, sites.tolist())
        if value > self.value and len(sites) <= self.p:
            self.best, self.value = np.sort(sites), value

    def best_in(self, model: _Reduced, columns: np.ndarray) -> np.ndarray:
        """The best choice as a mask over ``model``'s columns, each site in its stand-in's place
        (as good); ``model`` is ``_restrict(free, opened)``."""
        sites = np.setdiff1d(self.best, self.opened)
        pos = np.searchsorted(self.free, sites).clip(0, len(self.free) - 1)
        pos = pos[self.free[pos] == sites]
        mask = np.zeros(len(columns), dtype=bool)
        mask[np.searchsorted(model.columns, model.stand_in[pos])] = True
        return mask

    def proven(self) -> bool:
        return self.value >= self.bound - 1e-7 * max(1.0, abs(self.bound))


FIXING_ROUNDS = 6


def _left(deadline: float) -> float:
    # HiGHS refuses a negative time limit, keeping the one it had (none)
    return max(deadline - time.monotonic(), 1e-3)


def _mclp_highs(
    a: sparse.csr_matrix, w: np.ndarray, p: int, time_limit: float, greedy: SitingResult,
    extra: dict,
) -> SitingResult:  # fmt: skip
    """Rounds of: the relaxation of the problem left (primal simplex), its duals as prices
    (``_price_bounds``), better choices (local search from the best so far and from the
    relaxation rounded, and the best choice among the sites the relaxation uses), then every
    candidate whose bound shows it open or closed in every choice better than the best found is
    fixed so; branch and bound only on what is left, started from that best. Fixing removes
    only choices no better than one in hand, so the best of the two is optimal. The rounds and
    branch and bound share ``time_limit``; whatever stops them, ``bound`` stays a true bound."""
    deadline = time.monotonic() + time_limit
    a = sparse.csc_matrix(a)
    n = a.shape[1]
    tol = 1e-9 * max(1.0, float(w.sum()))
    search = _Search(a, w, p, np.sort(np.asarray(greedy.chosen, dtype=np.int64)), greedy.value,
                     greedy.bound, np.arange(n), np.zeros(0, dtype=np.int64))  # fmt: skip
    extra.update(fixed_closed=0, fixed_open=0, rounds=0)
    for round_ in range(FIXING_ROUNDS):
        model, columns = _restrict(a, w, search.free, search.opened)
        k, q, m = len(columns), p - len(search.opened), model.a.shape[0]
        if round_ == 0:
            extra.update(candidates_kept=k, rows=m)
        base = covered_value(a, w, search.opened.tolist())
        c, matrix, lower, upper = _mclp_model(model, q)
        relaxed = _solve_highs(c, matrix, lower, upper, k, _left(deadline), relaxation=True)
        if relaxed.x is None:
            break
        extra["rounds"] = round_ + 1
        xs = relaxed.x[:k]
        u = np.clip(-relaxed.row_dual[:m], 0.0, model.w)
        total, with_open, with_closed = _price_bounds(model, u, q)
        search.bound = min(search.bound, max(search.value, base + total))
        if np.all((xs < 1e-6) | (xs > 1 - 1e-6)):
            search.offer(columns, xs > 0.5)
            if search.proven():
                extra.update(
                    {"relaxation_integral": True} if round_ == 0 else {"proof": "relaxation"}
                )
                return _mclp_result(search, greedy, True, extra)
        rounded = np.zeros(k, dtype=bool)
        rounded[np.argsort(-xs, kind="stable")[:q]] = True
        starts = [search.best_in(model, columns), rounded]
        support = columns[xs > 1e-6]
        if round_ == 0 and len(support) > q:
            sub, sub_columns = _restrict(a, w, support, search.opened)
            sc, smatrix, slower, supper = _mclp_model(sub, q)
            limit = _left(deadline) / 5
            within = _solve_highs(sc, smatrix, slower, supper, len(sub_columns), limit)
            if within.x is not None:
                starts.append(np.isin(columns, sub_columns[within.x[: len(sub_columns)] > 0.5]))
        for start in starts:
            search.offer(columns, _improved_by_exchange(model, start, q))
        if search.proven():
            extra["proof"] = "bounds"
            return _mclp_result(search, greedy, True, extra)
        # the site bounds are of the model alone; ``base`` is what the open ones already cover
        margin = search.value - base - tol
        closed = with_open <= margin
        kept_open = ~closed & (with_closed <= margin)
        extra["fixed_closed"] += int(closed.sum())
        extra["fixed_open"] += int(kept_open.sum())
        search.opened = np.union1d(search.opened, columns[kept_open])
        search.free = columns[~closed & ~kept_open]
        if len(search.free) == 0 or len(search.opened) >= p:
            extra["proof"] = "bounds"  # nothing is left that could do better than the best
            search.bound = search.value
            return _mclp_result(search, greedy, True, extra)
        if closed.sum() + kept_open.sum() < 0.05 * k:
            break
    extra["incumbent"] = search.value
    remaining = deadline - time.monotonic()
    if remaining > 0:
        model, columns = _restrict(a, w, search.free, search.opened)
        k, q = len(columns), p - len(search.opened)
        base = covered_value(a, w, search.opened.tolist())
        c, matrix, lower, upper = _mclp_model(model, q)
        x0 = np.zeros(len(c))
        x0[:k] = start = search.best_in(model, columns)
        x0[k:] = np.minimum(1.0, model.a @ x0[:k])
        # without presolve: on the benchmark instance it found nothing to remove and, fixing by
        # reduced costs and restarting over and over, took five times as long
        solved = _solve_highs(c, matrix, lower, upper, k, remaining,
                              start=x0 if start.sum() <= q else None, presolve=False)  # fmt: skip
        if solved.x is not None:
            search.offer(columns, solved.x[:k] > 0.5)
        if solved.optimal:
            extra["proof"] = "branch_and_bound"
            search.bound = search.value
            return _mclp_result(search, greedy, True, extra)
        search.bound = min(search.bound, max(search.value, base - solved.dual_bound))
    return _mclp_result(search, greedy, search.proven(), extra)


def _mclp_result(search: _Search, greedy: SitingResult, optimal: bool, extra: dict) -> SitingResult:
    if optimal:
        order, gains = order_by_gain(search.a, search.w, search.best.tolist())
        return SitingResult(
            "mclp_exact", order, gains, search.value, search.value, True, "optimal", extra
        )
    bound = max(search.bound, search.value)
    if search.value <= greedy.value:  # nothing beat the greedy choice before time ran out
        return SitingResult(
            "mclp_exact", greedy.chosen, greedy.gains, greedy.value, bound, False,
            "time_limit_greedy", extra,
        )  # fmt: skip
    order, gains = order_by_gain(search.a, search.w, search.best.tolist())
    return SitingResult("mclp_exact", order, gains, search.value, bound, False, "time_limit", extra)


def mclp_exact(
    reach: sparse.spmatrix,
    weights: np.ndarray,
    covered: np.ndarray,
    p: int,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT_S,
    engine: str = "highs",
) -> SitingResult:
    n_cand = reach.shape[1]
    _check_p(p, n_cand)
    _check_engine(engine)
    a, w = _uncovered_reach(
        reach, np.asarray(weights, dtype=float), np.asarray(covered, dtype=bool)
    )
    if a.shape[0] == 0:
        return SitingResult("mclp_exact", [], [], 0.0, 0.0, True, "nothing_to_cover")
    greedy = mclp_greedy(reach, weights, covered, p)
    extra = {"engine": engine}
    if engine == "highs":
        return _mclp_highs(a, w, p, time_limit, greedy, extra)
    model = _reduce(a, w)
    k = len(model.columns)
    extra.update(candidates_kept=k, rows=model.a.shape[0])
    solved = _solve_scipy(*_mclp_model(model, p), k, time_limit)
    if solved.x is None:
        raise ApplicationError(
            "coverage.solver_failed", _("求解器未能在时限内找到方案，请放宽时限或减少候选站址。")
        )
    chosen = [int(model.columns[j]) for j in range(k) if solved.x[j] > 0.5]
    value = covered_value(a, w, chosen)
    if solved.optimal:
        order, gains = order_by_gain(a, w, chosen)
        return SitingResult("mclp_exact", order, gains, value, value, True, "optimal", extra)
    # Stopped by the time limit: HiGHS's dual bound still bounds the optimum; the greedy
    # choice may beat its incumbent, and its own bound may be tighter. Keep the best of both.
    bound = -solved.dual_bound if np.isfinite(solved.dual_bound) else float(w.sum())
    bound = max(min(bound, greedy.bound), value, greedy.value)
    if greedy.value > value:
        return SitingResult(
            "mclp_exact", greedy.chosen, greedy.gains, greedy.value, bound, False,
            "time_limit_greedy", extra,
        )  # fmt: skip
    order, gains = order_by_gain(a, w, chosen)
    return SitingResult("mclp_exact", order, gains, value, bound, False, "time_limit", extra)


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
    matrix = sparse.vstack(
        [
            sparse.hstack([-a, sparse.identity(r, format="csr")], format="csr"),
            sparse.csr_matrix(np.concatenate([np.zeros(n_cand), w])[None, :]),
        ],
        format="csr",
    )
    # a hair below ``need``: the sum of float weights must not make an exact target fail
    lower = np.concatenate([np.full(r, -np.inf), [need - 1e-9 * max(1.0, total)]])
    upper = np.concatenate([np.zeros(r), [np.inf]])
    solved = _solve_highs(c, matrix, lower, upper, n_cand, time_limit)
    if solved.x is None:
        raise ApplicationError(
            "coverage.solver_failed", _("求解器未能在时限内找到方案，请放宽时限或减少候选站址。")
        )
    chosen = [j for j in range(n_cand) if solved.x[j] > 0.5]
    order, gains = order_by_gain(a, w, chosen)
    value = covered_value(a, w, chosen)
    optimal = solved.optimal
    status = "optimal" if optimal else "time_limit"
    return SitingResult(
        "lscp_exact", order, gains, value, value, optimal, status, extra={"sites": len(chosen)}
    )
