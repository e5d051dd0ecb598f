"""Siting: the exact MCLP equals brute force, its bounds hold, and hold when time runs out; the
greedy bound holds; LSCP is minimal."""

import itertools

import numpy as np
import pytest
from scipy import sparse

from nuanxin.core.errors import ApplicationError
from nuanxin.coverage import siting
from nuanxin.coverage.siting import (
    _improved_by_exchange,
    _price_bounds,
    _reduce,
    _uncovered_reach,
    covered_value,
    lscp_exact,
    mclp_brute_force,
    mclp_exact,
    mclp_greedy,
)


def _instance(seed, points=40, candidates=12, density=0.15):
    rng = np.random.default_rng(seed)
    reach = sparse.csr_matrix(rng.random((points, candidates)) < density)
    weights = rng.integers(1, 50, size=points).astype(float)
    covered = rng.random(points) < 0.2
    return reach, weights, covered


@pytest.mark.parametrize("engine", ["highs", "scipy"])
@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("p", [1, 2, 3, 4])
def test_mclp_exact__equals_brute_force(seed, p, engine):
    reach, weights, covered = _instance(seed)
    best, _combo = mclp_brute_force(reach, weights, covered, p)
    result = mclp_exact(reach, weights, covered, p, engine=engine)
    assert result.optimal and result.gap == 0
    assert result.value == pytest.approx(best)
    assert len(result.chosen) <= p
    # the gains of the chosen sites add up to the value, largest first
    assert sum(result.gains) == pytest.approx(result.value)
    assert result.gains == sorted(result.gains, reverse=True)


def _nested_instance(seed):
    """Candidates 0-5 at random; 6-8 reach part of what 0-2 reach; 9 is 3 again; 10 reaches
    nothing; and points that one candidate alone reaches: every reduction of ``mclp_exact``
    applies."""
    rng = np.random.default_rng(seed)
    base = rng.random((40, 6)) < 0.25
    part = base[:, :3] & (rng.random((40, 3)) < 0.6)
    reach = np.hstack([base, part, base[:, 3:4], np.zeros((40, 1), dtype=bool)])
    weights = rng.integers(1, 50, size=40).astype(float)
    return sparse.csr_matrix(reach), weights, rng.random(40) < 0.1


@pytest.mark.parametrize("engine", ["highs", "scipy"])
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("p", [1, 2, 3, 5])
def test_mclp_exact__with_nested_and_equal_candidates__still_equals_brute_force(seed, p, engine):
    reach, weights, covered = _nested_instance(seed)
    best, _combo = mclp_brute_force(reach, weights, covered, p)
    result = mclp_exact(reach, weights, covered, p, engine=engine)
    assert result.optimal and result.value == pytest.approx(best)
    assert len(result.chosen) <= p and sum(result.gains) == pytest.approx(result.value)
    # the nested ones (6-8), the copy (9) and the useless one (10) are left out of the model
    assert result.extra["candidates_kept"] <= 6
    assert not set(result.chosen) & {6, 7, 8, 9, 10}


@pytest.mark.parametrize("seed", range(8))
def test_mclp_greedy__never_beats_the_optimum_and_its_bound_holds(seed):
    reach, weights, covered = _instance(seed, points=60, candidates=15, density=0.2)
    for p in (2, 4):
        best, _ = mclp_brute_force(reach, weights, covered, p)
        greedy = mclp_greedy(reach, weights, covered, p)
        assert greedy.value <= best + 1e-9
        assert greedy.bound >= best - 1e-9
        assert greedy.value >= (1 - 1 / np.e) * best - 1e-9


def test_mclp_exact__unknown_engine__refused():
    reach, weights, covered = _instance(0)
    with pytest.raises(ApplicationError) as caught:
        mclp_exact(reach, weights, covered, 2, engine="cplex")
    assert caught.value.code == "coverage.bad_engine"


def test_mclp__existing_coverage_counts_for_nothing_new():
    reach = sparse.csr_matrix(np.array([[1, 0], [1, 0], [0, 1]], dtype=bool))
    weights = np.array([10.0, 10.0, 5.0])
    covered = np.array([True, True, False])
    result = mclp_exact(reach, weights, covered, 1)
    assert result.chosen == [1] and result.value == 5.0


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("target", [0.4, 0.6, 0.75])
def test_lscp_exact__is_the_fewest_sites_that_reach_the_target(seed, target):
    reach, weights, covered = _instance(seed, points=30, candidates=10, density=0.25)
    total, already = weights.sum(), weights[covered].sum()
    a = reach.tocsr()
    uncovered = ~covered

    def reaches(sites):
        hit = (
            np.asarray(a[:, list(sites)].sum(axis=1)).ravel() > 0
            if sites
            else np.zeros(len(weights), bool)
        )
        return already + weights[hit & uncovered].sum() >= target * total - 1e-9

    fewest = next(
        (k for k in range(11) if any(reaches(c) for c in itertools.combinations(range(10), k))),
        None,
    )
    if fewest is None:
        with pytest.raises(ApplicationError) as caught:
            lscp_exact(reach, weights, covered, target)
        assert caught.value.code == "coverage.target_unreachable"
        return
    result = lscp_exact(reach, weights, covered, target)
    assert len(result.chosen) == fewest
    assert reaches(result.chosen)


