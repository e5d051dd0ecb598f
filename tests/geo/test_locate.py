"""What the maps ask geo: where a point goes on the tiles and which regions it falls in
(/geo/locate), and where to write a region's name (/geo/geojson)."""

import pytest
from shapely.geometry import Point, shape

from nuanxin.geo.coords import gcj02_to_wgs84, wgs84_to_gcj02

pytestmark = pytest.mark.django_db

URL = "/api/v1/geo/locate"


def test_a_phone_fix_is_placed_on_gcj02_tiles_at_its_shifted_position(client, tree):
    answer = client.get(URL, {"lon": 110.05, "lat": 21.05, "crs": "gcj02"}).json()

    assert answer["point"] == pytest.approx(list(wgs84_to_gcj02(110.05, 21.05)), abs=1e-6)
    assert answer["wgs84"] == [110.05, 21.05]
    assert [r["name"] for r in answer["regions"]] == [
        "测试市",
        "A区",
        "A1街道",
        "A1a社区",
        "第1网格",
    ]
    assert answer["regions"][3]["level"] == "community"


def test_a_tap_on_gcj02_tiles_is_named_by_its_true_position(client, tree):
    # Just inside A1a on the tiles, but the true (WGS-84) point lies in A1b to the east: the
    # GCJ-02 shift here is about 500 m, and the regions are looked up at the true position.
    tap = wgs84_to_gcj02(110.1005, 21.05)

    answer = client.get(URL, {"lon": tap[0], "lat": tap[1], "coord_system": "gcj02"}).json()

    assert answer["wgs84"] == pytest.approx(list(gcj02_to_wgs84(*tap)), abs=1e-6)
    assert answer["wgs84"] == pytest.approx([110.1005, 21.05], abs=1e-6)
    assert answer["point"] == answer["wgs84"]  # crs defaults to wgs84
    assert answer["regions"][3]["name"] == "A1b社区"


def test_a_point_outside_every_region_is_still_placed_with_no_regions(client, tree):
    answer = client.get(URL, {"lon": 116.4, "lat": 39.9, "crs": "gcj02"})

    assert answer.status_code == 200
    assert answer.json()["regions"] == []
    assert answer.json()["point"] == pytest.approx(list(wgs84_to_gcj02(116.4, 39.9)), abs=1e-6)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"lon": 110.05, "lat": 95}, (400, "geo.bad_coordinates")),
        ({"lon": 190, "lat": 21.05}, (400, "geo.bad_coordinates")),
        # not a finite number at all: the edge's bounded number type refuses it
        ({"lon": "nan", "lat": 21.05}, (422, "validation_error")),
        ({"lon": "inf", "lat": 21.05, "coord_system": "gcj02"}, (422, "validation_error")),
    ],
)
def test_impossible_coordinates_are_refused_with_a_code(client, tree, params, expected):
    answer = client.get(URL, params)

    assert (answer.status_code, answer.json()["code"]) == expected


@pytest.mark.parametrize("params", [{"lon": 110.05}, {"lon": 110.05, "lat": 21.05, "crs": "bd"}])
def test_missing_or_unknown_parameters_are_refused(client, tree, params):
    answer = client.get(URL, params)

    assert answer.status_code in (400, 422)
    assert answer.json()["code"]


def test_outlines_carry_a_point_inside_each_region_for_its_name_in_the_maps_system(client, tree):
    plain = client.get("/api/v1/geo/geojson", {"level": "community"}).json()["features"]
    shifted = client.get("/api/v1/geo/geojson", {"level": "community", "crs": "gcj02"}).json()

    a1a = next(f for f in plain if f["properties"]["name"] == "A1a社区")
    assert a1a["properties"]["centre"] == list(tree["A1a"].centre)
    assert shape(a1a["geometry"]).contains(Point(a1a["properties"]["centre"]))
    a1a_shifted = next(f for f in shifted["features"] if f["properties"]["name"] == "A1a社区")
    assert a1a_shifted["properties"]["centre"] == pytest.approx(
        list(wgs84_to_gcj02(*tree["A1a"].centre)), abs=1e-6
    )
