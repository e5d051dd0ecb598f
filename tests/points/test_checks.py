import pytest

from nuanxin.points import services
from nuanxin.points.checks import ledger_check
from nuanxin.points.models import Account
from tests.points.factories import tid, worker_with_points

pytestmark = pytest.mark.django_db


def test_a_clean_ledger_reconciles(tree):
    _person, account = worker_with_points(tree, 100)
    services.hold(
        transfer_id=tid(), debit=account, credit=services.shop_sink(), amount=10, reason="a"
    )

    report = ledger_check()

    assert report.ok and report.problems == []
    assert report.total_debits == report.total_credits > 0
    assert report.entries == 3 and report.holds == 1


def test_a_tampered_balance_is_named(tree):
    _person, account = worker_with_points(tree, 100)
    Account.objects.filter(pk=account.pk).update(posted=150)

    report = ledger_check()

    assert not report.ok
    assert report.mismatched_accounts == [account.key]
    assert any("posted 150 != entries 100" in problem for problem in report.problems)
    assert any("add up to 50" in problem for problem in report.problems)


def test_a_tampered_hold_reservation_is_named(tree):
    _person, account = worker_with_points(tree, 100)
    Account.objects.filter(pk=account.pk).update(held=7)

    report = ledger_check()

    assert report.mismatched_accounts == [account.key]
    assert "held 7 != pending holds 0" in report.problems[0]
