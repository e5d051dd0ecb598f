"""The routable road network: nodes, and per travel mode a CSR graph of travel seconds.

A network is a set of numpy arrays kept in one ``.npz`` file (``network_path()``), never one
database row per edge: node positions (WGS-84), and for each mode ("ride" on an e-bike, "walk")
the graph in compressed sparse row form — ``indptr`` (n + 1), ``indices`` (the head of each
edge) and ``seconds`` (its travel time). Riding respects one-way streets, walking does not, so
the walking graph is symmetric. Parallel edges keep the fastest; an edge never takes less than
``MIN_EDGE_SECONDS`` (two nodes at one position), because a zero in a sparse graph would read as
"no edge".

Street names, where the source has them, are kept beside the graph for the basemap: one label
point per named way (its middle node), ``name_index`` into ``names``.

Each process keeps the loaded network in memory, reloaded when the file changes.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from scipy import sparse
from scipy.spatial import cKDTree

MODES = ("ride", "walk")
EARTH_RADIUS_M = 6_371_008.8
MIN_EDGE_SECONDS = 0.001


def network_path() -> Path:
    configured = settings.COVERAGE_NETWORK_PATH
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "coverage" / "roads.npz"


def haversine_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    """Great-circle metres, vectorised over numpy arrays."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass
class ModeGraph:
    """One mode's graph: ``forward`` (u -> v) and, built on demand, its transpose."""

    forward: sparse.csr_matrix
    _backward: sparse.csr_matrix | None = None

    @property
    def backward(self) -> sparse.csr_matrix:
        # Times *to* a station are times *from* it on the reversed graph.
        if self._backward is None:
            self._backward = self.forward.T.tocsr()
            self._backward.sort_indices()
        return self._backward

    @property
    def edges(self) -> int:
        return int(self.forward.nnz)


