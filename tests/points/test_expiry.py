import datetime as dt

import pytest
from django.utils import timezone

from nuanxin.points import services
from nuanxin.points.models import Entry, EntryKind
from tests.points.factories import assert_ledger_clean, city_admin, funded_pool, tid, worker

pytestmark = pytest.mark.django_db


def _at(year, month, day):
    return timezone.make_aware(dt.datetime(year, month, day, 12))


@pytest.fixture
def yearly(tree):
    services.policy_update(actor=city_admin(tree), expiry_years=1, daily_cap=None, monthly_cap=None)
    funded_pool(tree, amount=10_000)
    return worker(tree)


def _earn(tree, person, points):
    services.earn(
        transfer_id=tid(),
        worker=person,
        community=tree["A1a"],
        source="report.accepted",
        points=points,
        reference="r",
    )


def _spend(account, points):
    services.transfer(
        transfer_id=tid(), debit=account, credit=services.shop_sink(), amount=points, reason="a.b"
    )


def test_points_expire_at_the_end_of_the_following_year_oldest_first(tree, yearly, clock):
    person = yearly
    account = services.worker_account(person)
    clock.set(_at(2024, 6, 1))
    _earn(tree, person, 100)
    clock.set(_at(2025, 3, 1))
    _spend(account, 30)  # uses 2024's points first
    _earn(tree, person, 50)

    clock.set(_at(2025, 12, 31))
    assert services.expire_points(today=dt.date(2025, 12, 31)) == 0
    clock.set(_at(2026, 1, 1))
    expired = services.expire_points(today=dt.date(2026, 1, 1))
    again = services.expire_points(today=dt.date(2026, 1, 1))

    account.refresh_from_db()
    assert (expired, again, account.posted) == (70, 0, 50)
    entry = Entry.objects.get(kind=EntryKind.EXPIRY)
    assert entry.credit == services.expiry_sink() and entry.reason_label == "积分过期"
    assert_ledger_clean()


def test_held_points_do_not_expire_until_released(tree, yearly, clock):
    person = yearly
    account = services.worker_account(person)
    clock.set(_at(2024, 6, 1))
    _earn(tree, person, 100)
    held = services.hold(
        transfer_id=tid(), debit=account, credit=services.shop_sink(), amount=40, reason="a.b"
    )
    clock.set(_at(2026, 1, 2))

    first = services.expire_points(today=dt.date(2026, 1, 2))
    services.void_hold(transfer_id=tid(), hold=held)
    second = services.expire_points(today=dt.date(2026, 1, 2))

    account.refresh_from_db()
    assert (first, second, account.posted) == (60, 40, 0)
    assert_ledger_clean()


def test_nothing_expires_without_an_expiry_rule(tree, clock):
    funded_pool(tree, amount=100)
    person = worker(tree)
    clock.set(_at(2020, 1, 1))
    _earn(tree, person, 10)

    assert services.expire_points(today=dt.date(2030, 1, 1)) == 0
