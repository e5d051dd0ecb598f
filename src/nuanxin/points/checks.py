"""Reconciliation: recompute every stored balance from the rows that explain it.

Used by ``nuanxin points check`` and by the tests after every workload. It checks that each
account's ``posted`` equals its credits minus its debits, that ``held`` equals its pending holds,
that no account that may not go negative has a negative available balance, that all debits equal
all credits and all balances add up to zero, that every posted hold has exactly one posting and
no other hold has any, that every reversal mirrors the entry it reverses, and that no amount or
balance lies outside its bounds (or, on SQLite, is not an integer at all).

It reports what it finds and never stops at it: a ledger damaged outside the services (a restore
of an old copy, a hand-written statement) is exactly what it is for. Where the database cannot
add up the amounts (SQLite's SUM refuses to overflow 64 bits), Python adds them up instead.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum

from nuanxin.points.models import (
    AMOUNT_MAX,
    BALANCE_MAX,
    Account,
    Entry,
    EntryKind,
    Hold,
    HoldStatus,
)


@dataclass
class CheckReport:
    accounts: int = 0
    entries: int = 0
    holds: int = 0
    total_debits: int = 0
    total_credits: int = 0
    mismatched_accounts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sums(qs: QuerySet[Any], by: str) -> dict[int, int]:
    """Total ``amount`` per ``by``, exact whatever the values."""
    try:
        with transaction.atomic():  # a savepoint: PostgreSQL aborts a transaction on error
            rows = list(qs.values_list(by).annotate(Sum("amount")).order_by())
        return {pk: total or 0 for pk, total in rows}
    except DatabaseError:
        totals: dict[int, int] = defaultdict(int)
        for pk, amount in qs.values_list(by, "amount").iterator(chunk_size=10_000):
            totals[pk] += amount
        return totals


_NOT_INTEGER_SQL = {
    "points_account": "SELECT key FROM points_account "
    "WHERE typeof(posted) <> 'integer' OR typeof(held) <> 'integer' ORDER BY id",
    "points_entry": "SELECT transfer_id FROM points_entry "
    "WHERE typeof(amount) <> 'integer' ORDER BY id",
    "points_hold": "SELECT transfer_id FROM points_hold "
    "WHERE typeof(amount) <> 'integer' ORDER BY id",
}


def _check_bounds(report: "CheckReport") -> None:
    """Values no service writes: the constraints refuse them, but a damaged copy may hold them."""
    out_of_range = Account.objects.filter(
        Q(posted__gt=BALANCE_MAX) | Q(posted__lt=-BALANCE_MAX) | Q(held__gt=BALANCE_MAX)
    ).values_list("key", flat=True)
    for key in out_of_range:
        report.problems.append(f"account {key}: balance outside ±{BALANCE_MAX}")
    for model, label in ((Entry, "entry"), (Hold, "hold")):
        bad = model.objects.filter(Q(amount__lte=0) | Q(amount__gt=AMOUNT_MAX))
        for transfer_id in bad.values_list("transfer_id", flat=True):
            report.problems.append(f"{label} {transfer_id}: amount outside 1..{AMOUNT_MAX}")
    if connection.vendor != "sqlite":
        return  # bigint columns hold nothing but integers
    with connection.cursor() as cursor:
        for table, sql in _NOT_INTEGER_SQL.items():
            cursor.execute(sql)
            for (name,) in cursor.fetchall():
                report.problems.append(f"{table} {name}: a value is not an integer")


def ledger_check() -> CheckReport:
    """Check the whole ledger from one consistent snapshot (a read transaction)."""
    report = CheckReport()
    with transaction.atomic():
        _check_bounds(report)
        credits = _sums(Entry.objects.all(), "credit_id")
        debits = _sums(Entry.objects.all(), "debit_id")
        held = _sums(Hold.objects.filter(status=HoldStatus.PENDING), "debit_id")
        accounts = list(
            Account.objects.values_list("pk", "key", "posted", "held", "may_go_negative")
        )
        report.entries = Entry.objects.count()
        report.holds = Hold.objects.count()
        _check_holds(report)
        _check_reversals(report)
    report.accounts = len(accounts)
    report.total_debits, report.total_credits = sum(debits.values()), sum(credits.values())
    if report.total_debits != report.total_credits:
        report.problems.append(f"debits {report.total_debits} != credits {report.total_credits}")
    total_posted = 0
    for pk, key, posted, held_stored, may_go_negative in accounts:
        total_posted += posted
        expected_posted = credits.get(pk, 0) - debits.get(pk, 0)
        expected_held = held.get(pk, 0)
        wrong = []
        if posted != expected_posted:
            wrong.append(f"posted {posted} != entries {expected_posted}")
        if held_stored != expected_held:
            wrong.append(f"held {held_stored} != pending holds {expected_held}")
        if not may_go_negative and posted - held_stored < 0:
            wrong.append(f"available {posted - held_stored} < 0")
        if wrong:
            report.mismatched_accounts.append(key)
            report.problems.append(f"account {key}: " + "; ".join(wrong))
    if total_posted != 0:
        report.problems.append(f"balances add up to {total_posted}, not 0")
    return report


def _check_holds(report: CheckReport) -> None:
    postings = defaultdict(int)
    for hold_id, count in (
        Entry.objects.filter(hold__isnull=False).values_list("hold_id").annotate(Count("id"))
    ).order_by():
        postings[hold_id] = count
    for pk, transfer_id, status in Hold.objects.values_list("pk", "transfer_id", "status"):
        expected = 1 if status == HoldStatus.POSTED else 0
        if postings.get(pk, 0) != expected:
            report.problems.append(
                f"hold {transfer_id} is {status} with {postings.get(pk, 0)} postings"
            )
    stray = Entry.objects.filter(kind=EntryKind.HOLD_POST, hold__isnull=True).count()
    if stray:
        report.problems.append(f"{stray} hold postings without a hold")
    too_big = Entry.objects.filter(hold__isnull=False, amount__gt=F("hold__amount")).count()
    if too_big:
        report.problems.append(f"{too_big} hold postings exceed their hold")


def _check_reversals(report: CheckReport) -> None:
    bad = (
        Entry.objects.filter(reverses__isnull=False)
        .exclude(
            amount=F("reverses__amount"),
            debit_id=F("reverses__credit_id"),
            credit_id=F("reverses__debit_id"),
        )
        .values_list("transfer_id", flat=True)
    )
    for transfer_id in bad:
        report.problems.append(f"reversal {transfer_id} does not mirror its entry")
