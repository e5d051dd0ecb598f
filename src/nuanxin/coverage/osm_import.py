"""Reading an OpenStreetMap extract (.osm.pbf, .osm) into a ``RoadNetwork`` with osmium.

Every way with a ``highway`` tag (and ferry routes) is considered once. Per mode, the way's
type must be in the mode's speed table (``COVERAGE_SPEEDS_KMH``): motorways are in neither
(no e-bike or pedestrian may use them), ferries only in walking's, footways and steps only in
walking's. Riding follows ``oneway`` (``yes``/``1``/``true``, ``-1``/``reverse``, and
roundabouts); walking goes both ways. What is left out is counted by reason and mode, so the
summary says what was dropped. Each pair of consecutive nodes becomes an edge whose length is
the great-circle distance between them and whose time is that length at the type's speed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import osmium
from django.conf import settings

from nuanxin.coverage.network import MODES, ModeGraph, RoadNetwork, csr_from_edges, haversine_m

PROGRESS_EVERY = 50_000
NO_ACCESS = {"no", "private"}
ONEWAY_FORWARD = {"yes", "1", "true"}
ONEWAY_BACKWARD = {"-1", "reverse"}

# Why a way is not in a mode's graph (the keys of the summary).
DROP_REASONS = {
    "motorway": "高速公路（电动车、行人不得通行）",
    "ferry": "轮渡（电动车不计）",
    "not_for_mode": "该方式不可通行的道路类型（如人行道、台阶之于电动车）",
    "unsupported": "不可通行或未建成的道路类型（施工、规划、站台等）",
    "no_access": "禁止通行（access=no/private）",
    "area": "面状道路（area=yes）",
    "missing_nodes": "节点坐标缺失（文件不完整）",
}


def speeds() -> dict[str, dict[str, float]]:
    return settings.COVERAGE_SPEEDS_KMH


@dataclass
class ImportSummary:
    ways_read: int = 0
    ways_used: int = 0
    nodes: int = 0
    edges: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, Counter] = field(default_factory=lambda: {m: Counter() for m in MODES})

    def as_dict(self) -> dict[str, Any]:
        return {
            "ways_read": self.ways_read,
            "ways_used": self.ways_used,
            "nodes": self.nodes,
            "edges": dict(self.edges),
            "dropped": {mode: dict(sorted(c.items())) for mode, c in self.dropped.items()},
        }

    def lines(self) -> list[str]:
        out = [
            f"读取道路 {self.ways_read} 条，使用 {self.ways_used} 条；"
            f"节点 {self.nodes} 个；边：电动车 {self.edges.get('ride', 0)} 条，"
            f"步行 {self.edges.get('walk', 0)} 条。"
        ]
        for mode, label in (("ride", "电动车"), ("walk", "步行")):
            for reason, count in sorted(self.dropped[mode].items()):
                out.append(f"{label}未用 {count} 条：{DROP_REASONS.get(reason, reason)}")
        return out


def _kind(tags: Any) -> str | None:
    highway = tags.get("highway")
    if highway:
        return highway
    if tags.get("route") == "ferry":
        return "ferry"
    return None


def _reason(kind: str, tags: Any, mode: str, table: dict[str, float]) -> str | None:
    """Why a way of ``kind`` is not in ``mode``'s graph, or None when it is."""
    if tags.get("area") == "yes":
        return "area"
    if tags.get("access") in NO_ACCESS:
        return "no_access"
    if mode == "ride" and tags.get("bicycle") == "no" and tags.get("moped") != "yes":
        return "no_access"
    if mode == "walk" and tags.get("foot") == "no":
        return "no_access"
    if kind in table:
        return None
    if kind in {"motorway", "motorway_link"}:
        return "motorway"
    if kind == "ferry":
        return "ferry"
    if any(kind in speeds()[other] for other in MODES if other != mode):
        return "not_for_mode"
    return "unsupported"


def _ride_directions(tags: Any) -> tuple[bool, bool]:
    oneway = (tags.get("oneway") or "").lower()
    if oneway in ONEWAY_FORWARD:
        return True, False
    if oneway in ONEWAY_BACKWARD:
        return False, True
    if oneway != "no" and tags.get("junction") in {"roundabout", "circular"}:
        return True, False
    return True, True


