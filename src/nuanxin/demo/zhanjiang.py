"""Demo geography of Zhanjiang (湛江市): the region tree and its boundaries.

演示用近似边界，非官方数据 — every boundary made here is an approximation drawn for the demo.
The city outline is a hand-made polygon around the Leizhou peninsula, the county cells are a
Voronoi diagram of the county seats clipped to it, and streets, communities and grids are
Voronoi cells of generated seed points clipped to their parent.  Names of counties, streets and
towns are the real ones; community, village and grid names are generated.  Nothing here is
official data: do not use these outlines to decide which authority a real address belongs to.

The generator is deterministic for a given seed.  It returns plain data (``RegionSpec``) so it
can be tested without a database; ``nuanxin.demo.regions`` saves it through the geo services.

Boundaries are WGS-84 GeoJSON with coordinates rounded to 6 decimals (about 0.1 m).  Rounding
each polygon on its own would let a child poke out of its parent along a shared edge, so every
ring first receives the vertices of all other regions that lie on its edges; shared edges then
consist of the same vertices and round identically.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from nuanxin.geo.coords import gcj02_to_wgs84

__all__ = [
    "CITY_CODE",
    "CITY_NAME",
    "CITY_OUTLINE",
    "COUNTY_CENTRES_GCJ02",
    "COUNTY_NAMES",
    "DEMO_BOUNDARY_NOTE",
    "DEV_ZONE_CODE",
    "HAISHENG_COMMUNITY",
    "LEVELS",
    "NAMED_STREETS",
    "STREETS",
    "STREET_CODES",
    "RegionSpec",
    "build_regions",
]

DEMO_BOUNDARY_NOTE = "演示用近似边界，非官方数据"

LEVELS = ("city", "county", "street", "community", "grid")

CITY_CODE = "440800"
CITY_NAME = "湛江市"

# 湛江经济技术开发区 has no GB/T 2260 code of its own (statistically its streets belong to
# 麻章区 and 霞山区); 440871 is an internal code used only inside nuanxin.
DEV_ZONE_CODE = "440871"

COUNTY_NAMES: dict[str, str] = {
    "440802": "赤坎区",
    "440803": "霞山区",
    "440804": "坡头区",
    "440811": "麻章区",
    "440823": "遂溪县",
    "440825": "徐闻县",
    "440881": "廉江市",
    "440882": "雷州市",
    "440883": "吴川市",
    DEV_ZONE_CODE: "湛江经济技术开发区",
}

# County seats in GCJ-02, from public administrative-division code tables.
COUNTY_CENTRES_GCJ02: dict[str, tuple[float, float]] = {
    "440802": (110.3659, 21.2661),
    "440803": (110.3977, 21.1925),
    "440804": (110.4553, 21.2447),
    "440811": (110.3344, 21.2634),
    "440823": (110.2501, 21.3772),
    "440825": (110.1767, 20.3255),
    "440881": (110.2862, 21.6097),
    "440882": (110.0966, 20.9142),
    "440883": (110.7784, 21.4418),
    # Approximate point on 东海岛, where most of the zone's land is; not an official seat.
    DEV_ZONE_CODE: (110.43, 21.03),
}

# Street-level units (街道, 镇, 乡 and one state farm) of each county, in the usual listing
# order.  泉庄 and 乐华 are statistically 霞山区's although the development zone manages them;
# 东山, 东简, 民安 and 硇洲 are statistically 麻章区's and are given to the zone here.
STREETS: dict[str, tuple[str, ...]] = {
    "440802": (
        "中华街道", "寸金街道", "民主街道", "中山街道",
        "沙湾街道", "调顺街道", "南桥街道", "北桥街道",
    ),
    "440803": (
        "解放街道", "爱国街道", "工农街道", "友谊街道", "新兴街道", "海滨街道",
        "建设街道", "东新街道", "新园街道", "海头街道", "泉庄街道", "乐华街道",
    ),
    "440804": ("南调街道", "麻斜街道", "坡头镇", "龙头镇", "乾塘镇", "南三镇", "官渡镇"),
    "440811": ("麻章镇", "太平镇", "湖光镇", "湖光农场"),
    "440823": (
        "遂城镇", "黄略镇", "洋青镇", "界炮镇", "乐民镇", "江洪镇", "杨柑镇", "城月镇",
        "乌塘镇", "建新镇", "岭北镇", "北坡镇", "港门镇", "草潭镇", "河头镇",
    ),
    "440825": (
        "徐城街道", "下桥镇", "龙塘镇", "下洋镇", "锦和镇", "和安镇", "新寮镇", "前山镇",
        "西连镇", "迈陈镇", "海安镇", "曲界镇", "南山镇", "城北乡", "角尾乡",
    ),
    "440881": (
        "罗州街道", "城南街道", "城北街道", "石城镇", "新民镇", "吉水镇", "河唇镇",
        "石角镇", "良垌镇", "横山镇", "安铺镇", "营仔镇", "青平镇", "车板镇", "高桥镇",
        "石岭镇", "雅塘镇", "石颈镇", "长山镇", "塘蓬镇", "和寮镇",
    ),
    "440882": (
        "雷城街道", "西湖街道", "新城街道", "附城镇", "白沙镇", "沈塘镇", "客路镇",
        "杨家镇", "唐家镇", "企水镇", "纪家镇", "松竹镇", "南兴镇", "雷高镇", "东里镇",
        "调风镇", "龙门镇", "英利镇", "北和镇", "乌石镇", "覃斗镇",
    ),
    "440883": (
        "梅菉街道", "博铺街道", "海滨街道", "塘尾街道", "大山江街道", "黄坡镇", "吴阳镇",
        "塘㙍镇", "振文镇", "樟铺镇", "长岐镇", "浅水镇", "覃巴镇", "王村港镇", "兰石镇",
    ),
    DEV_ZONE_CODE: ("东简街道", "东山街道", "民安街道", "硇洲镇"),
}  # fmt: skip

HAISHENG_COMMUNITY = "海盛社区"  # 坡头区南调街道海盛社区, named in the article

# A rough outline of the city's land (WGS-84 lon, lat), islands merged into the mainland;
# clockwise from the Beibu Gulf coast of 廉江.  Hand-drawn for the demo, not surveyed.
CITY_OUTLINE: tuple[tuple[float, float], ...] = (
    (109.68, 21.48),  # 安铺/营仔, Beibu Gulf coast
    (109.74, 21.72),  # border with Guangxi
    (109.95, 21.90),
    (110.22, 21.94),  # northern 廉江
    (110.42, 21.82),
    (110.62, 21.70),  # northern 吴川, border with 化州
    (110.93, 21.50),  # border with 茂名
    (110.86, 21.36),
    (110.70, 21.30),  # 吴川 coast
    (110.56, 21.18),  # 南三岛
    (110.62, 21.00),  # eastern 东海岛
    (110.58, 20.86),  # 硇洲岛
    (110.30, 20.86),  # shore of 雷州湾
    (110.30, 20.62),
    (110.52, 20.50),  # 新寮, east coast of 徐闻
    (110.50, 20.26),
    (110.18, 20.22),  # 海安, Qiongzhou Strait
    (109.92, 20.26),  # 角尾, the southern tip
    (109.88, 20.55),
    (109.72, 20.80),  # 乌石/企水, west coast
    (109.80, 21.10),
    (109.70, 21.30),  # 草潭/江洪
)

GRID_NAMES = ("第一网格", "第二网格", "第三网格", "第四网格")

_URBAN_COMMUNITY_STEMS = (
    "东风", "新华", "建设", "民主", "和平", "友谊", "团结", "胜利", "光明", "文明",
    "东方", "南华", "北湖", "西城", "椹川", "金沙", "银帆", "海景", "港湾", "绿塘",
    "荷花", "园丁", "幸福", "康宁", "福海", "龙潭", "凤凰", "长青", "春晖", "文化",
    "青年", "人民", "中兴", "兴华", "福民", "安居", "华港", "海港", "滨湖", "宝满",
    "东堤", "西厅", "南柳", "北月", "新风", "金华", "怡福", "百园", "南苑", "锦绣",
    "海湾", "观海", "鸿运", "永安", "德信", "明珠", "椰林", "金港", "太和", "新城",
)  # fmt: skip
_VILLAGE_FIRST = "东西南北上下新大龙凤石田山林黄陈邓吴莫符洪"
_VILLAGE_SECOND = "岭塘坡湾头尾港园埠潭墩洋岸沟"

# Pieces of a clipped cell smaller than this (about 100 m²) are slivers and are dropped.
_MIN_PART_AREA = 1e-8
# A vertex closer than this to an edge is on it (1e-9 degrees is 0.1 mm).
_ON_EDGE_TOL = 1e-9
_DIGITS = 6


@dataclass(frozen=True)
class RegionSpec:
    """One region of the demo tree, ready for ``nuanxin.geo.services.region_save``."""

    code: str
    name: str
    level: str
    parent_code: str | None
    boundary: dict[str, Any]  # GeoJSON Polygon or MultiPolygon, WGS-84, 6 decimals
    centre: tuple[float, float]  # WGS-84 (lon, lat), inside the boundary


def _street_kind(name: str) -> str:
    """街道 are urban; 镇, 乡 and the farm are rural units of the same level."""
    if name.endswith("街道"):
        return "urban"
    if name.endswith("农场"):
        return "farm"
    return "rural"


def _street_codes(county: str) -> dict[str, str]:
    """Codes in the pattern of GB/T 10114: 街道 from 001, 镇 from 100, 乡 from 200, farms 400."""
    next_number = {"街道": 1, "镇": 100, "乡": 200, "农场": 400}
    codes = {}
    for name in STREETS[county]:
        suffix = next(s for s in next_number if name.endswith(s))
        codes[name] = f"{county}{next_number[suffix]:03d}"
        next_number[suffix] += 1
    return codes


STREET_CODES: dict[str, dict[str, str]] = {county: _street_codes(county) for county in STREETS}

# The four streets the article names, keyed by county + street name.
NAMED_STREETS: dict[str, str] = {
    COUNTY_NAMES[county] + street: STREET_CODES[county][street]
    for county, street in (
        ("440881", "城南街道"),
        ("440804", "南调街道"),
        ("440802", "沙湾街道"),
        ("440803", "新园街道"),
    )
}


# --- geometry helpers -----------------------------------------------------------------------


def _polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon | None:
    """The areal part of an overlay result, slivers dropped; None if nothing is left."""
    parts: list[Polygon] = []
    stack = [geom]
    while stack:
        g = stack.pop()
        if isinstance(g, Polygon):
            if g.area >= _MIN_PART_AREA:
                parts.append(g)
        elif hasattr(g, "geoms"):
            stack.extend(g.geoms)
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return MultiPolygon(sorted(parts, key=lambda p: -p.area))


def _split(parent: BaseGeometry, seeds: Sequence[tuple[float, float]]) -> list[BaseGeometry]:
    """Voronoi cells of ``seeds`` clipped to ``parent``, in seed order."""
    if len(seeds) == 1:
        return [parent]
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=parent, ordered=True)
    pieces = []
    for seed, cell in zip(seeds, cells.geoms, strict=True):
        piece = _polygonal(cell.intersection(parent))
        if piece is None or not piece.covers(Point(seed)):
            raise RuntimeError(f"Voronoi cell of {seed} lost its seed")  # pragma: no cover
        pieces.append(piece)
    return pieces


def _scatter(
    rng: random.Random,
    zone: BaseGeometry,
    n: int,
    spacing: float,
    taken: list[tuple[float, float]],
) -> list[tuple[float, float]]:
    """``n`` random points in ``zone`` at least ``spacing`` from each other and from ``taken``.

    Rejection sampling; the spacing shrinks after a run of failures so it always finishes.
    """
    shapely.prepare(zone)
    min_x, min_y, max_x, max_y = zone.bounds
    chosen: list[tuple[float, float]] = []
    failures = 0
    while len(chosen) < n:
        x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        ok = shapely.contains_xy(zone, x, y) and all(
            math.hypot(x - px, y - py) >= spacing for px, py in (*taken, *chosen)
        )
        if ok:
            chosen.append((x, y))
            failures = 0
        else:
            failures += 1
            if failures >= 200:
                spacing *= 0.85
                failures = 0
    return chosen


def _inner(geom: BaseGeometry, margin: float) -> BaseGeometry:
    """``geom`` shrunk by ``margin`` so seeds keep off the edges (itself if that empties it)."""
    shrunk = geom.buffer(-margin)
    return shrunk if shrunk.area > 0.2 * geom.area else geom


def _seeds_in(rng: random.Random, parent: BaseGeometry, n: int) -> list[tuple[float, float]]:
    """Evenly spread seeds for ``n`` children of ``parent``."""
    spacing = 0.6 * math.sqrt(parent.area / n)
    return _scatter(rng, _inner(parent, 0.15 * spacing), n, spacing, [])


def _street_seeds(
    rng: random.Random, county: BaseGeometry, centre: tuple[float, float], names: Sequence[str]
) -> list[tuple[float, float]]:
    """Seeds for a county's streets: 街道 close around the seat, 镇 and 乡 further out.

    A county without 街道 has its seat town (listed first) at the county seat.
    """
    urban = [i for i, name in enumerate(names) if _street_kind(name) == "urban"]
    rural = [i for i, name in enumerate(names) if _street_kind(name) != "urban"]
    inner = _inner(county, 0.1 * math.sqrt(county.area / len(names)))
    seeds: dict[int, tuple[float, float]] = {}
    groups: list[tuple[list[int], BaseGeometry, float]] = []
    if urban and rural:
        radius = 0.7 * math.sqrt(county.area / math.pi) * math.sqrt(len(urban) / len(names))
        near = inner.intersection(Point(centre).buffer(radius))
        far = inner.difference(Point(centre).buffer(1.3 * radius))
        groups.append((urban, near, math.pi * radius**2))
        groups.append((rural, far, inner.area - math.pi * (1.3 * radius) ** 2))
    elif urban:
        groups.append((urban, inner, inner.area))
    else:
        seeds[rural[0]] = centre
        groups.append((rural[1:], inner, inner.area))
    for indices, zone, expected_area in groups:
        if zone.area < 0.25 * expected_area:
            zone = inner  # the seat is too close to the edge for its ring; use the whole county
        spacing = 0.6 * math.sqrt(zone.area / len(indices))
        points = _scatter(rng, zone, len(indices), spacing, list(seeds.values()))
        seeds.update(zip(indices, points, strict=True))
    return [seeds[i] for i in range(len(names))]


# --- names ------------------------------------------------------------------------------


def _community_names(rng: random.Random, street: str, count: int) -> list[tuple[str, bool]]:
    """(name, is_village) for the communities of one street-level unit."""
    kind = _street_kind(street)
    if kind == "urban":
        stems = list(_URBAN_COMMUNITY_STEMS)
        rng.shuffle(stems)
        names = [stem + "社区" for stem in stems if stem + "社区" != HAISHENG_COMMUNITY]
        if street == "南调街道":
            names.insert(0, HAISHENG_COMMUNITY)
        return [(name, False) for name in names[:count]]
    if kind == "farm":
        names = ["场部社区"] + [f"第{'一二三四五六'[i]}作业区" for i in range(count - 1)]
        return [(name, False) for name in names]
    # 镇 and 乡: the seat community named after the town, then villages.
    result = [(street[:-1] + "社区", False)]
    villages = [a + b + "村" for a in _VILLAGE_FIRST for b in _VILLAGE_SECOND]
    rng.shuffle(villages)
    result.extend((name, True) for name in villages[: count - 1])
    return result


# --- rounding on a shared set of vertices -----------------------------------------------------


def _rings(geom: BaseGeometry) -> Iterable[list[np.ndarray]]:
    """For each polygon of ``geom``: its rings' coordinate arrays, shell first."""
    for poly in shapely.get_parts(geom):
        yield [np.asarray(r.coords) for r in (poly.exterior, *poly.interiors)]


