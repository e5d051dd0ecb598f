"""Demo part: a generated street network and demand hot spots, so the 15-minute service circle,
siting and its maps work with no download.

No real map data ships with nuanxin, so the streets are made up: a grid of streets about 250 m
apart within 3 km of each station, every fourth one a main road (primary / secondary), some
side streets one-way in alternating directions, a few segments missing, positions jittered so
blocks are not perfect squares, all kept inside the county's (approximate, demo) boundary. The
main roads are named after their county (坡头一路 east-west, 坡头一街 north-south...) so the
offline basemap has names to show; side streets have none. It
is written as an OpenStreetMap file and imported through ``nuanxin import-roads``' own path,
and recorded as generated: every page and table that uses it says so. Hot spots (where orders
concentrate) are drawn around the stations and county seats, some beyond the stations' reach,
so the uncovered spots and a siting proposal have something to show.
"""

import io
import math
import tempfile
from pathlib import Path

import numpy as np
import osmium
import shapely
from osmium.osm.mutable import Node, Way
from scipy.spatial import cKDTree
from shapely.geometry import shape

from nuanxin.coverage.models import HotSpot, RoadNetworkImport
from nuanxin.coverage.network import network_loaded
from nuanxin.coverage.services import hotspots_import, roads_import
from nuanxin.demo.loader import DemoContext
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.stations.models import Station, StationStatus

SOURCE = "演示生成路网（非真实道路数据）"
SPACING_M = 250.0
# Streets reach this far from a station: the built-up area around it (a town, a city district).
RADIUS_M = 3000.0
MAIN_EVERY = 4
ONEWAY_EVERY = 5
MISSING_SHARE = 0.06
HOTSPOTS_PER_STATION = 6
METRES_PER_DEGREE = 111_320.0


NUMERALS = "一二三四五六七八九十"


def _road_name(prefix: str, index: int, horizontal: bool) -> str:
    n = index // MAIN_EVERY + 1
    number = NUMERALS[n - 1] if n <= 10 else ("十" + NUMERALS[n - 11] if n < 20 else str(n))
    return f"{prefix}{number}{'路' if horizontal else '街'}"