class _WayReader(osmium.SimpleHandler):
    def __init__(self, summary: ImportSummary, progress: Callable[[str], None]) -> None:
        super().__init__()
        self.summary = summary
        self.progress = progress
        self.tables = speeds()
        self.ids: list[list[int]] = []
        self.coords: list[list[tuple[float, float]]] = []
        # per way and mode: km/h (0 when not in the graph), and riding's directions
        self.way_speeds: list[tuple[float, float]] = []
        self.way_dirs: list[tuple[bool, bool]] = []
        self.way_names: list[str] = []

    def way(self, w: Any) -> None:
        kind = _kind(w.tags)
        if kind is None:
            return
        self.summary.ways_read += 1
        if self.summary.ways_read % PROGRESS_EVERY == 0:
            self.progress(f"已读取道路 {self.summary.ways_read} 条…")
        reasons = {mode: _reason(kind, w.tags, mode, self.tables[mode]) for mode in MODES}
        if all(reasons.values()):
            for mode, reason in reasons.items():
                self.summary.dropped[mode][reason] += 1
            return
        ids, coords = [], []
        for node in w.nodes:
            if not node.location.valid():
                for mode in MODES:
                    self.summary.dropped[mode]["missing_nodes"] += 1
                return
            ids.append(node.ref)
            coords.append((node.location.lon, node.location.lat))
        if len(ids) < 2:
            for mode in MODES:
                self.summary.dropped[mode]["missing_nodes"] += 1
            return
        for mode, reason in reasons.items():
            if reason:
                self.summary.dropped[mode][reason] += 1
        self.summary.ways_used += 1
        self.ids.append(ids)
        self.coords.append(coords)
        self.way_speeds.append(
            tuple(0.0 if reasons[m] else float(self.tables[m][kind]) for m in MODES)
        )
        self.way_dirs.append(_ride_directions(w.tags))
        self.way_names.append((w.tags.get("name") or "").strip()[:60])


def network_from_osm(
    path: Path, *, progress: Callable[[str], None] = lambda _text: None
) -> tuple[RoadNetwork, ImportSummary]:
    """Read ``path`` and build the graphs of every mode; raises ``RuntimeError`` from osmium
    on a file it cannot read."""
    summary = ImportSummary()
    reader = _WayReader(summary, progress)
    reader.apply_file(str(path), locations=True, idx="flex_mem")
    progress(f"已读取道路 {summary.ways_read} 条，正在建图…")
    counts = np.array([len(ids) - 1 for ids in reader.ids], dtype=np.int64)
    if counts.sum() == 0:
        empty = RoadNetwork(
            lons=np.zeros(0), lats=np.zeros(0),
            graphs={m: ModeGraph(csr_from_edges(0, [], [], [])) for m in MODES},
        )  # fmt: skip
        summary.edges = {m: 0 for m in MODES}
        return empty, summary
    flat_ids = np.fromiter((i for ids in reader.ids for i in ids), dtype=np.int64)
    flat_xy = np.array([xy for coords in reader.coords for xy in coords], dtype=np.float64)
    # Segment k of way w joins the way's nodes k and k + 1, which sit in the flat arrays at
    # node_start[w] + k and the next position.
    node_start = np.concatenate([[0], np.cumsum(counts + 1)])[:-1]
    segment_start = np.concatenate([[0], np.cumsum(counts)])[:-1]
    way_of_segment = np.repeat(np.arange(len(counts)), counts)
    k = np.arange(int(counts.sum())) - segment_start[way_of_segment]
    tail_pos = node_start[way_of_segment] + k
    head_pos = tail_pos + 1
    node_ids, inverse = np.unique(flat_ids, return_inverse=True)
    lons = np.zeros(len(node_ids))
    lats = np.zeros(len(node_ids))
    lons[inverse], lats[inverse] = flat_xy[:, 0], flat_xy[:, 1]
    tails, heads = inverse[tail_pos], inverse[head_pos]
    length = haversine_m(lons[tails], lats[tails], lons[heads], lats[heads])
    way_speeds = np.array(reader.way_speeds, dtype=np.float64)[way_of_segment]
    way_dirs = np.array(reader.way_dirs, dtype=bool)[way_of_segment]
    graphs = {}
    for m, mode in enumerate(MODES):
        kmh = way_speeds[:, m]
        on = kmh > 0
        seconds = np.divide(length, kmh / 3.6, out=np.zeros_like(length), where=on)
        if mode == "ride":
            fwd, bwd = on & way_dirs[:, 0], on & way_dirs[:, 1]
        else:
            fwd = bwd = on
        t = np.concatenate([tails[fwd], heads[bwd]])
        h = np.concatenate([heads[fwd], tails[bwd]])
        s = np.concatenate([seconds[fwd], seconds[bwd]])
        graphs[mode] = ModeGraph(csr_from_edges(len(node_ids), t, h, s))
    summary.nodes = len(node_ids)
    summary.edges = {mode: graph.edges for mode, graph in graphs.items()}
    network = RoadNetwork(lons=lons, lats=lats, graphs=graphs)
    _add_names(network, reader.way_names, node_start, counts, inverse)
    return network, summary


def _add_names(
    network: RoadNetwork,
    way_names: list[str],
    node_start: np.ndarray,
    counts: np.ndarray,
    inverse: np.ndarray,
) -> None:
    """One label point per named way, at its middle node."""
    named = [w for w, name in enumerate(way_names) if name]
    if not named:
        return
    names: dict[str, int] = {}
    index = np.array([names.setdefault(way_names[w], len(names)) for w in named], dtype=np.int32)
    middle = inverse[node_start[named] + counts[named] // 2]
    network.names = list(names)
    network.name_index = index
    network.name_lons = network.lons[middle]
    network.name_lats = network.lats[middle]