def _finish(geoms: list[BaseGeometry]) -> list[Polygon | MultiPolygon]:
    """Insert every region's vertices into the edges they lie on, then round to 6 decimals."""
    vertices = np.unique(np.concatenate([shapely.get_coordinates(g) for g in geoms]), axis=0)
    tree = shapely.STRtree(shapely.points(vertices))
    finished = []
    for geom in geoms:
        polygons = []
        for rings in _rings(geom):
            new_rings = [_round_ring(_densify(ring, vertices, tree)) for ring in rings]
            if new_rings[0] is None:
                continue
            polygons.append(Polygon(new_rings[0], [r for r in new_rings[1:] if r is not None]))
        result = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
        finished.append(shapely.orient_polygons(result))
    return finished


def _densify(ring: np.ndarray, vertices: np.ndarray, tree: shapely.STRtree) -> np.ndarray:
    """The ring with every known vertex that lies on one of its edges inserted in order."""
    a, b = ring[:-1], ring[1:]
    segments = shapely.linestrings(np.stack([a, b], axis=1))
    seg_idx, pt_idx = tree.query(segments, predicate="dwithin", distance=_ON_EDGE_TOL)
    if len(seg_idx) == 0:
        return ring
    p = vertices[pt_idx]
    ab = b[seg_idx] - a[seg_idx]
    t = np.einsum("ij,ij->i", p - a[seg_idx], ab) / np.einsum("ij,ij->i", ab, ab)
    off_ends = (np.hypot(*(p - a[seg_idx]).T) > _ON_EDGE_TOL) & (
        np.hypot(*(p - b[seg_idx]).T) > _ON_EDGE_TOL
    )
    seg_idx, t, p = seg_idx[off_ends], t[off_ends], p[off_ends]
    order = np.lexsort((t, seg_idx))
    inserted: dict[int, list[np.ndarray]] = {}
    for k in order:
        inserted.setdefault(int(seg_idx[k]), []).append(p[k])
    out = []
    for i in range(len(a)):
        out.append(a[i])
        out.extend(inserted.get(i, ()))
    out.append(ring[-1])
    return np.array(out)


