"""Tests for the Zhanjiang demo geography (nuanxin.demo.zhanjiang): plain data, no database."""

import math
from collections import Counter, defaultdict

import pytest
import shapely
from shapely.geometry import Point, Polygon, box, shape

from nuanxin.demo.zhanjiang import (
    CITY_CODE,
    COUNTY_CENTRES_GCJ02,
    DEMO_BOUNDARY_NOTE,
    DEV_ZONE_CODE,
    HAISHENG_COMMUNITY,
    LEVELS,
    NAMED_STREETS,
    STREETS,
    _finish,
    _split,
    build_regions,
)
from nuanxin.geo.coords import gcj02_to_wgs84

AREA_TOL = 1e-9  # square degrees, about 12 m²

COUNTY_CODES = {
    "440802": "赤坎区",
    "440803": "霞山区",
    "440804": "坡头区",
    "440811": "麻章区",
    "440823": "遂溪县",
    "440825": "徐闻县",
    "440881": "廉江市",
    "440882": "雷州市",
    "440883": "吴川市",
    "440871": "湛江经济技术开发区",
}
CODE_LENGTH = {"city": 6, "county": 6, "street": 9, "community": 12, "grid": 14}


@pytest.fixture(scope="module")
def regions():
    return build_regions()


@pytest.fixture(scope="module")
def by_code(regions):
    return {r.code: r for r in regions}


@pytest.fixture(scope="module")
def shapes(regions):
    return {r.code: shape(r.boundary) for r in regions}


@pytest.fixture(scope="module")
def children(regions):
    result = defaultdict(list)
    for r in regions:
        result[r.parent_code].append(r)
    return result


def test_note_marks_boundaries_as_demo_data():
    assert DEMO_BOUNDARY_NOTE == "演示用近似边界，非官方数据"


def test_one_city_and_ten_counties(regions):
    top = [r for r in regions if r.level in ("city", "county")]
    assert len(top) == 11
    (city,) = [r for r in top if r.level == "city"]
    assert (city.code, city.name, city.parent_code) == (CITY_CODE, "湛江市", None)
    counties = {r.code: r for r in top if r.level == "county"}
    assert {code: r.name for code, r in counties.items()} == COUNTY_CODES
    assert all(r.parent_code == CITY_CODE for r in counties.values())
    assert DEV_ZONE_CODE == "440871"
    assert set(COUNTY_CENTRES_GCJ02) == set(COUNTY_CODES)


def test_county_centres_lie_in_their_own_county_only(shapes):
    for code, gcj in COUNTY_CENTRES_GCJ02.items():
        point = Point(gcj02_to_wgs84(*gcj))
        assert shapes[code].contains(point), code
        for other in COUNTY_CODES:
            if other != code:
                assert not shapes[other].intersects(point), (code, other)
        # "comfortably" inside the city outline: at least ~5 km from its edge
        assert shapes[CITY_CODE].exterior.distance(point) > 0.05, code


def test_region_centres_are_inside_their_boundaries(regions, shapes):
    for r in regions:
        assert shapes[r.code].contains(Point(r.centre)), r.code


def test_county_centres_are_the_converted_seats(by_code):
    for code, gcj in COUNTY_CENTRES_GCJ02.items():
        lon, lat = gcj02_to_wgs84(*gcj)
        assert by_code[code].centre == pytest.approx((lon, lat), abs=1e-6)


def test_codes_are_unique_and_nested(regions, by_code):
    assert len(by_code) == len(regions)
    for r in regions:
        assert r.level in LEVELS
        assert len(r.code) == CODE_LENGTH[r.level], r.code
        assert r.code.isdigit()
        if r.parent_code is None:
            assert r.level == "city"
            continue
        parent = by_code[r.parent_code]
        assert LEVELS.index(parent.level) == LEVELS.index(r.level) - 1
        if r.level != "county":
            assert r.code.startswith(parent.code)


def test_parents_come_before_children(regions):
    position = {r.code: i for i, r in enumerate(regions)}
    for r in regions:
        if r.parent_code is not None:
            assert position[r.parent_code] < position[r.code]


def test_boundaries_are_valid_rounded_geojson(regions, shapes):
    for r in regions:
        assert r.boundary["type"] in ("Polygon", "MultiPolygon")
        geom = shapes[r.code]
        assert geom.is_valid, (r.code, shapely.is_valid_reason(geom))
        assert not geom.is_empty
        coords = shapely.get_coordinates(geom)
        assert all(round(v, 6) == v for v in coords.ravel()), r.code
        min_lon, min_lat, max_lon, max_lat = geom.bounds
        assert min_lon >= 109.6 and max_lon <= 111.0, r.code
        assert min_lat >= 20.1 and max_lat <= 22.0, r.code
        for poly in shapely.get_parts(geom):
            assert shapely.is_ccw(poly.exterior), r.code  # RFC 7946 winding


def test_children_lie_within_their_parent(regions, shapes):
    for r in regions:
        if r.parent_code is not None:
            outside = shapes[r.code].difference(shapes[r.parent_code]).area
            assert outside < AREA_TOL, (r.code, outside)


