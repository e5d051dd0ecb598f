"""Builders for store tests: a shop at a station with stock, workers with points, staff."""

from nuanxin.accounts.models import Role
from nuanxin.store import services
from nuanxin.store.checks import store_check
from tests.factories import staff
from tests.points.factories import city_admin, worker_with_points
from tests.stations.factories import make_station

__all__ = ["city_admin", "worker_with_points"]


def keeper_of(tree, community: str = "A1a"):
    return staff(Role.STATION_KEEPER, tree[community])


def station_at(lon: float = 110.05, lat: float = 21.05, **fields):
    """A station open around the clock (in community A1a by default); no amenities, which tests
    that flush the database would have to reinstall."""
    return make_station(lon=lon, lat=lat, amenities=(), **fields)


def make_shop(tree, *, keeper=None, lon: float = 110.05, lat: float = 21.05, **rules):
    """A station in community A1a with its shop open; ``keeper`` keeps it."""
    station = station_at(lon, lat, name="A1a暖新驿站", keepers=[keeper] if keeper else [])
    services.shop_open(actor=None, station=station, **rules)
    return station


def make_item(tree, name: str = "大米 5kg", price: int = 80, category: str = "grain_oil", **fields):
    return services.item_create(
        actor=city_admin(tree), name=name, category=category, points_price=price, **fields
    )


def stocked(tree, quantity: int = 5, price: int = 80, **shop_rules):
    """A shop holding ``quantity`` units of one item costing ``price``."""
    station = make_shop(tree, **shop_rules)
    item = make_item(tree, price=price)
    services.stock_restock(actor=None, station=station, item=item, quantity=quantity)
    return station, item


def assert_store_clean() -> None:
    report = store_check()
    assert report.problems == []
