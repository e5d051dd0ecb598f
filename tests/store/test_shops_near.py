"""Which shops a worker is shown: the nearest open ones to a point, or without one the nearest
in the region tree; only open shops at stations in service."""

import random

import pytest

from nuanxin.geo.coords import haversine_m
from nuanxin.stations.services import station_set_status
from nuanxin.store import services
from nuanxin.store.selectors import shops_near
from tests.store.factories import make_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops(tree):
    """Twelve shops over the city (seeded), one of them closed and one at a closed station."""
    rng = random.Random(7)
    stations = [
        make_shop(tree, lon=110.0 + rng.random() * 0.4, lat=21.0 + rng.random() * 0.4)
        for _ in range(12)
    ]
    services.shop_update(actor=None, station=stations[0], is_open=False)
    station_set_status(station=stations[1], actor=None, status="closed", note="装修")
    return stations


def test_with_a_point__the_nearest_open_shops_closest_first(shops):
    lon, lat = 110.21, 21.19
    expected = sorted((haversine_m(lon, lat, s.lon, s.lat), s.pk) for s in shops[2:])[:5]

    found = shops_near(lon=lon, lat=lat)

    assert [(distance, shop.station_id) for shop, distance in found] == expected
    assert all(shop.station.pk == shop.station_id for shop, _ in found)  # stations loaded


def test_without_a_point__the_community_first_then_street_county_and_city(tree, shops):
    open_ones = sorted(shops[2:], key=lambda s: s.code)

    def within(region) -> list[int]:
        return [s.pk for s in open_ones if s.region.path.startswith(region.path)]

    expected: list[int] = []
    for region in (tree["A1a"], tree["A1"], tree["A"], tree.city):
        expected += [pk for pk in within(region) if pk not in expected]

    found = shops_near(lon=None, lat=None, region=tree["A1a"], count=100)
    assert [shop.station_id for shop, distance in found] == expected
    assert all(distance is None for _shop, distance in found)
    first_five = shops_near(lon=None, lat=None, region=tree["A1a"])
    assert [shop.station_id for shop, _ in first_five] == expected[:5]
    by_code = shops_near(lon=None, lat=None, region=None, count=3)
    assert [shop.station_id for shop, _ in by_code] == [s.pk for s in open_ones[:3]]
