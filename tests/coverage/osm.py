"""Small OpenStreetMap files written by the tests themselves with osmium's writer."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import osmium
from osmium.osm.mutable import Node, Way


@dataclass
class OsmWay:
    id: int
    nodes: list[int]
    tags: dict[str, str] = field(default_factory=dict)


def write_osm(path: Path, nodes: dict[int, tuple[float, float]], ways: Iterable[OsmWay]) -> Path:
    """``nodes``: id -> (lon, lat). Ways may name nodes that are not written (a clipped file)."""
    if path.exists():
        path.unlink()
    writer = osmium.SimpleWriter(str(path))
    try:
        for node_id in sorted(nodes):
            writer.add_node(Node(id=node_id, location=nodes[node_id], version=1))
        for way in sorted(ways, key=lambda w: w.id):
            writer.add_way(Way(id=way.id, nodes=way.nodes, tags=way.tags, version=1))
    finally:
        writer.close()
    return path


def street_grid(
    rows: int,
    cols: int,
    *,
    lon0: float = 110.40,
    lat0: float = 21.20,
    step: float = 0.002,
    oneway_every: int = 3,
    seed: int = 1,
) -> tuple[dict[int, tuple[float, float]], list[OsmWay]]:
    """A grid of streets, nodes jittered a little; every ``oneway_every``-th street one-way
    (alternating direction), a few primary roads among residential ones; the primary roads
    are named 东西<row>路, the others have no name."""
    import random

    rng = random.Random(seed)
    nodes = {}
    for r in range(rows):
        for c in range(cols):
            # OSM keeps 7 decimals: positions the file can hold exactly
            nodes[r * cols + c + 1] = (
                round(lon0 + c * step + rng.uniform(-step / 5, step / 5), 7),
                round(lat0 + r * step + rng.uniform(-step / 5, step / 5), 7),
            )
    ways = []
    way_id = 1000
    for r in range(rows):
        ids = [r * cols + c + 1 for c in range(cols)]
        tags = {"highway": "primary" if r % 4 == 0 else "residential"}
        if r % 4 == 0:
            tags["name"] = f"东西{r}路"
        if oneway_every and r % oneway_every == 1:
            tags["oneway"] = "yes" if (r // oneway_every) % 2 == 0 else "-1"
        ways.append(OsmWay(way_id, ids, tags))
        way_id += 1
    for c in range(cols):
        ids = [r * cols + c + 1 for r in range(rows)]
        tags = {"highway": "tertiary" if c % 5 == 0 else "residential"}
        if oneway_every and c % oneway_every == 2:
            tags["oneway"] = "yes"
        ways.append(OsmWay(way_id, ids, tags))
        way_id += 1
    return nodes, ways