def test_lscp__a_target_already_met_needs_no_station():
    reach = sparse.csr_matrix(np.eye(3, dtype=bool))
    result = lscp_exact(reach, np.ones(3), np.array([True, True, False]), 0.5)
    assert result.chosen == [] and result.status == "already_met"


def test_siting__bad_inputs_have_codes():
    reach = sparse.csr_matrix(np.eye(3, dtype=bool))
    with pytest.raises(ApplicationError) as caught:
        mclp_exact(reach, np.ones(3), np.zeros(3, bool), 0)
    assert caught.value.code == "coverage.bad_p"
    with pytest.raises(ApplicationError) as caught:
        lscp_exact(reach, np.ones(3), np.zeros(3, bool), 1.5)
    assert caught.value.code == "coverage.bad_target"


def test_covered_value__counts_each_point_once():
    a = sparse.csr_matrix(np.array([[1, 1], [0, 1]], dtype=float))
    assert covered_value(a, np.array([3.0, 4.0]), [0, 1]) == 7.0


def test_mclp_exact__integral_relaxation__is_taken_as_proven_optimal():
    # three separate groups of points, each reached by one candidate: the linear relaxation
    # already chooses whole sites, so no branch and bound is needed
    reach = sparse.csr_matrix(np.kron(np.eye(3, dtype=bool), np.ones((4, 1), dtype=bool)))
    weights = np.array([1, 2, 3, 4, 5, 5, 5, 5, 9, 9, 9, 9], dtype=float)
    result = mclp_exact(reach, weights, np.zeros(12, dtype=bool), 2)
    assert result.optimal and result.gap == 0 and result.status == "optimal"
    assert result.extra.get("relaxation_integral") is True
    assert result.chosen == [2, 1] and result.value == 56


def test_mclp_exact__fractional_relaxation__falls_back_to_branch_and_bound():
    # four candidates, one point on each pair of them (the edges of K4), p = 2: the relaxation
    # opens every site by half and covers all six points; the best two sites cover five
    pairs = list(itertools.combinations(range(4), 2))
    dense = np.zeros((len(pairs), 4), dtype=bool)
    for i, (j, k) in enumerate(pairs):
        dense[i, [j, k]] = True
    reach, weights = sparse.csr_matrix(dense), np.ones(len(pairs))
    result = mclp_exact(reach, weights, np.zeros(len(pairs), dtype=bool), 2)
    assert "relaxation_integral" not in result.extra
    assert result.optimal and result.gap == 0 and result.value == 5
    assert result.value == mclp_brute_force(reach, weights, np.zeros(len(pairs), dtype=bool), 2)[0]


def test_mclp_exact__both_ways_to_optimality__agree_with_brute_force_on_random_instances():
    shortcut = fallback = 0
    for seed in range(30):
        reach, weights, covered = _instance(seed, points=30, candidates=10, density=0.3)
        for p in (2, 3):
            best, _ = mclp_brute_force(reach, weights, covered, p)
            result = mclp_exact(reach, weights, covered, p)
            assert result.optimal and result.gap == 0
            assert result.value == pytest.approx(best)
            # the chosen sites really cover that much of the demand not yet covered
            hit = np.asarray(reach[:, result.chosen].sum(axis=1)).ravel() > 0
            assert weights[hit & ~covered].sum() == pytest.approx(best)
            if result.extra.get("relaxation_integral"):
                shortcut += 1
            else:
                fallback += 1
    # both paths are exercised by these instances
    assert shortcut and fallback