def _round_ring(ring: np.ndarray) -> np.ndarray | None:
    """Round a closed ring to the output precision, dropping repeated points."""
    r = np.round(ring, _DIGITS)
    keep = np.ones(len(r), dtype=bool)
    keep[1:] = np.any(r[1:] != r[:-1], axis=1)
    r = r[keep]
    return r if len(r) >= 4 else None


def _geojson(geom: Polygon | MultiPolygon) -> dict[str, Any]:
    m = mapping(geom)

    def lists(x: Any) -> Any:
        return [lists(v) for v in x] if isinstance(x, tuple | list) else float(x)

    return {"type": m["type"], "coordinates": lists(m["coordinates"])}


def _centre(geom: BaseGeometry, wanted: tuple[float, float]) -> tuple[float, float]:
    """``wanted`` (rounded) if it is inside ``geom``, otherwise a point surely inside."""
    for candidate in (wanted, geom.representative_point().coords[0]):
        rounded = (round(candidate[0], _DIGITS), round(candidate[1], _DIGITS))
        for point in (rounded, candidate):
            if geom.contains(Point(point)):
                return (float(point[0]), float(point[1]))
    raise RuntimeError("no interior point found")  # pragma: no cover


# --- the generator ----------------------------------------------------------------------------


@dataclass
class _Node:
    code: str
    name: str
    level: str
    parent_code: str | None
    geom: BaseGeometry
    seed: tuple[float, float]


