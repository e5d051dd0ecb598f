"""The catalogue, shops and stock movements: permissions, validation, audit."""

import datetime as dt
import io

import pytest
from PIL import Image

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.store import services
from nuanxin.store.checks import store_check
from nuanxin.store.models import Movement, Order, Stock
from tests.factories import staff
from tests.helpers import error_code
from tests.store.factories import (
    city_admin,
    keeper_of,
    make_item,
    make_shop,
    station_at,
    stocked,
    worker_with_points,
)

pytestmark = pytest.mark.django_db


def test_only_city_admins_keep_the_catalogue(tree):
    county = staff(Role.COUNTY_ADMIN, tree["A"])
    assert error_code(
        lambda: services.item_create(
            actor=county, name="食用油", category="grain_oil", points_price=50
        )
    ) == ("store.forbidden")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"points_price": 0}, "store.bad_price"),
        ({"points_price": True}, "store.bad_price"),
        ({"name": "  "}, "store.bad_name"),
        ({"category": "weapons"}, "store.bad_category"),
        ({"monthly_limit": 0}, "store.bad_limit"),
    ],
)
def test_bad_item_fields_are_refused(tree, fields, code):
    values = {"name": "食用油", "category": "grain_oil", "points_price": 50} | fields
    assert error_code(lambda: services.item_create(actor=city_admin(tree), **values)) == code


def test_duplicate_names_and_audited_updates(tree):
    admin = city_admin(tree)
    item = make_item(tree, name="雨衣", price=40)
    assert error_code(lambda: make_item(tree, name="雨衣")) == "store.duplicate_item"

    services.item_update(actor=admin, item=item, points_price=45)

    row = AuditLog.objects.get(action="store.item_update", object_id=str(item.pk))
    assert row.before["points_price"] == 40 and row.after["points_price"] == 45
    assert (
        error_code(lambda: services.item_update(actor=admin, item=item, id=9)) == "store.bad_field"
    )


def test_a_picture_is_re_encoded_without_metadata(tree):
    item = make_item(tree)
    source = Image.new("RGB", (50, 40), "red")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    raw = io.BytesIO()
    source.save(raw, "JPEG", exif=exif)

    services.item_set_picture(actor=city_admin(tree), item=item, data=raw.getvalue())

    item.refresh_from_db()
    with Image.open(item.picture.path) as stored:
        assert stored.size == (50, 40)
        assert not stored.getexif()
    assert (
        error_code(
            lambda: services.item_set_picture(
                actor=city_admin(tree), item=item, data=b"not an image"
            )
        )
        == "images.unsupported_format"
    )


def test_shops_are_opened_by_region_staff_in_their_area(tree):

    station = station_at(lon=110.05, lat=21.05)
    outsider = staff(Role.STREET_ADMIN, tree["B1"])
    assert error_code(lambda: services.shop_open(actor=outsider, station=station)) == (
        "stations.not_found"
    )
    street = staff(Role.STREET_ADMIN, tree["A1"])
    shop = services.shop_open(actor=street, station=station, redemption_day=15)
    assert shop.redemption_day == 15
    assert error_code(
        lambda: services.shop_update(actor=street, station=station, redemption_day=31)
    ) == ("store.bad_redemption_day")
    assert error_code(
        lambda: services.shop_update(actor=street, station=station, pickup_hours=0)
    ) == ("store.bad_pickup_hours")


def test_restock_and_write_off_are_movements_with_audit(tree):
    keeper = keeper_of(tree)
    station = make_shop(tree, keeper=keeper)
    item = make_item(tree)

    services.stock_restock(actor=keeper, station=station, item=item, quantity=10, note="首批")
    services.stock_remove(actor=keeper, station=station, item=item, quantity=2, reason="受潮")

    stock = Stock.objects.get(station=station, item=item)
    assert (stock.restocked, stock.on_shelf, stock.removed) == (10, 8, 2)
    kinds = list(Movement.objects.filter(stock=stock).values_list("kind", "quantity", "actor"))
    assert sorted(kinds) == [("remove", 2, keeper.pk), ("restock", 10, keeper.pk)]
    assert AuditLog.objects.filter(action="store.stock_remove", note="受潮").exists()
    assert store_check().ok


def test_stock_errors(tree):
    station, item = stocked(tree, quantity=3)
    other_keeper = keeper_of(tree, "B1a")
    assert error_code(
        lambda: services.stock_restock(actor=other_keeper, station=station, item=item, quantity=1)
    ) == ("stations.not_found")
    assert error_code(
        lambda: services.stock_restock(actor=None, station=station, item=item, quantity=0)
    ) == ("store.bad_quantity")
    assert error_code(
        lambda: services.stock_remove(actor=None, station=station, item=item, quantity=1, reason="")
    ) == ("store.reason_required")
    assert error_code(
        lambda: services.stock_remove(
            actor=None, station=station, item=item, quantity=4, reason="盘亏"
        )
    ) == ("store.remove_exceeds_shelf")
    services.item_update(actor=city_admin(tree), item=item, retired=True)
    assert error_code(
        lambda: services.stock_restock(actor=None, station=station, item=item, quantity=1)
    ) == ("store.item_retired")


def test_the_check_finds_a_stock_number_changed_behind_the_services(tree):
    station, item = stocked(tree, quantity=3)
    Stock.objects.filter(station=station, item=item).update(on_shelf=2, removed=1)

    report = store_check()

    assert not report.ok
    assert any("on_shelf 2 != movements 3" in p for p in report.problems)


def test_remaining_input_errors_have_codes(tree, clock):
    admin = city_admin(tree)
    start = clock.at
    assert error_code(
        lambda: make_item(tree, active_from=start, active_until=start - dt.timedelta(hours=1))
    ) == ("store.bad_window")
    assert error_code(
        lambda: make_item(tree, active_from=dt.datetime(2030, 5, 1), active_until=None)
    ) == ("store.bad_window")
    station, item = stocked(tree, price=10)
    person, _ = worker_with_points(tree, 100)
    assert error_code(
        lambda: services.order_create(
            worker=person, station=station, item=item, request_id="r" * 65
        )
    ) == ("store.bad_request_id")
    order = services.order_create(worker=person, station=station, item=item)
    assert error_code(
        lambda: services.order_cancel(actor=person, order=order, reason="长" * 201)
    ) == ("store.note_too_long")
    assert Order.objects.get().status == "pending"
    assert error_code(lambda: services.shop_update(actor=admin, station=station, colour="red")) == (
        "store.bad_field"
    )