def _model_value(model, sites):
    """The value of opening ``sites`` (kept columns) in a reduced model, counted directly."""
    if not sites:
        return 0.0
    hit = np.asarray(model.a[:, list(sites)].sum(axis=1)).ravel() > 0
    return float(model.own[list(sites)].sum() + model.w[hit].sum())


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("p", [1, 2, 4])
def test_price_bounds__hold_for_any_prices_with_a_site_open_or_closed(seed, p):
    reach, weights, covered = _instance(seed, points=30, candidates=9, density=0.3)
    a, w = _uncovered_reach(reach, weights, covered)
    model = _reduce(a, w)
    k = len(model.columns)
    rng = np.random.default_rng(seed)
    # any prices between 0 and the weights, not only the relaxation's duals
    for u in (np.zeros(len(model.w)), model.w.copy(), rng.random(len(model.w)) * model.w):
        total, with_open, with_closed = _price_bounds(model, u, p)
        choices = [c for r in range(min(p, k) + 1) for c in itertools.combinations(range(k), r)]
        values = {c: _model_value(model, c) for c in choices}
        assert total >= max(values.values()) - 1e-9
        for j in range(k):
            assert with_open[j] >= max(v for c, v in values.items() if j in c) - 1e-9
            assert with_closed[j] >= max(v for c, v in values.items() if j not in c) - 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_improved_by_exchange__no_worse_and_no_single_exchange_improves_it(seed):
    reach, weights, covered = _instance(seed, points=40, candidates=10, density=0.25)
    model = _reduce(*_uncovered_reach(reach, weights, covered))
    k, p = len(model.columns), 3
    for start in (np.zeros(k, dtype=bool), np.arange(k) < min(p, k)):
        found = _improved_by_exchange(model, start, p)
        sites = set(np.flatnonzero(found).tolist())
        value = _model_value(model, sites)
        assert len(sites) <= p
        assert value >= _model_value(model, np.flatnonzero(start).tolist()) - 1e-9
        moves = [sites | {j} for j in range(k) if len(sites) < p] + [
            (sites - {i}) | {j} for i in sites for j in range(k) if j not in sites
        ]
        assert all(_model_value(model, m) <= value + 1e-9 for m in moves)


def _tied_instance(seed, unit):
    rng = np.random.default_rng(seed)
    reach = sparse.csr_matrix(rng.random((40, 12)) < 0.3)
    weights = np.ones(40) if unit else rng.integers(1, 50, size=40).astype(float)
    return reach, weights, rng.random(40) < 0.2


def test_mclp_exact__fixing_sites_by_bounds__equals_brute_force_with_ties_and_large_p():
    # unit weights make many choices tie; p up to every candidate but one
    paths, fixed_closed, fixed_open = set(), 0, 0
    for seed in range(24):
        for unit in (False, True):
            reach, weights, covered = _tied_instance(seed, unit)
            for p in (3, 4, 10, 11):
                best, _combo = mclp_brute_force(reach, weights, covered, p)
                result = mclp_exact(reach, weights, covered, p)
                assert result.optimal and result.gap == 0 and result.bound == result.value
                assert result.value == pytest.approx(best) and len(result.chosen) <= p
                hit = np.asarray(reach[:, result.chosen].sum(axis=1)).ravel() > 0
                assert weights[hit & ~covered].sum() == pytest.approx(best)
                paths.add(result.extra.get("proof", "relaxation_integral"))
                fixed_closed += result.extra["fixed_closed"]
                fixed_open += result.extra["fixed_open"]
    # sites were fixed both ways, and every way of proving the optimum was taken
    assert fixed_closed and fixed_open
    assert paths == {"relaxation_integral", "bounds", "branch_and_bound"}


def test_mclp_exact__time_limit_in_branch_and_bound__reports_a_true_bound(monkeypatch):
    reach, weights, covered = _instance(3, points=300, candidates=60, density=0.06)
    exact = mclp_exact(reach, weights, covered, 8)
    assert exact.optimal
    real = siting._solve_highs

    def stopped_at_once(*args, **kwargs):
        if kwargs.get("relaxation") or kwargs.get("start") is None:
            return real(*args, **kwargs)
        # branch and bound stopped before it proved anything
        return siting._Solved(None, False, -np.inf)

    monkeypatch.setattr(siting, "_solve_highs", stopped_at_once)
    stopped = mclp_exact(reach, weights, covered, 8)
    if stopped.optimal:  # settled before branch and bound: then it must be the optimum
        assert stopped.value == pytest.approx(exact.value)
        return
    assert stopped.status in ("time_limit", "time_limit_greedy")
    assert stopped.value <= exact.value + 1e-9 <= stopped.bound + 2e-9
    assert stopped.gap == pytest.approx((stopped.bound - stopped.value) / stopped.bound)
    assert covered_value(*_uncovered_reach(reach, weights, covered), stopped.chosen) == (
        pytest.approx(stopped.value)
    )


def test_mclp_exact__no_time_for_the_relaxation__returns_the_greedy_choice_and_its_bound():
    reach, weights, covered = _instance(3, points=300, candidates=60, density=0.06)
    exact = mclp_exact(reach, weights, covered, 8)
    rushed = mclp_exact(reach, weights, covered, 8, time_limit=1e-9)
    assert rushed.value <= exact.value + 1e-9 <= rushed.bound + 2e-9
    if not rushed.optimal:
        assert rushed.status in ("time_limit", "time_limit_greedy") and rushed.gap > 0