def _county_grid(
    rng: np.random.Generator,
    boundary,
    lons: np.ndarray,
    lats: np.ndarray,
    start_id: int,
    prefix: str = "",
):
    lat0 = float(np.mean(lats))
    dlat = SPACING_M / METRES_PER_DEGREE
    dlon = dlat / math.cos(math.radians(lat0))
    margin_lat = RADIUS_M / METRES_PER_DEGREE
    margin_lon = margin_lat / math.cos(math.radians(lat0))
    lon_min, lon_max = lons.min() - margin_lon, lons.max() + margin_lon
    lat_min, lat_max = lats.min() - margin_lat, lats.max() + margin_lat
    cols = int((lon_max - lon_min) / dlon) + 1
    rows = int((lat_max - lat_min) / dlat) + 1
    grid_lon = lon_min + np.arange(cols) * dlon
    grid_lat = lat_min + np.arange(rows) * dlat
    glon, glat = np.meshgrid(grid_lon, grid_lat)
    glon = glon + rng.uniform(-dlon / 6, dlon / 6, glon.shape)
    glat = glat + rng.uniform(-dlat / 6, dlat / 6, glat.shape)
    glon, glat = np.round(glon, 7), np.round(glat, 7)
    inside = shapely.contains_xy(boundary, glon, glat)
    k = math.cos(math.radians(lat0)) * METRES_PER_DEGREE
    tree = cKDTree(np.column_stack([lons * k, lats * METRES_PER_DEGREE]))
    near, _i = tree.query(np.column_stack([glon.ravel() * k, glat.ravel() * METRES_PER_DEGREE]))
    inside &= (near <= RADIUS_M).reshape(glon.shape)
    ids = start_id + np.arange(rows * cols).reshape(rows, cols)
    nodes = {int(ids[r, c]): (float(glon[r, c]), float(glat[r, c]))
             for r in range(rows) for c in range(cols) if inside[r, c]}  # fmt: skip
    ways = []

    def line(cells: list[tuple[int, int]], index: int, horizontal: bool) -> None:
        main = index % MAIN_EVERY == 0
        tags = {"highway": ("primary" if horizontal else "secondary") if main else "residential"}
        if main and prefix:
            tags["name"] = _road_name(prefix, index, horizontal)
        if not main and index % ONEWAY_EVERY == 1:
            tags["oneway"] = "yes" if (index // ONEWAY_EVERY) % 2 else "-1"
        run: list[int] = []
        for r, c in cells:
            node = int(ids[r, c])
            gap = not main and rng.random() < MISSING_SHARE
            if node in nodes and not gap:
                run.append(node)
                continue
            if len(run) >= 2:
                ways.append((run, dict(tags)))
            run = [node] if node in nodes else []
        if len(run) >= 2:
            ways.append((run, dict(tags)))

    for r in range(rows):
        line([(r, c) for c in range(cols)], r, True)
    for c in range(cols):
        line([(r, c) for r in range(rows)], c, False)
    return nodes, ways, start_id + rows * cols


def _write_network(ctx: DemoContext, path: Path) -> int:
    rng = np.random.default_rng(ctx.seed)
    all_nodes: dict[int, tuple[float, float]] = {}
    all_ways: list[tuple[list[int], dict[str, str]]] = []
    next_id = 1
    for county in Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"):
        positions = np.array(
            Station.objects.filter(region__path__startswith=county.path)
            .exclude(status=StationStatus.CLOSED)
            .values_list("lon", "lat"),
            dtype=float,
        ).reshape(-1, 2)
        if not len(positions) or not county.boundary:
            continue
        prefix = county.name[:2]
        nodes, ways, next_id = _county_grid(
            rng, shape(county.boundary), positions[:, 0], positions[:, 1], next_id, prefix
        )
        all_nodes.update(nodes)
        all_ways.extend(ways)
    writer = osmium.SimpleWriter(str(path))
    try:
        for node_id in sorted(all_nodes):
            writer.add_node(Node(id=node_id, location=all_nodes[node_id], version=1))
        for way_id, (refs, tags) in enumerate(all_ways, start=1):
            writer.add_way(Way(id=way_id, nodes=refs, tags=tags, version=1))
    finally:
        writer.close()
    return len(all_nodes)


def _hotspot_sheet(ctx: DemoContext) -> bytes:
    rng = np.random.default_rng(ctx.seed + 1)
    out = io.StringIO()
    out.write("名称,经度,纬度,权重\n")
    number = 0
    stations = list(
        Station.objects.exclude(status=StationStatus.CLOSED)
        .order_by("id")
        .values_list("lon", "lat", "region__name")
    )
    for lon, lat, place in stations:
        for _i in range(HOTSPOTS_PER_STATION):
            # most orders close to a station, a tail out to ~4 km
            distance = rng.gamma(2.0, 700.0)
            angle = rng.uniform(0, 2 * math.pi)
            d_lat = distance * math.sin(angle) / METRES_PER_DEGREE
            d_lon = distance * math.cos(angle) / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
            number += 1
            weight = int(rng.integers(5, 80))
            out.write(f"{place}订单热点{number},{lon + d_lon:.6f},{lat + d_lat:.6f},{weight}\n")
    return out.getvalue().encode("utf-8")


def load(ctx: DemoContext) -> None:
    have = RoadNetworkImport.objects.filter(is_generated=True).exists()
    if not (have and network_loaded() is not None):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "demo-roads.osm.pbf"
            _write_network(ctx, path)
            record, _summary = roads_import(path=path, source=SOURCE, generated=True)
        ctx.say(
            f"演示路网（生成，非真实道路）：节点 {record.nodes} 个，"
            f"电动车路段 {record.ride_edges} 条。"
        )
    if not HotSpot.objects.exists():
        count = hotspots_import(data=_hotspot_sheet(ctx), filename="demo-hotspots.csv")
        ctx.say(f"演示需求热点：{count} 个。")
