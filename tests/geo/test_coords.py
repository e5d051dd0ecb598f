"""Tests for nuanxin.geo.coords: reference values, round trips, validation, distances."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nuanxin.core.errors import ApplicationError
from nuanxin.geo.coords import (
    EARTH_MEAN_RADIUS_M,
    CoordSystem,
    bd09_to_gcj02,
    bd09_to_wgs84,
    coord_system_named,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    haversine_m,
    out_of_china,
    pair,
    point_to_wgs84,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# --- (a) reference points computed by other, independent implementations -----------------
#
# Every pair is (input lon, input lat, expected lon, expected lat, tolerance in degrees).
# The sources list (lat, lng) in some cases; the values below are reordered to (lon, lat).

WGS84_TO_GCJ02 = [
    # googollee/eviltransform, python/test.py, TESTS (shanghai, shenzhen, beijing); that suite
    # checks 6 decimal places.
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597, 1e-6),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766, 1e-6),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069, 1e-6),
    # hujiulong/gcoord, test/unit/crs/WGS84.spec.ts, 'WGS84 to GCJ02' (given to 8 decimals).
    (123.0, 45.0, 123.00607541, 45.00197815, 1e-6),
]

GCJ02_TO_WGS84 = [
    # hujiulong/gcoord, test/unit/crs/GCJ02.spec.ts, 'GCJ02 to WGS84'; gcoord checks 5 decimals.
    (123.0, 45.0, 122.99395597, 44.99804071, 1e-6),
]

GCJ02_TO_BD09 = [
    # hujiulong/gcoord, test/unit/crs/GCJ02.spec.ts, 'GCJ02 to BD09' (8 decimals).
    (123.0, 45.0, 123.00636499, 45.00636899, 1e-6),
    # dromara/hutool, hutool-core/src/test/java/cn/hutool/core/util/CoordinateUtilTest.java,
    # gcj02ToBd09Test.
    (116.404, 39.915, 116.41036949371029, 39.92133699351022, 1e-6),
    # hujiulong/gcoord, test/fixtures/china-cities.json: 钦州市, 汕尾市, 梅州市, fields GCJ02 and
    # BD09 (7 decimals; gcoord's own GCJ02->BD09 test checks 6).
    (108.6541485, 21.9799392, 108.6607283, 21.9856319, 1e-6),
    (115.3751647, 22.7861903, 115.3817179, 22.7918527, 1e-6),
    (116.1222426, 24.2886182, 116.1287823, 24.2944828, 1e-6),
]

# The sources below use Baidu's one-step closed-form inverse, which is itself only good to about
# 1e-6 degrees; our inverse is iterated until it maps back exactly, so 1e-6 is the fair bound.
BD09_TO_GCJ02 = [
    # hujiulong/gcoord, test/unit/crs/BD09.spec.ts, 'BD09 to GCJ02'.
    (123.0, 45.0, 122.99363304, 44.99365430, 1e-6),
    # dromara/hutool, hutool-core/src/test/java/cn/hutool/core/util/CoordinateUtilTest.java,
    # bd09toGcj02Test.
    (116.404, 39.915, 116.39762729119315, 39.90865673957631, 1e-6),
]

BD09_TO_WGS84 = [
    # hujiulong/gcoord, test/unit/crs/BD09.spec.ts, 'BD09 to WGS84' (gcoord checks 5 decimals).
    (123.0, 45.0, 122.98762210, 44.99171540, 5e-6),
]

WGS84_TO_BD09 = [
    # hujiulong/gcoord, test/unit/crs/WGS84.spec.ts, 'WGS84 to BD09' (7 decimals).
    (123.0, 45.0, 123.0124491, 45.0083293, 1e-6),
]


def _check(func, case):
    lon, lat, exp_lon, exp_lat, tol = case
    got_lon, got_lat = func(lon, lat)
    assert got_lon == pytest.approx(exp_lon, abs=tol)
    assert got_lat == pytest.approx(exp_lat, abs=tol)


@pytest.mark.parametrize("case", WGS84_TO_GCJ02)
def test_wgs84_to_gcj02_reference(case):
    _check(wgs84_to_gcj02, case)


@pytest.mark.parametrize("case", GCJ02_TO_WGS84)
def test_gcj02_to_wgs84_reference(case):
    _check(gcj02_to_wgs84, case)


@pytest.mark.parametrize("case", WGS84_TO_GCJ02)
def test_gcj02_to_wgs84_inverts_references(case):
    wgs_lon, wgs_lat, gcj_lon, gcj_lat, _ = case
    lon, lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert haversine_m(lon, lat, wgs_lon, wgs_lat) < 0.1


@pytest.mark.parametrize("case", GCJ02_TO_BD09)
def test_gcj02_to_bd09_reference(case):
    _check(gcj02_to_bd09, case)


@pytest.mark.parametrize("case", BD09_TO_GCJ02)
def test_bd09_to_gcj02_reference(case):
    _check(bd09_to_gcj02, case)


@pytest.mark.parametrize("case", BD09_TO_WGS84)
def test_bd09_to_wgs84_reference(case):
    _check(bd09_to_wgs84, case)


@pytest.mark.parametrize("case", WGS84_TO_BD09)
def test_wgs84_to_bd09_reference(case):
    _check(wgs84_to_bd09, case)


# --- (b) properties over mainland China --------------------------------------------------

china_lon = st.floats(min_value=73.5, max_value=135.0, allow_nan=False)
china_lat = st.floats(min_value=18.0, max_value=53.5, allow_nan=False)


@given(china_lon, china_lat)
def test_gcj02_round_trip_within_10_cm(lon, lat):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert haversine_m(lon, lat, *back) < 0.1


@given(china_lon, china_lat)
def test_bd09_round_trip_within_10_cm(lon, lat):
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert haversine_m(lon, lat, *back) < 0.1


@given(china_lon, china_lat)
def test_bd09_gcj02_round_trip_within_10_cm(lon, lat):
    back = bd09_to_gcj02(*gcj02_to_bd09(lon, lat))
    assert haversine_m(lon, lat, *back) < 0.1


@given(china_lon, china_lat)
def test_gcj02_offset_is_tens_to_hundreds_of_metres(lon, lat):
    offset = haversine_m(lon, lat, *wgs84_to_gcj02(lon, lat))
    assert 1.0 < offset < 1000.0


@given(china_lon, china_lat, st.sampled_from(list(CoordSystem)))
def test_dispatchers_are_inverse(lon, lat, system):
    back = to_wgs84(*from_wgs84(lon, lat, system), system)
    assert haversine_m(lon, lat, *back) < 0.1


# --- (c) outside China nothing moves ------------------------------------------------------

OUTSIDE = [
    (0.0, 0.0),
    (-74.0060, 40.7128),  # New York
    (2.3522, 48.8566),  # Paris
    (139.6917, 35.6895),  # Tokyo, east of the GCJ-02 rectangle
    (151.2093, -33.8688),  # Sydney
    (37.6173, 55.7558),  # Moscow, west of it
    (110.0, 60.0),  # north of it
]


@pytest.mark.parametrize(("lon", "lat"), OUTSIDE)
def test_outside_china_is_unchanged(lon, lat):
    assert out_of_china(lon, lat)
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)
    assert to_wgs84(lon, lat, "gcj02") == (lon, lat)
    assert from_wgs84(lon, lat, CoordSystem.GCJ02) == (lon, lat)


@given(
    st.floats(min_value=-180.0, max_value=180.0, allow_nan=False),
    st.floats(min_value=-90.0, max_value=90.0, allow_nan=False),
)
def test_gcj_transforms_fix_every_point_outside_the_rectangle(lon, lat):
    if out_of_china(lon, lat):
        assert wgs84_to_gcj02(lon, lat) == (lon, lat)
        assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_zhanjiang_is_inside_china():
    assert not out_of_china(110.3659, 21.2661)


# --- dispatchers --------------------------------------------------------------------------


def test_to_wgs84_dispatches_on_system():
    lon, lat = 110.3659, 21.2661
    assert to_wgs84(lon, lat, "wgs84") == (lon, lat)
    assert to_wgs84(lon, lat, "gcj02") == gcj02_to_wgs84(lon, lat)
    assert to_wgs84(lon, lat, CoordSystem.BD09) == bd09_to_wgs84(lon, lat)
    assert from_wgs84(lon, lat, "bd09") == wgs84_to_bd09(lon, lat)
    assert from_wgs84(lon, lat, CoordSystem.WGS84) == (lon, lat)


def test_integer_input_is_accepted_and_returned_as_float():
    lon, lat = to_wgs84(110, 21, "wgs84")
    assert (lon, lat) == (110.0, 21.0)
    assert isinstance(lon, float)
    assert isinstance(lat, float)


def test_range_limits_are_inclusive():
    assert to_wgs84(180.0, 90.0, "wgs84") == (180.0, 90.0)
    assert from_wgs84(-180.0, -90.0, "gcj02") == (-180.0, -90.0)


# --- (d) bad input ------------------------------------------------------------------------

BAD_POINTS = [
    (180.000001, 0.0, "longitude"),
    (-181.0, 0.0, "longitude"),
    (0.0, 90.5, "latitude"),
    (0.0, -91.0, "latitude"),
    (math.nan, 21.0, "longitude"),
    (110.0, math.inf, "latitude"),
    ("110.3", 21.0, "longitude"),
    (None, 21.0, "longitude"),
    (110.0, True, "latitude"),
]


@pytest.mark.parametrize("func", [to_wgs84, from_wgs84])
@pytest.mark.parametrize(("lon", "lat", "field"), BAD_POINTS)
def test_bad_coordinates_raise_value_error(func, lon, lat, field):
    with pytest.raises(ValueError, match=field):
        func(lon, lat, "wgs84")


@pytest.mark.parametrize("func", [to_wgs84, from_wgs84])
@pytest.mark.parametrize("system", ["utm", "WGS-84", "", None, 4326])
def test_unknown_system_raises_value_error(func, system):
    with pytest.raises(ValueError, match="coordinate system"):
        func(110.0, 21.0, system)


# --- (e) distances ------------------------------------------------------------------------


def test_one_degree_of_latitude():
    d = haversine_m(110.0, 21.0, 110.0, 22.0)
    assert d == pytest.approx(EARTH_MEAN_RADIUS_M * math.pi / 180.0, rel=1e-12)
    assert d == pytest.approx(111_195, abs=1)  # ~111.2 km


def test_one_degree_of_longitude_shrinks_with_latitude():
    at_equator = haversine_m(0.0, 0.0, 1.0, 0.0)
    at_60 = haversine_m(0.0, 60.0, 1.0, 60.0)
    assert at_equator == pytest.approx(111_195, abs=1)
    assert at_60 == pytest.approx(at_equator / 2, rel=1e-4)


def test_haversine_basic_properties():
    assert haversine_m(110.4, 21.2, 110.4, 21.2) == 0.0
    a = haversine_m(110.3659, 21.2661, 110.2862, 21.6097)
    b = haversine_m(110.2862, 21.6097, 110.3659, 21.2661)
    assert a == pytest.approx(b)
    assert haversine_m(0.0, 0.0, 180.0, 0.0) == pytest.approx(math.pi * EARTH_MEAN_RADIUS_M)


def test_haversine_known_city_distance():
    # Beijing (Tiananmen) to Shanghai (People's Square): about 1,067 km on the sphere.
    d = haversine_m(116.3975, 39.9087, 121.4737, 31.2304)
    assert 1_060_000 < d < 1_075_000


@pytest.mark.parametrize(
    ("text", "system"),
    [
        ("", CoordSystem.WGS84),
        ("  ", CoordSystem.WGS84),
        ("GPS", CoordSystem.WGS84),
        ("WGS-84", CoordSystem.WGS84),
        ("GCJ-02（高德/腾讯）", CoordSystem.GCJ02),
        ("高德 地图", CoordSystem.GCJ02),
        ("火星坐标", CoordSystem.GCJ02),
        ("BD-09", CoordSystem.BD09),
        ("百度", CoordSystem.BD09),
        ("utm", None),
        ("北京54", None),
    ],
)
def test_coordinate_system_names_people_write(text, system):
    assert coord_system_named(text) == system


@pytest.mark.parametrize(
    "point",
    [(200, 21), (110, 95), ("110", "21"), (True, 21), (float("nan"), 21), None, (1,), "ab"],
)
def test_every_unconvertible_point_is_one_refusal(point):
    with pytest.raises(ApplicationError) as raised:
        point_to_wgs84(*pair(point), CoordSystem.GCJ02)
    assert raised.value.code == "geo.bad_coordinates" and raised.value.status == 400


def test_an_unknown_system_is_the_same_refusal():
    with pytest.raises(ApplicationError) as raised:
        point_to_wgs84(110.3, 21.2, "mars")
    assert raised.value.code == "geo.bad_coordinates"
