"""Travel times to the nearest of 500 stations: one multi-source pass against its peers.

On generated street grids of 10k, 100k and 1M nodes (jittered, 15 km/h e-bike, every fifth
street one-way) with 500 stations and 200,000 demand points at random, in the same run:

* ``one_pass``: ``routing.nearest_times`` — snap with a KD-tree, then one scipy Dijkstra from
  500 virtual source nodes (``min_only=True``) over the reversed graph;
* ``per_station``: the same graph, one scipy Dijkstra per station and a running minimum (what
  a tool without multi-source search does); on the 1M graph timed on 25 stations and scaled;
* ``networkx``: ``nx.multi_source_dijkstra_path_length`` on the same reversed graph with the
  same virtual sources (the best networkx offers), on the 10k graph only; its times must equal
  ours at every demand point, and so must per_station's.

* ``pandana``: Pandana's contraction hierarchies on the same directed graph (10k only: its
  build alone outlasts our 1M-node query), stations placed on their nodes for it (Pandana snaps
  points to nodes and adds nothing for the way there): build time, query time, and the largest
  difference from ours.

Then the maximal covering problem on the 100k graph: 2,000 candidate sites, the demand points
(20,000 of them) and p = 20 and 50, on one cost matrix: ``siting.mclp_exact`` with HiGHS's own
API (highspy: the linear relaxation by primal simplex; when it is fractional, sites fixed by
its duals and a local-search choice, branch and bound on the rest), the whole model through
scipy.optimize.milp, the greedy method, and spopt's MCLP (PuLP with CBC) given the same matrix
(the uncovered points, merged as ``mclp_exact`` merges them, and the 2,000 candidates); the
exact objectives must agree. And the import of a 100k-node OpenStreetMap file written with
osmium. Memory is the peak of Python-tracked allocations (numpy registers its arrays with
tracemalloc) during the call.

Run: ``uv run python benchmarks/bench_coverage.py`` (or ``benchmarks/run.py coverage``).
Sizes: ``BENCH_COVERAGE_SIZES=10000,100000``; parts: ``BENCH_COVERAGE_PARTS=sizes,mclp,import``;
solver time limit ``BENCH_MCLP_LIMIT_S`` (300 by default, the same for every solver).
"""

import math
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuanxin.settings")
os.environ.setdefault("NUANXIN_DATA_DIR", tempfile.mkdtemp(prefix="bench-coverage-"))

import django

django.setup()

from scipy.sparse.csgraph import dijkstra  # noqa: E402

from nuanxin.coverage.network import (  # noqa: E402
    MIN_EDGE_SECONDS,
    ModeGraph,
    RoadNetwork,
    csr_from_edges,
    haversine_m,
)
from nuanxin.coverage.routing import (  # noqa: E402
    nearest_times,
    reach_matrix,
    straight_seconds,
    with_sources,
)
from nuanxin.coverage.siting import (  # noqa: E402
    _uncovered_reach,
    covered_value,
    mclp_exact,
    mclp_greedy,
)

STATIONS = 500
POINTS = 200_000
LON0, LAT0 = 110.0, 21.0
STEP_M = 120.0
SPEED = 15 / 3.6


def grid_network(nodes: int, seed: int = 1) -> RoadNetwork:
    rng = np.random.default_rng(seed)
    side = math.ceil(math.sqrt(nodes))
    dlat = STEP_M / 111_320
    dlon = dlat / math.cos(math.radians(LAT0))
    r, c = np.divmod(np.arange(side * side), side)
    lons = LON0 + c * dlon + rng.uniform(-dlon / 5, dlon / 5, side * side)
    lats = LAT0 + r * dlat + rng.uniform(-dlat / 5, dlat / 5, side * side)
    idx = np.arange(side * side).reshape(side, side)
    tails, heads = [], []
    for a, b, oneway_of in (
        (idx[:, :-1], idx[:, 1:], lambda: np.repeat(np.arange(side) % 5 == 1, side - 1)),
        (idx[:-1, :], idx[1:, :], lambda: np.tile(np.arange(side) % 5 == 3, side - 1)),
    ):
        a, b = a.ravel(), b.ravel()
        oneway = oneway_of()
        tails += [a, b[~oneway]]
        heads += [b, a[~oneway]]
    t, h = np.concatenate(tails), np.concatenate(heads)
    seconds = haversine_m(lons[t], lats[t], lons[h], lats[h]) / SPEED
    graph = csr_from_edges(side * side, t, h, seconds)
    return RoadNetwork(lons=lons, lats=lats, graphs={"ride": ModeGraph(graph)})