def build_regions(seed: int = 2024) -> list[RegionSpec]:
    """The whole demo tree: city, 10 counties, their streets, communities and, for the four
    streets the article names, grids.  Parents come before children (level by level)."""
    outline = orient(Polygon(CITY_OUTLINE), 1.0)
    county_codes = list(COUNTY_NAMES)
    centres = {code: gcj02_to_wgs84(*COUNTY_CENTRES_GCJ02[code]) for code in county_codes}
    # The city's centre is the seat of 赤坎区, where the city government sits.
    city = _Node(CITY_CODE, CITY_NAME, "city", None, outline, centres["440802"])
    counties = [
        _Node(code, COUNTY_NAMES[code], "county", CITY_CODE, cell, centres[code])
        for code, cell in zip(
            county_codes, _split(outline, [centres[c] for c in county_codes]), strict=True
        )
    ]

    streets: list[_Node] = []
    for county in counties:
        rng = random.Random(f"{seed}:{county.code}")
        names = STREETS[county.code]
        seeds = _street_seeds(rng, county.geom, county.seed, names)
        for name, cell, point in zip(names, _split(county.geom, seeds), seeds, strict=True):
            code = STREET_CODES[county.code][name]
            streets.append(_Node(code, name, "street", county.code, cell, point))

    communities: list[_Node] = []
    for street in streets:
        rng = random.Random(f"{seed}:{street.code}")
        if _street_kind(street.name) == "urban":
            count = rng.choices((3, 4, 5, 6), weights=(1, 2, 3, 3))[0]
        else:
            count = rng.choices((3, 4, 5), weights=(1, 2, 2))[0]
        names = _community_names(rng, street.name, count)
        seeds = _seeds_in(rng, street.geom, count)
        numbers = {False: 1, True: 200}  # 社区 from 001, 村 from 200, as in the statistics codes
        for (name, village), cell, point in zip(
            names, _split(street.geom, seeds), seeds, strict=True
        ):
            code = f"{street.code}{numbers[village]:03d}"
            numbers[village] += 1
            communities.append(_Node(code, name, "community", street.code, cell, point))

    named = set(NAMED_STREETS.values())
    grids: list[_Node] = []
    for community in communities:
        if community.parent_code not in named:
            continue
        rng = random.Random(f"{seed}:{community.code}")
        seeds = _seeds_in(rng, community.geom, len(GRID_NAMES))
        for i, (name, cell, point) in enumerate(
            zip(GRID_NAMES, _split(community.geom, seeds), seeds, strict=True), start=1
        ):
            grids.append(
                _Node(f"{community.code}{i:02d}", name, "grid", community.code, cell, point)
            )

    nodes = [city, *counties, *streets, *communities, *grids]
    shapes = _finish([node.geom for node in nodes])
    return [
        RegionSpec(
            code=node.code,
            name=node.name,
            level=node.level,
            parent_code=node.parent_code,
            boundary=_geojson(geom),
            centre=_centre(geom, node.seed),
        )
        for node, geom in zip(nodes, shapes, strict=True)
    ]
