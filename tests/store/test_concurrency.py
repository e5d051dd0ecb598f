"""Contention with real commits (threads, each with its own connection), on SQLite and
PostgreSQL: nothing is oversold, no points are held twice, a retried order is one order."""

import pytest

from nuanxin.points.checks import ledger_check
from nuanxin.store import services
from nuanxin.store.models import Order, OrderStatus, Stock
from tests.helpers import race
from tests.store.factories import (
    assert_store_clean,
    keeper_of,
    make_item,
    make_shop,
    stocked,
    worker_with_points,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _assert_books_clean():
    assert_store_clean()
    assert ledger_check().problems == []


def test_fifty_workers_racing_for_the_last_three_units(tree):
    station, item = stocked(tree, quantity=3, price=20)
    people = [worker_with_points(tree, 50)[0] for _ in range(50)]

    results = race(
        [lambda p=p: services.order_create(worker=p, station=station, item=item) for p in people]
    )

    orders = [r for r in results if isinstance(r, Order)]
    assert len(orders) == 3
    assert results.count("store.sold_out") == 47
    assert Order.objects.filter(status=OrderStatus.PENDING).count() == 3
    stock = Stock.objects.get(station=station, item=item)
    assert (stock.on_shelf, stock.reserved) == (0, 3)
    _assert_books_clean()


def test_one_worker_with_100_points_cannot_hold_two_80_point_items_at_once(tree):
    station = make_shop(tree)
    items = [make_item(tree, name=f"商品{i}", price=80) for i in range(2)]
    for item in items:
        services.stock_restock(actor=None, station=station, item=item, quantity=5)
    person, account = worker_with_points(tree, 100)

    results = race(
        [
            lambda item=item: services.order_create(worker=person, station=station, item=item)
            for item in items * 3
        ]
    )

    assert sum(isinstance(r, Order) for r in results) == 1
    assert results.count("store.insufficient_points") == 5
    account.refresh_from_db()
    assert (account.held, account.available) == (80, 20)
    _assert_books_clean()


def test_a_retried_order_from_several_connections_is_one_order(tree):
    station, item = stocked(tree, quantity=5, price=10)
    person, account = worker_with_points(tree, 100)

    results = race(
        [
            lambda: services.order_create(
                worker=person, station=station, item=item, request_id="phone-retry-1"
            )
        ]
        * 6
    )

    assert all(isinstance(r, Order) for r in results), results
    assert len({r.pk for r in results}) == 1
    account.refresh_from_db()
    assert account.held == 10
    assert Stock.objects.get(station=station, item=item).on_shelf == 4
    _assert_books_clean()


def test_cancel_expire_and_pickup_racing_for_one_order_resolve_it_once(tree, monkeypatch):
    keeper = keeper_of(tree)
    station = make_shop(tree, keeper=keeper, pickup_hours=1)
    item = make_item(tree, price=10)
    services.stock_restock(actor=None, station=station, item=item, quantity=1)
    person, account = worker_with_points(tree, 100)
    order = services.order_create(worker=person, station=station, item=item)

    results = race(
        [
            lambda: services.order_cancel(actor=person, order=order),
            lambda: services.pickup_confirm(actor=keeper, station=station, code=order.pickup_code),
            lambda: services.orders_expire(at=order.expires_at),
        ]
        * 2
    )

    order.refresh_from_db()
    assert order.status in (OrderStatus.CANCELLED, OrderStatus.PICKED_UP, OrderStatus.EXPIRED)
    assert order.movements.exclude(kind="reserve").count() == 1, results
    account.refresh_from_db()
    assert account.held == 0
    assert account.posted == (90 if order.status == OrderStatus.PICKED_UP else 100)
    _assert_books_clean()


def test_restocks_and_orders_at_once_keep_the_stock_balanced(tree):
    station, item = stocked(tree, quantity=2, price=10)
    people = [worker_with_points(tree, 50)[0] for _ in range(8)]
    calls = [
        lambda p=p: services.order_create(worker=p, station=station, item=item) for p in people
    ]
    calls += [
        lambda: services.stock_restock(actor=None, station=station, item=item, quantity=1)
    ] * 4

    results = race(calls)

    orders = sum(isinstance(r, Order) for r in results)
    stock = Stock.objects.get(station=station, item=item)
    assert stock.restocked == 6
    assert stock.reserved == orders and stock.on_shelf == 6 - orders
    assert results.count("store.sold_out") == 8 - orders
    _assert_books_clean()


def test_eight_orders_racing_for_the_last_one_of_the_monthly_limit(tree):
    station = make_shop(tree)
    item = make_item(tree, price=10, monthly_limit=3)
    services.stock_restock(actor=None, station=station, item=item, quantity=20)
    person, account = worker_with_points(tree, 500)
    for _ in range(2):
        services.order_create(worker=person, station=station, item=item)

    results = race([lambda: services.order_create(worker=person, station=station, item=item)] * 8)

    assert sum(isinstance(r, Order) for r in results) == 1
    assert results.count("store.monthly_limit") == 7
    assert Order.objects.filter(worker=person, item=item).count() == 3
    account.refresh_from_db()
    assert account.held == 30
    _assert_books_clean()
