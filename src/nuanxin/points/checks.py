"""Reconciliation: recompute every stored balance from the rows that explain it.

Used by ``nuanxin points check`` and by the tests after every workload. It checks that each
account's ``posted`` equals its credits minus its debits, that ``held`` equals its pending holds,
that no account that may not go negative has a negative available balance, that all debits equal
all credits and all balances add up to zero, that every posted hold has exactly one posting and
no other hold has any, and that every reversal mirrors the entry it reverses.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, Sum

from nuanxin.points.models import Account, Entry, EntryKind, Hold, HoldStatus


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


def _sums(rows: object) -> dict[int, int]:
    return {pk: total or 0 for pk, total in rows}


def ledger_check() -> CheckReport:
    """Check the whole ledger from one consistent snapshot (a read transaction)."""
    report = CheckReport()
    with transaction.atomic():
        credits = _sums(Entry.objects.values_list("credit_id").annotate(Sum("amount")).order_by())
        debits = _sums(Entry.objects.values_list("debit_id").annotate(Sum("amount")).order_by())
        held = _sums(
            Hold.objects.filter(status=HoldStatus.PENDING)
            .values_list("debit_id")
            .annotate(Sum("amount"))
            .order_by()
        )
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