def random_points(network: RoadNetwork, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (
        rng.uniform(network.lons.min(), network.lons.max(), n),
        rng.uniform(network.lats.min(), network.lats.max(), n),
    )


def measured(call):
    tracemalloc.start()
    started = time.perf_counter()
    value = call()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return value, seconds, peak / 2**20


def per_station(network, s_lons, s_lats, p_lons, p_lats, limit=None):
    graph = network.graphs["ride"].backward
    s_node, s_m = network.snap(s_lons, s_lats, "ride")
    p_node, p_m = network.snap(p_lons, p_lats, "ride")
    best = np.full(network.nodes, np.inf)
    for node, offset in list(zip(s_node, straight_seconds(s_m, "ride"), strict=True))[:limit]:
        dist = dijkstra(graph, directed=True, indices=int(node))
        np.minimum(best, dist + offset, out=best)
    return best[p_node] + straight_seconds(p_m, "ride")


def networkx_times(network, s_lons, s_lats, p_lons, p_lats):
    import networkx as nx

    graph = network.graphs["ride"].backward
    s_node, s_m = network.snap(s_lons, s_lats, "ride")
    p_node, p_m = network.snap(p_lons, p_lats, "ride")
    augmented = with_sources(graph, s_node, straight_seconds(s_m, "ride")).tocoo()
    g = nx.DiGraph()
    g.add_weighted_edges_from(
        zip(augmented.row.tolist(), augmented.col.tolist(), augmented.data.tolist(), strict=True)
    )
    sources = list(range(network.nodes, network.nodes + len(s_node)))
    lengths = nx.multi_source_dijkstra_path_length(g, sources)
    node_times = np.array([lengths.get(i, np.inf) for i in range(network.nodes)]) - MIN_EDGE_SECONDS
    return node_times[p_node] + straight_seconds(p_m, "ride")


def bench_size(nodes: int) -> dict:
    network = grid_network(nodes)
    s_lons, s_lats = random_points(network, STATIONS, 2)
    p_lons, p_lats = random_points(network, POINTS, 3)
    row = {"nodes": network.nodes, "edges": network.graphs["ride"].edges}
    _ = network.graphs["ride"].backward  # built once, as the loaded network keeps it
    network.snap([LON0], [LAT0], "ride")
    ours, row["one_pass_s"], row["one_pass_peak_mb"] = measured(
        lambda: nearest_times(network, "ride", p_lons, p_lats, s_lons, s_lats)
    )
    limit = None if nodes <= 100_000 else 25
    theirs, seconds, _peak = measured(
        lambda: per_station(network, s_lons, s_lats, p_lons, p_lats, limit)
    )
    row["per_station_s"] = seconds * (STATIONS / limit if limit else 1)
    row["per_station_estimated"] = bool(limit)
    if not limit:
        row["per_station_max_diff_s"] = float(
            np.nanmax(np.abs(np.where(np.isinf(ours.seconds), 0, ours.seconds - theirs)))
        )
    row["per_station_ratio"] = row["per_station_s"] / row["one_pass_s"]
    if nodes <= 10_000:
        ref, row["networkx_s"], row["networkx_peak_mb"] = measured(
            lambda: networkx_times(network, s_lons, s_lats, p_lons, p_lats)
        )
        finite = np.isfinite(ref)
        assert np.array_equal(finite, np.isfinite(ours.seconds))
        row["networkx_max_diff_s"] = float(np.max(np.abs(ref[finite] - ours.seconds[finite])))
        assert row["networkx_max_diff_s"] < 1e-6, row
        row["networkx_ratio"] = row["networkx_s"] / row["one_pass_s"]
    if nodes <= 10_000:
        row.update(pandana_row(network, s_lons, s_lats, p_lons, p_lats))
    return row


def pandana_row(network, s_lons, s_lats, p_lons, p_lats) -> dict:
    """Pandana on the same directed graph, stations on their nodes; ours computed alike."""
    import pandana
    import pandas as pd

    s_node, _m = network.snap(s_lons, s_lats, "ride")
    on_lons, on_lats = network.lons[s_node], network.lats[s_node]
    ours = nearest_times(network, "ride", p_lons, p_lats, on_lons, on_lats).seconds
    g = network.graphs["ride"].forward.tocoo()
    ids = pd.RangeIndex(network.nodes)

    def build():
        return pandana.Network(
            pd.Series(network.lons, index=ids), pd.Series(network.lats, index=ids),
            pd.Series(g.row), pd.Series(g.col), pd.DataFrame({"seconds": g.data}),
            twoway=False,
        )  # fmt: skip

    net, build_s, build_mb = measured(build)
    limit = 4 * 3600.0

    def query():
        net.set_pois("stations", limit, 1, pd.Series(on_lons), pd.Series(on_lats))
        return net.nearest_pois(limit, "stations", num_pois=1)[1].to_numpy()

    node_s, query_s, query_mb = measured(query)
    p_node, p_m = network.snap(p_lons, p_lats, "ride")
    theirs = node_s[p_node] + straight_seconds(p_m, "ride")
    finite = np.isfinite(ours) & (theirs < limit)
    return {
        "pandana_build_s": build_s, "pandana_query_s": query_s,
        "pandana_peak_mb": max(build_mb, query_mb),
        "pandana_max_diff_s": float(np.max(np.abs(theirs[finite] - ours[finite]))),
        "pandana_points_compared": int(finite.sum()),
    }  # fmt: skip


def spopt_mclp(a, w, p: int, time_limit: float) -> tuple[float, float, float]:
    """spopt's MCLP on the same (merged) matrix: its value, model build and solve seconds."""
    import pulp
    from spopt.locate import MCLP

    cost = np.where(a.toarray() > 0, 0.0, 2.0)
    started = time.perf_counter()
    model = MCLP.from_cost_matrix(cost, w, service_radius=1.0, p_facilities=p)
    built = time.perf_counter()
    model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit))
    solved = time.perf_counter()
    chosen = [j for j in range(a.shape[1]) if (model.fac_vars[j].value() or 0) > 0.5]
    return covered_value(a, w, chosen), built - started, solved - built