def test_siblings_do_not_overlap(children, shapes):
    for kids in children.values():
        geoms = [shapes[k.code] for k in kids]
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        for i, j in zip(left, right, strict=True):
            if i < j:
                overlap = geoms[i].intersection(geoms[j]).area
                assert overlap < AREA_TOL, (kids[i].code, kids[j].code, overlap)


def test_children_cover_their_parent(children, shapes):
    # Not required, but the Voronoi split leaves no gaps worth a point lookup missing.
    for parent_code, kids in children.items():
        if parent_code is None:
            continue
        union = shapely.union_all([shapes[k.code] for k in kids])
        assert shapes[parent_code].difference(union).area < AREA_TOL, parent_code


def test_street_names_are_the_real_lists(children):
    for county, names in STREETS.items():
        assert [s.name for s in children[county]] == list(names)
        assert 4 <= len(names) <= 21


def test_urban_streets_lie_nearer_the_seat_than_towns(by_code, children):
    for county in STREETS:
        streets = children[county]
        seat = by_code[county].centre

        def dist(s, seat=seat):
            return math.dist(s.centre, seat)

        urban = [dist(s) for s in streets if s.name.endswith("街道")]
        rural = [dist(s) for s in streets if not s.name.endswith("街道")]
        if urban and rural:
            assert max(urban) < min(rural), county


def test_named_streets_and_haisheng(by_code, children):
    assert set(NAMED_STREETS) == {
        "廉江市城南街道",
        "坡头区南调街道",
        "赤坎区沙湾街道",
        "霞山区新园街道",
    }
    for key, code in NAMED_STREETS.items():
        street = by_code[code]
        county = by_code[street.parent_code]
        assert street.level == "street"
        assert county.name + street.name == key
    nandiao = NAMED_STREETS["坡头区南调街道"]
    assert by_code[nandiao].parent_code == "440804"
    assert HAISHENG_COMMUNITY == "海盛社区"
    assert HAISHENG_COMMUNITY in [c.name for c in children[nandiao]]
    assert by_code[NAMED_STREETS["赤坎区沙湾街道"]].parent_code == "440802"
    assert by_code[NAMED_STREETS["霞山区新园街道"]].parent_code == "440803"
    assert by_code[NAMED_STREETS["廉江市城南街道"]].parent_code == "440881"


def test_grids_only_in_the_named_streets(regions, by_code, children):
    named = set(NAMED_STREETS.values())
    communities_of_named = [c for c in regions if c.level == "community" and c.parent_code in named]
    for community in communities_of_named:
        grids = children[community.code]
        assert [g.name for g in grids] == ["第一网格", "第二网格", "第三网格", "第四网格"]
        assert [g.code for g in grids] == [f"{community.code}{i:02d}" for i in (1, 2, 3, 4)]
    grid_parents = {r.parent_code for r in regions if r.level == "grid"}
    assert grid_parents == {c.code for c in communities_of_named}


def test_community_counts_and_names(regions, children):
    for street in (r for r in regions if r.level == "street"):
        kids = children[street.code]
        names = [k.name for k in kids]
        assert len(set(names)) == len(names), street.code
        if street.name.endswith("街道"):
            assert 3 <= len(kids) <= 6, street.code
            assert all(n.endswith("社区") for n in names)
        else:
            assert 3 <= len(kids) <= 5, street.code
            assert all(n.endswith(("社区", "村", "作业区")) for n in names), names


def test_totals(regions):
    counts = Counter(r.level for r in regions)
    assert counts["city"] == 1
    assert counts["county"] == 10
    assert 120 <= counts["street"] <= 150
    assert 500 <= counts["community"] <= 700
    assert counts["grid"] > 0
    assert counts["grid"] % 4 == 0


def test_deterministic(regions):
    again = build_regions()
    assert again == regions
    assert build_regions(seed=2024) == regions


def test_other_seed_moves_the_inner_boundaries_only(regions, shapes):
    other = build_regions(seed=7)
    for r in other:
        if r.level in ("city", "county"):
            # Same cells; only the rounding of the vertices inserted along the edges differs.
            moved = shape(r.boundary).symmetric_difference(shapes[r.code]).area
            assert moved < 1e-6 * shapes[r.code].length, r.code
    streets = [r for r in regions if r.level == "street"]
    other_streets = [r for r in other if r.level == "street"]
    assert [r.code for r in other_streets] == [r.code for r in streets]
    assert [r.centre for r in other_streets] != [r.centre for r in streets]


def test_a_cell_split_by_a_concave_parent_stays_a_multipolygon():
    # A "C": the cell of the seed at the upper tip reaches across the gap to the lower tip,
    # while the back of the C belongs to the other seed.
    c_shape = box(0, 0, 4, 4).difference(box(1, 1, 4, 3))
    tip, back = _split(c_shape, [(3.5, 3.5), (0.5, 2.0)])
    assert tip.geom_type == "MultiPolygon"
    assert back.geom_type == "Polygon"
    parent, tip, back = _finish([c_shape, tip, back])
    assert isinstance(parent, Polygon)
    for child in (tip, back):
        assert child.is_valid
        assert child.difference(parent).area < AREA_TOL
    assert tip.intersection(back).area < AREA_TOL
    assert abs(tip.area + back.area - parent.area) < AREA_TOL
