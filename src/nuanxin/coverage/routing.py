"""Travel times from points to the nearest station, on the road network or by estimate.

On the network (``method = "network"``) the times of every point come from one
multi-source shortest-path search: each station becomes a virtual node with one edge onto the
node it snaps to (weighted by the time to reach that node from the station), and scipy's
Dijkstra runs once from all virtual nodes together (``min_only=True``) over the *reversed*
graph, because a worker rides from the point to the station and one-way streets count. It
yields, for every node, the time to its nearest station and which station that is. A point
then adds its own access time (straight line to its node, times the detour factor, at the
mode's speed). This is exact: the tests compare it with per-pair Dijkstra in networkx.

Points farther than ``COVERAGE_SNAP_MAX_M`` from the mode's network, and every point when no
network is imported, get the estimate (``method = "straight_line"``): great-circle distance to
the nearest station times ``COVERAGE_DETOUR_FACTOR`` at the mode's speed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.conf import settings
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from nuanxin.coverage.network import MIN_EDGE_SECONDS, RoadNetwork, haversine_m

NETWORK = "network"
STRAIGHT_LINE = "straight_line"
METHODS = (NETWORK, STRAIGHT_LINE)
# Dense rows scipy returns for a batch of separate searches: keep a batch under ~160 MB.
_BATCH_CELLS = 20_000_000


def mode_speed_ms(mode: str) -> float:
    """The mode's speed off the network (access to a node, and the straight-line estimate)."""
    kmh = settings.COVERAGE_SPEEDS_KMH[mode].get("residential") or max(
        settings.COVERAGE_SPEEDS_KMH[mode].values()
    )
    return float(kmh) / 3.6


def straight_seconds(metres: np.ndarray, mode: str) -> np.ndarray:
    return np.asarray(metres, dtype=float) * settings.COVERAGE_DETOUR_FACTOR / mode_speed_ms(mode)


