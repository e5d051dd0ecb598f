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


@pytest.fixture
def unguarded_ledger():
    """The ledger's tables without their range constraints and integer triggers, as a copy
    damaged outside the services might be; the test's transaction restores them."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
            for table in ("account", "entry", "hold"):
                for op in ("INSERT", "UPDATE"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS points_{table}_integer_{op}")
        else:
            for table, name in [
                ("points_account", "points_account_balance_in_range"),
                ("points_entry", "points_entry_amount_in_range"),
            ]:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    yield connection
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


def test_absurd_amounts_and_balances_are_reported_not_crashed_on(tree, unguarded_ledger):
    from django.core.management import CommandError, call_command

    _person, account = worker_with_points(tree, 100)
    issuance = services.issuance_account()
    huge = 2**62
    with unguarded_ledger.cursor() as cursor:
        for n in range(2):  # together beyond 64 bits: SQLite's SUM refuses to add them up
            cursor.execute(
                "INSERT INTO points_entry (transfer_id, kind, debit_id, credit_id, amount, "
                "reason, reference, note, created_at) VALUES (%s, 'adjustment', %s, %s, %s, "
                "'manual.adjustment', '', '', %s)",
                [f"forged-{n}", issuance.pk, account.pk, huge, "2030-01-01 00:00:00"],
            )
        big = "9223372036854775808" if unguarded_ledger.vendor == "sqlite" else str(2**63 - 1)
        cursor.execute(f"UPDATE points_account SET posted = {big} WHERE id = %s", [account.pk])

    report = ledger_check()

    assert not report.ok
    assert any("forged-0: amount outside" in problem for problem in report.problems)
    assert any(f"account {account.key}: balance outside" in p for p in report.problems)
    assert account.key in report.mismatched_accounts
    # top-up, allocation and earn of 100 each, and the two forged entries, added up exactly
    assert report.total_credits == report.total_debits == 3 * 100 + 2 * huge
    if unguarded_ledger.vendor == "sqlite":
        assert any("a value is not an integer" in problem for problem in report.problems)
    with pytest.raises(CommandError, match="ledger mismatch"):
        call_command("points", "check")
