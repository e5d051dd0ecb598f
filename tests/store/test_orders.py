"""Placing, cancelling and expiring orders: each state change and each error code."""

import datetime as dt

import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.points import services as points
from nuanxin.points.models import HoldStatus
from nuanxin.stations import services as stations
from nuanxin.store import services
from nuanxin.store.models import Movement, Order, OrderStatus, Stock
from tests.factories import staff
from tests.helpers import error_code
from tests.store.factories import (
    assert_store_clean,
    city_admin,
    keeper_of,
    make_item,
    make_shop,
    station_at,
    stocked,
    worker_with_points,
)

pytestmark = pytest.mark.django_db


def _stock(station, item) -> Stock:
    return Stock.objects.get(station=station, item=item)


def test_an_order_holds_the_points_reserves_one_unit_and_issues_a_code(tree, clock):
    station, item = stocked(tree, quantity=3, price=80)
    person, account = worker_with_points(tree, 100)

    order = services.order_create(worker=person, station=station, item=item)

    assert order.status == OrderStatus.PENDING
    assert len(order.pickup_code) == 6 and order.pickup_code.isdigit()
    assert order.expires_at == clock.at + dt.timedelta(hours=72)
    account.refresh_from_db()
    assert (account.posted, account.held, account.available) == (100, 80, 20)
    assert order.hold.status == HoldStatus.PENDING and order.hold.amount == 80
    stock = _stock(station, item)
    assert (stock.on_shelf, stock.reserved, stock.handed_out) == (2, 1, 0)
    assert Movement.objects.filter(order=order, kind="reserve", quantity=1).exists()
    assert AuditLog.objects.filter(action="store.order_create", object_id=str(order.pk)).exists()
    assert_store_clean()


def test_a_retried_request_returns_the_first_order(tree, clock):
    station, item = stocked(tree, price=10)
    person, account = worker_with_points(tree, 100)

    first = services.order_create(worker=person, station=station, item=item, request_id="r-1")
    again = services.order_create(worker=person, station=station, item=item, request_id="r-1")

    assert again.pk == first.pk
    assert Order.objects.count() == 1
    account.refresh_from_db()
    assert account.held == 10


def test_a_request_id_reused_for_another_item_is_refused(tree, clock):
    station, item = stocked(tree, price=10)
    other = make_item(tree, name="雨衣", price=10)
    services.stock_restock(actor=None, station=station, item=other, quantity=1)
    person, _account = worker_with_points(tree, 100)
    services.order_create(worker=person, station=station, item=item, request_id="r-1")

    code = error_code(
        lambda: services.order_create(worker=person, station=station, item=other, request_id="r-1")
    )

    assert code == "store.request_reused"
    assert Order.objects.count() == 1


def test_not_enough_points_changes_nothing(tree, clock):
    station, item = stocked(tree, price=80)
    person, account = worker_with_points(tree, 50)

    assert error_code(lambda: services.order_create(worker=person, station=station, item=item)) == (
        "store.insufficient_points"
    )
    account.refresh_from_db()
    assert account.held == 0
    assert _stock(station, item).on_shelf == 5


def test_a_worker_with_100_points_cannot_hold_two_80_point_items(tree, clock):
    station, item = stocked(tree, price=80)
    other = make_item(tree, name="头盔", price=80)
    services.stock_restock(actor=None, station=station, item=other, quantity=2)
    person, _account = worker_with_points(tree, 100)
    services.order_create(worker=person, station=station, item=item)

    code = error_code(lambda: services.order_create(worker=person, station=station, item=other))

    assert code == "store.insufficient_points"


def test_the_last_unit_goes_once_then_sold_out(tree, clock):
    station, item = stocked(tree, quantity=1, price=10)
    first, _ = worker_with_points(tree, 100)
    second, _ = worker_with_points(tree, 100)
    services.order_create(worker=first, station=station, item=item)

    code = error_code(lambda: services.order_create(worker=second, station=station, item=item))

    assert code == "store.sold_out"
    assert_store_clean()


def test_an_item_the_station_never_stocked(tree, clock):
    station = make_shop(tree)
    item = make_item(tree)
    person, _ = worker_with_points(tree, 100)
    assert error_code(lambda: services.order_create(worker=person, station=station, item=item)) == (
        "store.not_stocked"
    )


def test_a_station_without_a_shop(tree, clock):

    station = station_at(lon=110.06, lat=21.06)
    item = make_item(tree)
    person, _ = worker_with_points(tree, 100)
    assert error_code(lambda: services.order_create(worker=person, station=station, item=item)) == (
        "store.no_shop"
    )


def test_a_paused_shop_and_a_suspended_station_take_no_orders(tree, clock):
    station, item = stocked(tree, price=10)
    person, _ = worker_with_points(tree, 100)
    services.shop_update(actor=None, station=station, is_open=False)
    assert error_code(lambda: services.order_create(worker=person, station=station, item=item)) == (
        "store.shop_closed"
    )
    services.shop_update(actor=None, station=station, is_open=True)
    stations.station_set_status(station=station, actor=None, status="suspended", note="装修")
    assert error_code(lambda: services.order_create(worker=person, station=station, item=item)) == (
        "store.shop_closed"
    )


@pytest.mark.parametrize("change", ["retired", "not_yet", "ended"])
def test_items_outside_their_window_or_retired_cannot_be_ordered(tree, clock, change):
    station, item = stocked(tree, price=10)
    person, _ = worker_with_points(tree, 100)
    admin = city_admin(tree)
    if change == "retired":
        services.item_update(actor=admin, item=item, retired=True)
    elif change == "not_yet":
        services.item_update(actor=admin, item=item, active_from=clock.at + dt.timedelta(days=1))
    else:
        services.item_update(actor=admin, item=item, active_until=clock.at)
    assert error_code(lambda: services.order_create(worker=person, station=station, item=item)) == (
        "store.item_unavailable"
    )


