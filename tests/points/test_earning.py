import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from nuanxin.core.errors import ApplicationError
from nuanxin.points import services
from nuanxin.points.models import Entry, EntryKind, TransferKey
from tests.helpers import error_code
from tests.points.factories import (
    assert_ledger_clean,
    city_admin,
    funded_pool,
    tid,
    worker,
)

pytestmark = pytest.mark.django_db


def _earn(tree, person, points, transfer_id=None, community="A1a", **kwargs):
    return services.earn(
        transfer_id=transfer_id or tid("earn"),
        worker=person,
        community=tree[community],
        source=kwargs.pop("source", "report.accepted"),
        points=points,
        reference=kwargs.pop("reference", "report:1"),
        **kwargs,
    )


@pytest.fixture
def caps(tree):
    return services.policy_update(actor=city_admin(tree), daily_cap=50, monthly_cap=120)


def test_earn_moves_points_from_the_pool_to_the_worker(tree):
    pool = funded_pool(tree, amount=500)
    person = worker(tree)

    result = _earn(tree, person, 20)

    pool.refresh_from_db()
    assert (result.granted, result.requested, result.limited_by) == (20, 20, None)
    assert result.entry.kind == EntryKind.EARN and result.entry.debit == pool
    assert pool.posted == 480
    assert services.worker_account(person).posted == 20
    assert_ledger_clean()


def test_daily_cap_grants_what_is_left_then_nothing(tree, caps):
    funded_pool(tree, amount=500)
    person = worker(tree)
    _earn(tree, person, 30)

    partial = _earn(tree, person, 30)
    nothing = _earn(tree, person, 10, transfer_id="late")

    assert (partial.granted, partial.requested, partial.limited_by) == (20, 30, "daily_cap")
    assert (nothing.entry, nothing.granted, nothing.limited_by) == (None, 0, "daily_cap")
    assert TransferKey.objects.filter(pk="late", granted=0).exists()
    assert services.worker_account(person).posted == 50


def test_a_zero_earn_retried_the_next_day_returns_the_same_zero(tree, caps, clock):
    funded_pool(tree, amount=500)
    person = worker(tree)
    _earn(tree, person, 50)
    first = _earn(tree, person, 10, transfer_id="late")
    clock.set(timezone.now() + dt.timedelta(days=1))

    again = _earn(tree, person, 10, transfer_id="late")

    assert (again.granted, again.entry, again.replayed) == (0, None, True)
    assert first.replayed is False
    assert services.worker_account(person).posted == 50


def test_monthly_cap_limits_across_days(tree, caps, clock):
    funded_pool(tree, amount=500)
    person = worker(tree)
    day = timezone.make_aware(dt.datetime(2025, 3, 3, 10))
    for offset in range(2):
        clock.set(day + dt.timedelta(days=offset))
        assert _earn(tree, person, 50).granted == 50

    clock.set(day + dt.timedelta(days=2))
    result = _earn(tree, person, 50)
    clock.set(timezone.make_aware(dt.datetime(2025, 4, 1, 0, 5)))
    next_month = _earn(tree, person, 50)

    assert (result.granted, result.limited_by) == (20, "monthly_cap")
    assert (next_month.granted, next_month.limited_by) == (50, None)


def test_caps_count_local_days(tree, caps, clock):
    funded_pool(tree, amount=500)
    person = worker(tree)
    # 23:30 and 00:30 Beijing time are different local days though the same UTC day.
    clock.set(timezone.make_aware(dt.datetime(2025, 3, 3, 23, 30)))
    _earn(tree, person, 50)
    clock.set(timezone.make_aware(dt.datetime(2025, 3, 4, 0, 30)))

    assert _earn(tree, person, 50).granted == 50


def test_a_pool_cannot_award_beyond_its_budget(tree):
    pool = funded_pool(tree, amount=30)
    person = worker(tree)

    assert (
        error_code(lambda: _earn(tree, person, 40, transfer_id="e-1")) == "points.budget_exhausted"
    )
    assert not TransferKey.objects.filter(pk="e-1").exists()
    pool.refresh_from_db()
    assert pool.posted == 30


def test_an_earn_refused_for_budget_succeeds_with_the_same_id_after_funding(tree):
    funded_pool(tree, amount=30)
    person = worker(tree)
    with pytest.raises(ApplicationError):
        _earn(tree, person, 40, transfer_id="e-1")
    funded_pool(tree, amount=30)

    assert _earn(tree, person, 40, transfer_id="e-1").granted == 40


def test_retried_earn_returns_the_first_result_and_pays_once(tree):
    funded_pool(tree, amount=500)
    person = worker(tree)

    first = _earn(tree, person, 20, transfer_id="report:9:accepted")
    again = _earn(tree, person, 20, transfer_id="report:9:accepted")

    assert again.entry.pk == first.entry.pk and again.replayed
    assert services.worker_account(person).posted == 20


def test_earn_id_reused_with_other_points_is_refused(tree):
    funded_pool(tree, amount=500)
    person = worker(tree)
    _earn(tree, person, 20, transfer_id="e-1")

    assert (
        error_code(lambda: _earn(tree, person, 25, transfer_id="e-1"))
        == "points.transfer_id_reused"
    )


def test_earn_validates_its_input(tree):
    funded_pool(tree, amount=500)
    person = worker(tree)

    assert error_code(lambda: _earn(tree, person, 0)) == "points.bad_amount"
    assert error_code(lambda: _earn(tree, person, 5, source="")) == "points.reason_required"
    assert error_code(lambda: _earn(tree, person, 5, community="A1")) == "points.not_a_community"


def test_checkin_pays_once_per_local_day(tree):
    funded_pool(tree, amount=500)
    person = worker(tree)
    day = dt.date(2025, 5, 1)

    first = services.earn_checkin(
        worker=person, community=tree["A1a"], station_reference="station:1", day=day
    )
    second = services.earn_checkin(
        worker=person, community=tree["A1a"], station_reference="station:2", day=day
    )
    next_day = services.earn_checkin(
        worker=person, community=tree["A1a"], station_reference="station:2", day=day.replace(day=2)
    )

    assert (first.granted, first.replayed) == (2, False)
    assert (second.granted, second.replayed, second.entry.pk) == (2, True, first.entry.pk)
    assert next_day.granted == 2 and not next_day.replayed
    assert Entry.objects.filter(reason="station.checkin").count() == 2
    assert first.entry.reference == "station:1"
    assert first.entry.transfer_id == services.checkin_transfer_id(person, day)


@pytest.mark.parametrize(
    ("hours", "per_hour", "cap", "expected"),
    [
        (Decimal("2"), None, None, 20),
        (Decimal("2.55"), None, None, 25),
        (Decimal("12"), None, None, 80),
        (Decimal("12"), 5, 1000, 60),
        (Decimal("0"), None, None, 0),
    ],
)
def test_volunteer_points_use_the_policy_rate_and_cap(db, hours, per_hour, cap, expected):
    assert services.volunteer_points(hours=hours, per_hour=per_hour, cap=cap) == expected


@pytest.mark.parametrize("hours", [Decimal("-1"), "abc", Decimal("NaN")])
def test_volunteer_hours_must_be_a_non_negative_number(db, hours):
    assert error_code(lambda: services.volunteer_points(hours=hours)) == "points.bad_hours"
