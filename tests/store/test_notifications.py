"""What the worker hears about an order: ready to pick up, about to expire, expired."""

import datetime as dt

import pytest

from nuanxin.core.models import Notification
from nuanxin.store import services
from tests.store.factories import stocked, worker_with_points

pytestmark = pytest.mark.django_db


def kinds(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("kind", flat=True)
    )


def test_an_order_tells_the_worker_where_and_with_which_code_to_pick_it_up(
    tree, clock, django_capture_on_commit_callbacks
):
    station, item = stocked(tree, price=10)
    person, _account = worker_with_points(tree, 100)

    with django_capture_on_commit_callbacks(execute=True):
        order = services.order_create(worker=person, station=station, item=item, request_id="a")
        services.order_create(worker=person, station=station, item=item, request_id="a")

    (note,) = Notification.objects.filter(user=person)
    assert note.kind == "store.ready" and item.name in note.title
    assert order.pickup_code in note.body and station.name in note.body
    assert "2030-05-18 10:00" in note.body  # 72 hours after 2030-05-15 10:00
    assert note.url == "/store/orders/"


def test_a_waiting_order_is_reminded_once_a_day_before_it_expires_then_expires(
    tree, clock, settings, django_capture_on_commit_callbacks
):
    settings.STORE_EXPIRY_REMINDER_HOURS = 24
    station, item = stocked(tree, price=10)
    person, _account = worker_with_points(tree, 100)

    with django_capture_on_commit_callbacks(execute=True):
        order = services.order_create(worker=person, station=station, item=item)
        clock.advance(hours=47)
        assert services.orders_remind_expiring() == 0  # 25 hours left
        clock.advance(hours=2)
        assert services.orders_remind_expiring() == 1
        assert services.orders_remind_expiring() == 0
        clock.at = order.expires_at + dt.timedelta(minutes=1)
        assert services.orders_expire() == 1

    assert kinds(person) == ["store.ready", "store.expiring", "store.expired"]
    expiring = Notification.objects.get(user=person, kind="store.expiring")
    assert "2030-05-18 10:00" in expiring.body


def test_an_order_picked_up_or_cancelled_before_the_window_gets_no_reminder(
    tree, clock, settings, django_capture_on_commit_callbacks
):
    settings.STORE_EXPIRY_REMINDER_HOURS = 24
    station, item = stocked(tree, price=10)
    person, _account = worker_with_points(tree, 100)

    with django_capture_on_commit_callbacks(execute=True):
        order = services.order_create(worker=person, station=station, item=item)
        services.order_cancel(actor=person, order=order)
        clock.advance(hours=60)
        assert services.orders_remind_expiring() == 0

    assert kinds(person) == ["store.ready"]