@dataclass
class RoadNetwork:
    lons: np.ndarray
    lats: np.ndarray
    graphs: dict[str, ModeGraph]
    meta: dict[str, Any] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    name_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    name_lons: np.ndarray = field(default_factory=lambda: np.zeros(0))
    name_lats: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _trees: dict[str, tuple[cKDTree, np.ndarray]] = field(default_factory=dict)
    _lat0: float | None = None

    @property
    def nodes(self) -> int:
        return len(self.lons)

    def _project(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Local equirectangular metres: accurate to a few metres across a city."""
        if self._lat0 is None:
            self._lat0 = float(np.mean(self.lats)) if len(self.lats) else 0.0
        k = math.cos(math.radians(self._lat0))
        rad = math.pi / 180 * EARTH_RADIUS_M
        return np.column_stack([np.asarray(lons) * rad * k, np.asarray(lats) * rad])

    def snap(self, lons: Any, lats: Any, mode: str) -> tuple[np.ndarray, np.ndarray]:
        """The nearest node of ``mode``'s graph (one with an edge in that mode) to each point,
        and the great-circle metres to it; -1 and infinity when the mode has no edge."""
        lons = np.atleast_1d(np.asarray(lons, dtype=float))
        lats = np.atleast_1d(np.asarray(lats, dtype=float))
        if mode not in self._trees:
            graph = self.graphs[mode].forward
            degree = np.diff(graph.indptr) + np.bincount(graph.indices, minlength=self.nodes)
            usable = np.flatnonzero(degree > 0)
            tree = (
                cKDTree(self._project(self.lons[usable], self.lats[usable]))
                if len(usable)
                else None
            )
            self._trees[mode] = (tree, usable)
        tree, usable = self._trees[mode]
        if tree is None or len(lons) == 0:
            return np.full(len(lons), -1, dtype=np.int64), np.full(len(lons), np.inf)
        _d, at = tree.query(self._project(lons, lats), k=1)
        idx = usable[np.asarray(at, dtype=np.int64)]
        return idx, haversine_m(lons, lats, self.lons[idx], self.lats[idx])


def csr_from_edges(
    n: int, tails: np.ndarray, heads: np.ndarray, seconds: np.ndarray
) -> sparse.csr_matrix:
    """A CSR graph of n nodes; of parallel edges the fastest stays, loops are dropped.

    (``csr_matrix`` from coordinates would *add* parallel edges' weights.)
    """
    tails = np.asarray(tails, dtype=np.int64)
    heads = np.asarray(heads, dtype=np.int64)
    seconds = np.maximum(np.asarray(seconds, dtype=np.float64), MIN_EDGE_SECONDS)
    keep = tails != heads
    tails, heads, seconds = tails[keep], heads[keep], seconds[keep]
    order = np.lexsort((seconds, heads, tails))
    tails, heads, seconds = tails[order], heads[order], seconds[order]
    first = np.ones(len(tails), dtype=bool)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    tails, heads, seconds = tails[first], heads[first], seconds[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, tails + 1, 1)
    indptr = np.cumsum(indptr)
    graph = sparse.csr_matrix((seconds, heads.astype(np.int32), indptr), shape=(n, n))
    graph.has_sorted_indices = True
    return graph


def network_save(network: RoadNetwork, path: Path | None = None) -> Path:
    """Write the arrays to ``path`` (atomically: readers see the old file or the new one)."""
    path = path or network_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {
        "lons": network.lons.astype(np.float64),
        "lats": network.lats.astype(np.float64),
        "meta": np.frombuffer(
            json.dumps(network.meta, ensure_ascii=False).encode(), dtype=np.uint8
        ),
    }
    arrays["names"] = np.frombuffer(
        json.dumps(network.names, ensure_ascii=False).encode(), dtype=np.uint8
    )
    arrays["name_index"] = network.name_index.astype(np.int32)
    arrays["name_lons"] = network.name_lons.astype(np.float64)
    arrays["name_lats"] = network.name_lats.astype(np.float64)
    for mode, graph in network.graphs.items():
        arrays[f"{mode}_indptr"] = graph.forward.indptr.astype(np.int64)
        arrays[f"{mode}_indices"] = graph.forward.indices.astype(np.int32)
        arrays[f"{mode}_seconds"] = graph.forward.data.astype(np.float64)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _cache.clear()
    return path


def network_read(path: Path) -> RoadNetwork:
    with np.load(path, allow_pickle=False) as data:
        lons, lats = data["lons"], data["lats"]
        n = len(lons)
        graphs = {}
        for mode in MODES:
            if f"{mode}_indptr" not in data:
                continue
            graph = sparse.csr_matrix(
                (data[f"{mode}_seconds"], data[f"{mode}_indices"], data[f"{mode}_indptr"]),
                shape=(n, n),
            )
            graph.has_sorted_indices = True
            graphs[mode] = ModeGraph(graph)
        meta = json.loads(bytes(data["meta"]).decode()) if "meta" in data else {}
        labels = {}
        if "names" in data:  # files written before street names were kept have none
            labels = {
                "names": json.loads(bytes(data["names"]).decode()),
                "name_index": data["name_index"],
                "name_lons": data["name_lons"],
                "name_lats": data["name_lats"],
            }
    return RoadNetwork(lons=lons, lats=lats, graphs=graphs, meta=meta, **labels)


class _NetworkCache:
    """The loaded network of this process, keyed by the file's path, size and mtime."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._network: RoadNetwork | None = None

    def clear(self) -> None:
        with self._lock:
            self._key, self._network = None, None

    def get(self) -> RoadNetwork | None:
        path = network_path()
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        with self._lock:
            if key != self._key:
                self._network = network_read(path)
                self._key = key
            return self._network


_cache = _NetworkCache()


def network_loaded() -> RoadNetwork | None:
    """The city's imported network, or None when none has been imported."""
    return _cache.get()


def segments_in_box(
    network: RoadNetwork, bbox: tuple[float, float, float, float], limit: int
) -> tuple[np.ndarray, bool]:
    """Street segments (each once, from the walking graph, which holds every street) with an
    end inside ``bbox`` (WGS-84 min lon, min lat, max lon, max lat): an array of
    [lon1, lat1, lon2, lat2] rows, at most ``limit``, and whether some were left out."""
    mode = "walk" if "walk" in network.graphs else next(iter(network.graphs))
    graph = network.graphs[mode].forward
    min_lon, min_lat, max_lon, max_lat = bbox
    inside = (
        (network.lons >= min_lon) & (network.lons <= max_lon)
        & (network.lats >= min_lat) & (network.lats <= max_lat)
    )  # fmt: skip
    rows = np.flatnonzero(inside)
    if not len(rows):
        return np.zeros((0, 4)), False
    counts = np.diff(graph.indptr)[rows]
    tails = np.repeat(rows, counts)
    heads = np.concatenate([graph.indices[graph.indptr[r] : graph.indptr[r + 1]] for r in rows])
    # each street once: keep u < v, or v outside the box (then its reverse is not listed)
    keep = (tails < heads) | ~inside[heads]
    tails, heads = tails[keep], heads[keep]
    truncated = len(tails) > limit
    tails, heads = tails[:limit], heads[:limit]
    return (
        np.column_stack(
            [network.lons[tails], network.lats[tails], network.lons[heads], network.lats[heads]]
        ),
        truncated,
    )


def names_in_box(
    network: RoadNetwork, bbox: tuple[float, float, float, float], limit: int
) -> list[tuple[str, float, float]]:
    """Street names with a label point inside ``bbox``: (name, lon, lat), each name once (the
    label point nearest the box's centre), at most ``limit``."""
    if not len(network.name_index):
        return []
    min_lon, min_lat, max_lon, max_lat = bbox
    x, y = network.name_lons, network.name_lats
    inside = np.flatnonzero((x >= min_lon) & (x <= max_lon) & (y >= min_lat) & (y <= max_lat))
    if not len(inside):
        return []
    centre = ((min_lon + max_lon) / 2, (min_lat + max_lat) / 2)
    order = inside[np.argsort((x[inside] - centre[0]) ** 2 + (y[inside] - centre[1]) ** 2)]
    seen: set[int] = set()
    out = []
    for i in order.tolist():
        name = int(network.name_index[i])
        if name in seen:
            continue
        seen.add(name)
        out.append((network.names[name], float(x[i]), float(y[i])))
        if len(out) >= limit:
            break
    return out
