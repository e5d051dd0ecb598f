"""Travel times to the nearest station: one multi-source pass, equal to per-pair Dijkstra.

The reference is built independently of the importer: networkx graphs made from the same list
of ways (great-circle lengths, the speed table, one-ways by hand), and for every point the
minimum over every station of a separate shortest path. Both must agree to the second.
"""

import random

import networkx as nx
import numpy as np
import pytest

from nuanxin.coverage.network import haversine_m
from nuanxin.coverage.osm_import import network_from_osm
from nuanxin.coverage.routing import nearest_times, reach_matrix
from tests.coverage.osm import street_grid, write_osm


def _reference_graph(nodes, ways, mode, speeds):
    graph = nx.DiGraph()
    for way in ways:
        kmh = speeds[mode].get(way.tags["highway"])
        if not kmh:
            continue
        oneway = way.tags.get("oneway")
        for u, v in zip(way.nodes, way.nodes[1:], strict=False):
            seconds = float(haversine_m(*nodes[u], *nodes[v])) / (kmh / 3.6)
            pairs = [(u, v), (v, u)]
            if mode == "ride" and oneway == "yes":
                pairs = [(u, v)]
            elif mode == "ride" and oneway == "-1":
                pairs = [(v, u)]
            for a, b in pairs:
                if not graph.has_edge(a, b) or graph[a][b]["weight"] > seconds:
                    graph.add_edge(a, b, weight=seconds)
    return graph


def _nearest_node(nodes, usable, lon, lat):
    return min(usable, key=lambda n: float(haversine_m(lon, lat, *nodes[n])))


def _access(metres, mode, settings):
    speed = settings.COVERAGE_SPEEDS_KMH[mode]["residential"] / 3.6
    return metres * settings.COVERAGE_DETOUR_FACTOR / speed


@pytest.mark.parametrize("mode", ["ride", "walk"])
def test_nearest_times__equal_networkx_per_pair_dijkstra_to_the_second(tmp_path, settings, mode):
    nodes, ways = street_grid(14, 16, seed=7)
    path = write_osm(tmp_path / "grid.osm.pbf", nodes, ways)
    network, _summary = network_from_osm(path)
    reference = _reference_graph(nodes, ways, mode, settings.COVERAGE_SPEEDS_KMH)
    rng = random.Random(3)
    ids = sorted(nodes)

    # points and stations near (not on) nodes: each has one clearly nearest node
    def near(node_id):
        lon, lat = nodes[node_id]
        return lon + rng.uniform(-2e-4, 2e-4), lat + rng.uniform(-2e-4, 2e-4)

    stations = [near(n) for n in rng.sample(ids, 6)]
    points = [near(n) for n in rng.sample(ids, 60)]
    s_lons, s_lats = np.array(stations).T
    p_lons, p_lats = np.array(points).T
    result = nearest_times(network, mode, p_lons, p_lats, s_lons, s_lats)
    assert result.method == "network"

    usable = list(reference.nodes)
    station_nodes = [_nearest_node(nodes, usable, *s) for s in stations]
    for i, (lon, lat) in enumerate(points):
        p_node = _nearest_node(nodes, usable, lon, lat)
        p_access = _access(float(haversine_m(lon, lat, *nodes[p_node])), mode, settings)
        lengths = nx.single_source_dijkstra_path_length(reference, p_node, weight="weight")
        best, best_station = np.inf, -1
        for j, (s_node, (s_lon, s_lat)) in enumerate(zip(station_nodes, stations, strict=True)):
            if s_node not in lengths:
                continue
            s_access = _access(float(haversine_m(s_lon, s_lat, *nodes[s_node])), mode, settings)
            total = lengths[s_node] + s_access + p_access
            if total < best:
                best, best_station = total, j
        assert result.seconds[i] == pytest.approx(best, abs=1e-6)
        assert round(result.seconds[i]) == round(best)
        if np.isfinite(best):
            assert result.station[i] == best_station


def test_nearest_times__oneways_make_riding_there_differ_from_riding_back(tmp_path):
    nodes, ways = street_grid(10, 10, oneway_every=2, seed=11)
    network, _ = network_from_osm(write_osm(tmp_path / "g.osm.pbf", nodes, ways))
    a, b = nodes[1], nodes[100]
    there = nearest_times(network, "ride", [a[0]], [a[1]], [b[0]], [b[1]]).seconds[0]
    back = nearest_times(network, "ride", [b[0]], [b[1]], [a[0]], [a[1]]).seconds[0]
    walk_there = nearest_times(network, "walk", [a[0]], [a[1]], [b[0]], [b[1]]).seconds[0]
    walk_back = nearest_times(network, "walk", [b[0]], [b[1]], [a[0]], [a[1]]).seconds[0]
    assert there != pytest.approx(back, abs=1)
    assert walk_there == pytest.approx(walk_back, abs=1e-9)


def test_nearest_times__without_a_network_is_the_straight_line_estimate(settings):
    settings.COVERAGE_DETOUR_FACTOR = 1.5
    result = nearest_times(
        None, "ride", [110.40, 110.50], [21.20, 21.30], [110.41, 110.49], [21.2, 21.3]
    )
    assert result.method == "straight_line"
    assert result.method_counts() == {"network": 0, "straight_line": 2}
    expected = haversine_m(110.40, 21.20, 110.41, 21.2) * 1.5 / (15 / 3.6)
    assert result.seconds[0] == pytest.approx(float(expected), rel=1e-9)
    assert list(result.station) == [0, 1]


def test_nearest_times__a_point_far_from_the_network_gets_the_estimate(tmp_path, settings):
    nodes, ways = street_grid(5, 5)
    network, _ = network_from_osm(write_osm(tmp_path / "g.osm.pbf", nodes, ways))
    far = (110.40, 21.25)  # about 5 km north of the grid
    station = nodes[1]
    result = nearest_times(
        network, "walk", [far[0], station[0]], [far[1], station[1]], [station[0]], [station[1]]
    )
    assert list(result.on_network) == [False, True]
    assert result.method == "mixed"
    assert result.seconds[0] == pytest.approx(
        float(haversine_m(*far, *station)) * settings.COVERAGE_DETOUR_FACTOR / (15 / 3.6 * 4.5 / 15)
    )


def test_reach_matrix__agrees_with_nearest_times_per_candidate(tmp_path):
    nodes, ways = street_grid(12, 12, seed=5)
    network, _ = network_from_osm(write_osm(tmp_path / "g.osm.pbf", nodes, ways))
    rng = np.random.default_rng(2)
    ids = np.array(sorted(nodes))
    pts = np.array([nodes[i] for i in rng.choice(ids, 50, replace=False)]) + 1e-5
    cands = np.array([nodes[i] for i in rng.choice(ids, 8, replace=False)]) - 1e-5
    limit = 240.0
    reach = reach_matrix(
        network, "ride", pts[:, 0], pts[:, 1], cands[:, 0], cands[:, 1], limit
    ).toarray()
    for j in range(len(cands)):
        alone = nearest_times(
            network, "ride", pts[:, 0], pts[:, 1], cands[j : j + 1, 0], cands[j : j + 1, 1]
        )
        assert list(reach[:, j]) == list(alone.seconds <= limit)
    assert reach.any() and not reach.all()