def bench_mclp() -> list[dict]:
    limit = float(os.environ.get("BENCH_MCLP_LIMIT_S", "300"))
    network = grid_network(100_000, seed=5)
    s_lons, s_lats = random_points(network, 60, 6)
    p_lons, p_lats = random_points(network, 20_000, 7)
    c_lons, c_lats = random_points(network, 2_000, 8)
    weights = np.random.default_rng(9).integers(1, 50, len(p_lons)).astype(float)
    covered = nearest_times(network, "ride", p_lons, p_lats, s_lons, s_lats).seconds <= 600
    reach, reach_s, _ = measured(
        lambda: reach_matrix(network, "ride", p_lons, p_lats, c_lons, c_lats, 600)
    )
    a, w = _uncovered_reach(reach, weights, covered)
    rows = []
    for p in (20, 50):
        row = {"p": p, "reach_matrix_s": reach_s, "rows": a.shape[0], "limit_s": limit}
        for engine in ("highs", "scipy"):
            exact, seconds, _ = measured(
                lambda p=p, engine=engine: mclp_exact(
                    reach, weights, covered, p, time_limit=limit, engine=engine
                )
            )
            row[engine] = {"s": seconds, "value": exact.value, "gap": exact.gap,
                           "optimal": exact.optimal, "status": exact.status,
                           "extra": exact.extra}  # fmt: skip
        greedy, greedy_s, _ = measured(lambda p=p: mclp_greedy(reach, weights, covered, p))
        row["greedy"] = {"s": greedy_s, "value": greedy.value, "gap": greedy.gap}
        value, build_s, solve_s = spopt_mclp(a, w, p, limit)
        row["spopt"] = {"value": value, "build_s": build_s, "solve_s": solve_s,
                        "s": build_s + solve_s}  # fmt: skip
        row["same_objective"] = bool(
            row["highs"]["optimal"] and abs(value - row["highs"]["value"]) < 1e-6
        )
        row["spopt_over_highs"] = row["spopt"]["s"] / row["highs"]["s"]
        rows.append(row)
        print_mclp(row)
    return rows