def test_monthly_limit_per_worker_counts_waiting_and_picked_up_orders(tree, clock):
    station, item = stocked(tree, quantity=5, price=10)
    services.item_update(actor=city_admin(tree), item=item, monthly_limit=2)
    person, _ = worker_with_points(tree, 100)
    first = services.order_create(worker=person, station=station, item=item)
    services.order_create(worker=person, station=station, item=item)

    assert error_code(lambda: services.order_create(worker=person, station=station, item=item)) == (
        "store.monthly_limit"
    )
    services.order_cancel(actor=person, order=first)
    services.order_create(worker=person, station=station, item=item)  # a cancelled one frees it
    clock.set(2030, 6, 1, 9, 0)
    services.order_create(worker=person, station=station, item=item)  # a new month
    assert Order.objects.filter(status=OrderStatus.PENDING).count() == 3


def test_the_worker_cancels_and_gets_points_and_unit_back(tree, clock):
    station, item = stocked(tree, quantity=1, price=30)
    person, account = worker_with_points(tree, 100)
    order = services.order_create(worker=person, station=station, item=item)

    services.order_cancel(actor=person, order=order)

    order.refresh_from_db()
    order.hold.refresh_from_db()
    account.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.resolved_at == clock.at
    assert order.hold.status == HoldStatus.VOIDED
    assert (account.posted, account.held) == (100, 0)
    stock = _stock(station, item)
    assert (stock.on_shelf, stock.reserved) == (1, 0)
    # Cancelling again changes nothing and is not an error (a retried tap).
    services.order_cancel(actor=person, order=order)
    assert Movement.objects.filter(order=order, kind="release").count() == 1
    assert_store_clean()


def test_staff_cancel_needs_a_reason_and_tells_the_worker(tree, clock):
    keeper = keeper_of(tree)
    station = make_shop(tree, keeper=keeper)
    item = make_item(tree, price=10)
    services.stock_restock(actor=keeper, station=station, item=item, quantity=1)
    person, _ = worker_with_points(tree, 100)
    order = services.order_create(worker=person, station=station, item=item)

    assert error_code(lambda: services.order_cancel(actor=keeper, order=order)) == (
        "store.reason_required"
    )
    with pytest.MonkeyPatch.context() as patch:
        sent = []
        patch.setattr("nuanxin.store.services.orders.notification_send", lambda **k: sent.append(k))
        services.order_cancel(actor=keeper, order=order, reason="包装破损")
    assert sent and "包装破损" in str(sent[0]["body"])
    order.refresh_from_db()
    assert order.note == "包装破损" and order.resolved_by == keeper


def test_another_worker_cannot_cancel_and_finds_no_such_order(tree, clock):
    station, item = stocked(tree, price=10)
    person, _ = worker_with_points(tree, 100)
    stranger, _ = worker_with_points(tree, 10)
    order = services.order_create(worker=person, station=station, item=item)
    assert (
        error_code(lambda: services.order_cancel(actor=stranger, order=order))
        == "store.order_not_found"
    )


def test_orders_past_their_deadline_expire_once(tree, clock):
    station, item = stocked(tree, quantity=2, price=10, pickup_hours=2)
    person, account = worker_with_points(tree, 100)
    order = services.order_create(worker=person, station=station, item=item)

    clock.advance(hours=1)
    assert services.orders_expire() == 0
    clock.advance(hours=1)
    assert services.orders_expire() == 1
    assert services.orders_expire() == 0

    order.refresh_from_db()
    account.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    assert account.held == 0
    assert _stock(station, item).on_shelf == 2
    assert error_code(lambda: services.order_cancel(actor=person, order=order)) == (
        "store.order_not_pending"
    )
    assert_store_clean()


def test_expiry_after_the_ledger_released_the_hold_still_returns_the_unit(tree, clock):
    station, item = stocked(tree, quantity=1, price=10, pickup_hours=1)
    person, account = worker_with_points(tree, 100)
    order = services.order_create(worker=person, station=station, item=item)
    clock.advance(days=3)
    assert points.expire_holds() == 1  # the ledger's safety net ran first

    assert services.orders_expire() == 1

    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    assert _stock(station, item).on_shelf == 1
    account.refresh_from_db()
    assert account.held == 0
    assert_store_clean()


def test_with_a_redemption_day_orders_wait_until_the_end_of_that_day(tree, clock):
    station, item = stocked(tree, price=10, redemption_day=20)
    person, _ = worker_with_points(tree, 100)

    before_day = services.order_create(worker=person, station=station, item=item)
    clock.set(2030, 5, 25, 9, 0)
    after_day = services.order_create(worker=person, station=station, item=item)

    local = dt.datetime(2030, 5, 21, 0, 0)
    assert before_day.expires_at.astimezone(clock.at.tzinfo).replace(tzinfo=None) == local
    assert after_day.expires_at.astimezone(clock.at.tzinfo).replace(tzinfo=None) == (
        dt.datetime(2030, 6, 21, 0, 0)
    )


@pytest.mark.parametrize(
    "role", [Role.STATION_KEEPER, Role.STREET_ADMIN, Role.COMMUNITY_STAFF, Role.CITY_ADMIN]
)
def test_only_workers_order(tree, clock, role):
    station, item = stocked(tree, quantity=1, price=10)
    region = {Role.STREET_ADMIN: tree["A1"], Role.CITY_ADMIN: tree.city}.get(role, tree["A1a"])
    officer = staff(role, region)

    call = lambda: services.order_create(worker=officer, station=station, item=item)  # noqa: E731

    assert error_code(call) == "store.workers_only"
    assert not Order.objects.exists()
    assert_store_clean()