def unit_vectors(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    lon, lat = np.radians(lons), np.radians(lats)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


@dataclass
class NearestTimes:
    """Per point: seconds to the nearest station (inf when none), its index, the method."""

    seconds: np.ndarray
    station: np.ndarray
    on_network: np.ndarray  # bool: True where the network answered

    def method_counts(self) -> dict[str, int]:
        on = int(self.on_network.sum())
        return {NETWORK: on, STRAIGHT_LINE: len(self.on_network) - on}

    @property
    def method(self) -> str:
        """What answered the whole run: the network, the estimate, or a mix of both."""
        counts = self.method_counts()
        if counts[STRAIGHT_LINE] == 0 and counts[NETWORK]:
            return NETWORK
        if counts[NETWORK] == 0:
            return STRAIGHT_LINE
        return "mixed"


def _straight_nearest(
    p_lons: np.ndarray, p_lats: np.ndarray, s_lons: np.ndarray, s_lats: np.ndarray, mode: str
) -> tuple[np.ndarray, np.ndarray]:
    if len(s_lons) == 0:
        return np.full(len(p_lons), np.inf), np.full(len(p_lons), -1, dtype=np.int64)
    tree = cKDTree(unit_vectors(s_lons, s_lats))
    _chord, idx = tree.query(unit_vectors(p_lons, p_lats), k=1)
    idx = np.asarray(idx, dtype=np.int64)
    return straight_seconds(haversine_m(p_lons, p_lats, s_lons[idx], s_lats[idx]), mode), idx


def with_sources(
    graph: sparse.csr_matrix, nodes: np.ndarray, offsets: np.ndarray
) -> sparse.csr_matrix:
    """``graph`` plus one virtual node per source, with one edge onto its node (built from the
    CSR arrays directly: no copy of the graph through coordinates)."""
    n, k = graph.shape[0], len(nodes)
    indptr = np.concatenate([graph.indptr, graph.indptr[-1] + np.arange(1, k + 1)])
    indices = np.concatenate([graph.indices, nodes.astype(graph.indices.dtype)])
    # Every offset carries MIN_EDGE_SECONDS (a zero would read as "no edge"); callers take it
    # off the distances again (``_less_offset``).
    data = np.concatenate([graph.data, np.asarray(offsets, dtype=np.float64) + MIN_EDGE_SECONDS])
    out = sparse.csr_matrix((data, indices, indptr), shape=(n + k, n + k))
    out.has_sorted_indices = True
    return out


def node_times_to_nearest(
    graph_backward: sparse.csr_matrix, station_nodes: np.ndarray, station_offsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For every node, seconds to the nearest station and that station's position in the
    given arrays (-1 where none is reachable): one Dijkstra over the reversed graph."""
    n = graph_backward.shape[0]
    if len(station_nodes) == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    augmented = with_sources(graph_backward, station_nodes, station_offsets)
    virtual = np.arange(n, n + len(station_nodes))
    dist, _pred, sources = dijkstra(
        augmented, directed=True, indices=virtual, min_only=True, return_predecessors=True
    )
    nearest = np.where(sources[:n] >= 0, sources[:n] - n, -1).astype(np.int64)
    return dist[:n] - MIN_EDGE_SECONDS, nearest


def nearest_times(
    network: RoadNetwork | None,
    mode: str,
    p_lons: np.ndarray,
    p_lats: np.ndarray,
    s_lons: np.ndarray,
    s_lats: np.ndarray,
) -> NearestTimes:
    """Seconds from each point to its nearest station by ``mode``."""
    p_lons, p_lats = np.asarray(p_lons, dtype=float), np.asarray(p_lats, dtype=float)
    s_lons, s_lats = np.asarray(s_lons, dtype=float), np.asarray(s_lats, dtype=float)
    n_points = len(p_lons)
    seconds = np.full(n_points, np.inf)
    station = np.full(n_points, -1, dtype=np.int64)
    on_network = np.zeros(n_points, dtype=bool)
    if network is not None and mode in network.graphs and network.nodes:
        snap_max = settings.COVERAGE_SNAP_MAX_M
        s_node, s_metres = network.snap(s_lons, s_lats, mode)
        s_ok = (s_node >= 0) & (s_metres <= snap_max)
        p_node, p_metres = network.snap(p_lons, p_lats, mode)
        on_network = (p_node >= 0) & (p_metres <= snap_max)
        if s_ok.any():
            node_seconds, node_station = node_times_to_nearest(
                network.graphs[mode].backward,
                s_node[s_ok],
                straight_seconds(s_metres[s_ok], mode),
            )
            at = p_node[on_network]
            reached = node_station[at] >= 0
            t = np.where(
                reached, node_seconds[at] + straight_seconds(p_metres[on_network], mode), np.inf
            )
            seconds[on_network] = t
            station[on_network] = np.where(reached, np.flatnonzero(s_ok)[node_station[at]], -1)
    off = ~on_network
    if off.any():
        seconds[off], station[off] = _straight_nearest(
            p_lons[off], p_lats[off], s_lons, s_lats, mode
        )
    return NearestTimes(seconds=seconds, station=station, on_network=on_network)


def reach_matrix(
    network: RoadNetwork | None,
    mode: str,
    p_lons: np.ndarray,
    p_lats: np.ndarray,
    c_lons: np.ndarray,
    c_lats: np.ndarray,
    limit_seconds: float,
) -> sparse.csc_matrix:
    """Points x candidates, True where the point reaches the candidate within the limit, by
    the same rules as ``nearest_times`` (network where the point is on it, else estimate).

    One bounded search per candidate (``limit``), in batches, over the reversed graph.
    """
    p_lons, p_lats = np.asarray(p_lons, dtype=float), np.asarray(p_lats, dtype=float)
    c_lons, c_lats = np.asarray(c_lons, dtype=float), np.asarray(c_lats, dtype=float)
    n_points, n_cand = len(p_lons), len(c_lons)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    on_network = np.zeros(n_points, dtype=bool)
    if network is not None and mode in network.graphs and network.nodes and n_cand:
        snap_max = settings.COVERAGE_SNAP_MAX_M
        c_node, c_metres = network.snap(c_lons, c_lats, mode)
        p_node, p_metres = network.snap(p_lons, p_lats, mode)
        on_network = (p_node >= 0) & (p_metres <= snap_max)
        on_idx = np.flatnonzero(on_network)
        p_access = straight_seconds(p_metres[on_idx], mode)
        graph = network.graphs[mode].backward
        usable = np.flatnonzero((c_node >= 0) & (c_metres <= snap_max))
        batch = max(1, _BATCH_CELLS // max(1, network.nodes))
        for start in range(0, len(usable), batch):
            chunk = usable[start : start + batch]
            offsets = straight_seconds(c_metres[chunk], mode)
            augmented = with_sources(graph, c_node[chunk], offsets)
            virtual = np.arange(network.nodes, network.nodes + len(chunk))
            dist = dijkstra(
                augmented,
                directed=True,
                indices=virtual,
                limit=limit_seconds + MIN_EDGE_SECONDS,
            )
            times = dist[:, p_node[on_idx]] - MIN_EDGE_SECONDS + p_access[None, :]
            c_at, p_at = np.nonzero(times <= limit_seconds)
            rows.append(on_idx[p_at])
            cols.append(chunk[c_at])
    off = np.flatnonzero(~on_network)
    if len(off) and n_cand:
        tree = cKDTree(unit_vectors(c_lons, c_lats))
        metres = limit_seconds * mode_speed_ms(mode) / settings.COVERAGE_DETOUR_FACTOR
        chord = 2 * np.sin(min(np.pi, metres / 6_371_008.8) / 2) * 1.000001
        for i, found in zip(
            off, tree.query_ball_point(unit_vectors(p_lons[off], p_lats[off]), r=chord), strict=True
        ):
            if not found:
                continue
            found = np.asarray(found, dtype=np.int64)
            t = straight_seconds(
                haversine_m(p_lons[i], p_lats[i], c_lons[found], c_lats[found]), mode
            )
            keep = found[t <= limit_seconds]
            rows.append(np.full(len(keep), i, dtype=np.int64))
            cols.append(keep)
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    return sparse.csc_matrix((np.ones(len(r), dtype=bool), (r, c)), shape=(n_points, n_cand))