def print_mclp(row: dict) -> None:
    def one(name: str) -> str:
        r = row[name]
        state = "optimal" if r.get("optimal") else f"gap {r.get('gap', float('nan')):.4f}"
        return f"{name} {r['s']:.1f} s value {r['value']:.0f} ({state})"

    sp = row["spopt"]
    how = row["highs"]["extra"]
    print(
        f"MCLP p={row['p']} highs: {how.get('rounds', 0)} relaxation round(s), sites fixed "
        f"closed {how.get('fixed_closed', 0)} open {how.get('fixed_open', 0)}, proof "
        f"{'relaxation integral' if how.get('relaxation_integral') else how.get('proof', '-')}",
        flush=True,
    )
    print(
        f"MCLP p={row['p']} ({row['rows']} rows, reach matrix {row['reach_matrix_s']:.1f} s, "
        f"limit {row['limit_s']:.0f} s): {one('highs')}; {one('scipy')}; "
        f"greedy {row['greedy']['s']:.2f} s value {row['greedy']['value']:.0f} "
        f"(bound gap {row['greedy']['gap']:.4f}); spopt/PuLP-CBC {sp['s']:.1f} s "
        f"(model {sp['build_s']:.1f} s) value {sp['value']:.0f}; same objective: "
        f"{row['same_objective']}; spopt / highs = {row['spopt_over_highs']:.1f}",
        flush=True,
    )


def bench_import() -> dict:
    import osmium
    from osmium.osm.mutable import Node, Way

    from nuanxin.coverage.osm_import import network_from_osm

    network = grid_network(100_000, seed=11)
    side = int(math.sqrt(network.nodes))
    path = Path(tempfile.mkdtemp()) / "grid.osm.pbf"
    writer = osmium.SimpleWriter(str(path))
    for i in range(network.nodes):
        writer.add_node(
            Node(
                id=i + 1,
                location=(round(float(network.lons[i]), 7), round(float(network.lats[i]), 7)),
                version=1,
            )
        )
    way = 1
    for r in range(side):
        writer.add_way(
            Way(
                id=way,
                nodes=[r * side + c + 1 for c in range(side)],
                tags={"highway": "residential"},
                version=1,
            )
        )
        way += 1
    for c in range(side):
        writer.add_way(
            Way(
                id=way,
                nodes=[r * side + c + 1 for r in range(side)],
                tags={"highway": "residential"},
                version=1,
            )
        )
        way += 1
    writer.close()
    (_net, summary), seconds, peak = measured(lambda: network_from_osm(path))
    return {"nodes": summary.nodes, "seconds": seconds, "peak_mb": peak}


def main() -> dict:
    sizes = os.environ.get("BENCH_COVERAGE_SIZES", "10000,100000,1000000").split(",")
    parts = os.environ.get("BENCH_COVERAGE_PARTS", "sizes,mclp,import").split(",")
    figures: dict = {"sizes": []}
    if "sizes" in parts:
        head = ("nodes", "one pass s", "MB", "per-station s", "ratio", "networkx s", "ratio")
        print("{:>9} {:>10} {:>6} {:>14} {:>7} {:>10} {:>7}".format(*head))
        for nodes in sizes:
            row = bench_size(int(nodes))
            figures["sizes"].append(row)
            per = ("~" if row["per_station_estimated"] else "") + f"{row['per_station_s']:.1f}"
            cells = [row["nodes"], f"{row['one_pass_s']:.2f}", f"{row['one_pass_peak_mb']:.0f}",
                     per, f"{row['per_station_ratio']:.1f}"]  # fmt: skip
            if "networkx_s" in row:
                cells += [f"{row['networkx_s']:.2f}", f"{row['networkx_ratio']:.1f}"]
            print(
                " ".join(f"{c:>{w}}" for c, w in zip(cells, (9, 10, 6, 14, 7, 10, 7), strict=False))
            )
            if "pandana_query_s" in row:
                print(
                    f"{'':>9} pandana: build {row['pandana_build_s']:.2f} s, query "
                    f"{row['pandana_query_s']:.2f} s, {row['pandana_peak_mb']:.0f} MB, largest "
                    f"difference {row['pandana_max_diff_s']:.4f} s over "
                    f"{row['pandana_points_compared']} points",
                    flush=True,
                )
    if "mclp" in parts:
        figures["mclp"] = bench_mclp()
    if "import" in parts:
        figures["import"] = imported = bench_import()
        print(f"import of {imported['nodes']} nodes: {imported['seconds']:.1f} s, "
              f"{imported['peak_mb']:.0f} MB")  # fmt: skip
    return figures


if __name__ == "__main__":
    main()
