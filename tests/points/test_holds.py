import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from nuanxin.points import services
from nuanxin.points.models import Entry, EntryKind, Hold, HoldStatus
from tests.helpers import error_code
from tests.points.factories import assert_ledger_clean, tid, worker_with_points

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(tree):
    person, account = worker_with_points(tree, 100)
    return person, account, services.shop_sink()


def _hold(account, shop, amount=40, **kwargs):
    return services.hold(
        transfer_id=kwargs.pop("transfer_id", tid("hold")),
        debit=account,
        credit=shop,
        amount=amount,
        reason="store.redemption",
        reference="order:7",
        **kwargs,
    )


def test_hold_reserves_points_without_posting_them(setup):
    _person, account, shop = setup

    held = _hold(account, shop)

    account.refresh_from_db()
    assert (account.posted, account.held, account.available) == (100, 40, 60)
    assert held.status == HoldStatus.PENDING
    assert_ledger_clean()


def test_hold_beyond_the_available_balance_is_refused(setup):
    _person, account, shop = setup
    _hold(account, shop, 60)

    assert error_code(lambda: _hold(account, shop, 41)) == "points.insufficient_balance"
    account.refresh_from_db()
    assert account.held == 60


def test_retried_hold_returns_the_first_hold_even_with_another_deadline(setup):
    _person, account, shop = setup
    soon = timezone.now() + dt.timedelta(minutes=10)

    first = _hold(account, shop, transfer_id="h-1", expires_at=soon)
    second = _hold(account, shop, transfer_id="h-1", expires_at=soon + dt.timedelta(minutes=1))

    account.refresh_from_db()
    assert first.pk == second.pk and second.expires_at == soon
    assert account.held == 40


def test_post_hold_moves_the_points_and_releases_the_reservation(setup):
    person, account, shop = setup
    held = _hold(account, shop)

    entry = services.post_hold(transfer_id="post-1", hold=held, actor=person)

    account.refresh_from_db()
    shop.refresh_from_db()
    held.refresh_from_db()
    assert (account.posted, account.held, shop.posted) == (60, 0, 40)
    assert (entry.kind, entry.hold, entry.amount, entry.reason) == (
        EntryKind.HOLD_POST,
        held,
        40,
        "store.redemption",
    )
    assert (held.status, held.resolution_transfer_id) == (HoldStatus.POSTED, "post-1")
    assert_ledger_clean()


def test_partial_post_releases_the_rest(setup):
    _person, account, shop = setup
    held = _hold(account, shop, 40)

    services.post_hold(transfer_id=tid(), hold=held, amount=25)

    account.refresh_from_db()
    assert (account.posted, account.held, account.available) == (75, 0, 75)
    assert_ledger_clean()


def test_post_cannot_exceed_the_hold(setup):
    _person, account, shop = setup
    held = _hold(account, shop, 40)

    assert error_code(lambda: services.post_hold(transfer_id=tid(), hold=held, amount=41)) == (
        "points.post_exceeds_hold"
    )
    assert error_code(lambda: services.post_hold(transfer_id=tid(), hold=held, amount=0)) == (
        "points.bad_amount"
    )
    held.refresh_from_db()
    assert held.status == HoldStatus.PENDING


def test_retried_post_returns_the_first_entry(setup):
    _person, account, shop = setup
    held = _hold(account, shop)

    first = services.post_hold(transfer_id="post-1", hold=held)
    second = services.post_hold(transfer_id="post-1", hold=held)

    assert first.pk == second.pk
    assert Entry.objects.filter(hold=held).count() == 1


def test_a_hold_is_resolved_at_most_once(setup):
    _person, account, shop = setup
    posted, voided = _hold(account, shop, 10), _hold(account, shop, 10)
    services.post_hold(transfer_id=tid(), hold=posted)
    services.void_hold(transfer_id=tid(), hold=voided)

    assert error_code(lambda: services.post_hold(transfer_id=tid(), hold=posted)) == (
        "points.hold_not_pending"
    )
    assert error_code(lambda: services.void_hold(transfer_id=tid(), hold=posted)) == (
        "points.hold_not_pending"
    )
    assert error_code(lambda: services.post_hold(transfer_id=tid(), hold=voided)) == (
        "points.hold_not_pending"
    )
    assert_ledger_clean()


def test_void_releases_the_reservation_and_a_retry_returns_the_hold(setup):
    _person, account, shop = setup
    held = _hold(account, shop)

    first = services.void_hold(transfer_id="void-1", hold=held, reason="顾客取消")
    again = services.void_hold(transfer_id="void-1", hold=held, reason="顾客取消")

    account.refresh_from_db()
    assert account.held == 0 and account.posted == 100
    assert first.pk == again.pk and again.status == HoldStatus.VOIDED
    assert again.resolution_note == "顾客取消"
    assert_ledger_clean()


def test_void_id_reused_for_another_hold_is_refused(setup):
    _person, account, shop = setup
    one, two = _hold(account, shop, 10), _hold(account, shop, 10)
    services.void_hold(transfer_id="void-1", hold=one)

    assert error_code(lambda: services.void_hold(transfer_id="void-1", hold=two)) == (
        "points.transfer_id_reused"
    )


def test_an_expired_hold_cannot_be_posted_and_the_sweep_releases_it(setup, clock):
    _person, account, shop = setup
    start = timezone.now()
    held = _hold(account, shop, 40, expires_at=start + dt.timedelta(minutes=15))
    clock.set(start + dt.timedelta(minutes=16))

    assert (
        error_code(lambda: services.post_hold(transfer_id=tid(), hold=held))
        == "points.hold_expired"
    )
    assert services.expire_holds() == 1
    assert services.expire_holds() == 0

    held.refresh_from_db()
    account.refresh_from_db()
    assert held.status == HoldStatus.EXPIRED and account.held == 0
    assert_ledger_clean()


def test_hold_deadline_must_be_in_the_future(setup):
    _person, account, shop = setup
    past = timezone.now() - dt.timedelta(seconds=1)

    assert error_code(lambda: _hold(account, shop, expires_at=past)) == "points.bad_expiry"
    assert not Hold.objects.exists()


def test_a_resolved_hold_cannot_be_changed_in_the_database(setup):
    _person, account, shop = setup
    held = _hold(account, shop)
    services.void_hold(transfer_id=tid(), hold=held)

    with pytest.raises(IntegrityError), transaction.atomic():
        Hold.objects.filter(pk=held.pk).update(status=HoldStatus.PENDING)

    held.refresh_from_db()
    assert held.status == HoldStatus.VOIDED
