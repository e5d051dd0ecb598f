"""Reads of the ledger: a worker's balance and history, staff summaries of pools and funds."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from nuanxin.core.scoping import jurisdiction_path, scope_to_jurisdiction
from nuanxin.core.tally import Tally, month_key, tally_rows
from nuanxin.points.models import (
    Account,
    AccountKind,
    Adjustment,
    Entry,
    EntryKind,
    Hold,
    HoldStatus,
)


@dataclass(frozen=True)
class Balance:
    available: int
    held: int
    posted: int


@dataclass(frozen=True)
class HistoryLine:
    """One entry as the worker sees it: signed amount, Chinese reason, when."""

    id: int
    transfer_id: str
    at: Any
    amount: int
    reason: str
    reason_label: str
    reference: str
    note: str
    kind: str
    reversed: bool


def account_of(user: Any) -> Account | None:
    if getattr(user, "pk", None) is None:
        return None
    return Account.objects.filter(key=f"worker:{user.pk}").first()


def balance_of(user: Any) -> Balance:
    account = account_of(user)
    if account is None:
        return Balance(available=0, held=0, posted=0)
    return Balance(available=account.available, held=account.held, posted=account.posted)


def entries_of_account(account: Account) -> QuerySet[Entry]:
    return Entry.objects.filter(Q(debit=account) | Q(credit=account)).order_by("-id")


def history_of(user: Any, *, limit: int = 50, before_id: int | None = None) -> list[HistoryLine]:
    """The newest ``limit`` entries of the user's account (older than ``before_id``)."""
    account = account_of(user)
    if account is None:
        return []
    qs = entries_of_account(account).annotate(
        was_reversed=Exists(Entry.objects.filter(reverses_id=OuterRef("pk")))
    )
    if before_id is not None:
        qs = qs.filter(id__lt=before_id)
    return [
        HistoryLine(
            id=entry.pk,
            transfer_id=entry.transfer_id,
            at=entry.created_at,
            amount=entry.amount if entry.credit_id == account.pk else -entry.amount,
            reason=entry.reason,
            reason_label=entry.reason_label,
            reference=entry.reference,
            note=entry.note if entry.kind in {EntryKind.ADJUSTMENT, EntryKind.REVERSAL} else "",
            kind=entry.kind,
            reversed=entry.was_reversed,
        )
        for entry in qs[: max(1, min(limit, 200))]
    ]


def pending_holds_of(user: Any) -> QuerySet[Hold]:
    account = account_of(user)
    if account is None:
        return Hold.objects.none()
    return Hold.objects.filter(debit=account, status=HoldStatus.PENDING).order_by("-id")


def scoped_accounts(user: Any) -> QuerySet[Account]:
    """Accounts a staff user may see: pools and funds in their subtree, workers living there;
    the whole city's system accounts (issuance, sinks) only for city-wide staff."""
    path = jurisdiction_path(user)
    qs = Account.objects.select_related("region", "user", "user__region")
    if path is None:
        return qs.none()
    if path == "":
        return qs
    by_region = scope_to_jurisdiction(qs, user, region_field="region")
    by_worker = scope_to_jurisdiction(qs, user, region_field="user__region")
    return (by_region | by_worker).distinct()


def scoped_entries(user: Any) -> QuerySet[Entry]:
    accounts = scoped_accounts(user).values("pk")
    return Entry.objects.filter(Q(debit__in=accounts) | Q(credit__in=accounts))


def pool_summaries(user: Any, *, kind: str = AccountKind.COMMUNITY_POOL) -> QuerySet[Account]:
    """Pools (or funds) in the user's jurisdiction with what they received and paid out.

    ``received`` is everything credited (allocations, returned reversals), ``paid`` everything
    debited; ``available`` is the stored balance less holds.
    """
    received = (
        Entry.objects.filter(credit=OuterRef("pk")).values("credit").annotate(s=Sum("amount"))
    )
    paid = Entry.objects.filter(debit=OuterRef("pk")).values("debit").annotate(s=Sum("amount"))
    return (
        scope_to_jurisdiction(Account.objects.filter(kind=kind), user, region_field="region")
        .select_related("region")
        .annotate(
            received=Coalesce(received.values("s"), 0),
            paid=Coalesce(paid.values("s"), 0),
        )
        .order_by("region__path")
    )


def adjustments_in_scope(user: Any) -> QuerySet[Adjustment]:
    """Manual adjustments of workers in the user's jurisdiction, newest first."""
    return scope_to_jurisdiction(
        Adjustment.objects.select_related(
            "worker", "requested_by", "decided_by", "pool__region", "entry"
        ),
        user,
        region_field="worker__region",
    ).order_by("-id")


def figures_by_region(*, within: str = "") -> dict[int | None, dict[str, int]]:
    """Points earned (paid out of each community's pool, keyed by the pool's region) and points
    held by workers (their posted balances, keyed by the worker's region; None for a worker
    bound to no region). Two grouped queries."""
    out: dict[int | None, dict[str, int]] = defaultdict(
        lambda: {"points_issued": 0, "points_held": 0}
    )
    issued = (
        Entry.objects.filter(kind=EntryKind.EARN, debit__region__path__startswith=within)
        .values_list("debit__region_id")
        .annotate(n=Sum("amount"))
        .order_by()
    )
    for region_id, n in issued:
        out[region_id]["points_issued"] = n or 0
    workers = Account.objects.filter(kind=AccountKind.WORKER)
    if within:
        workers = workers.filter(user__region__path__startswith=within)
    held = workers.values_list("user__region_id").annotate(n=Sum("posted")).order_by()
    for region_id, n in held:
        out[region_id]["points_held"] = n or 0
    return dict(out)


def issued_by_month(*, within: str, since: dt.datetime) -> dict[int | None, Tally]:
    """Points earned per month, by the region of the pool they were paid from:
    ``{region_id: {"issued": {month: n}}}`` (one query)."""
    rows = (
        Entry.objects.filter(
            kind=EntryKind.EARN, debit__region__path__startswith=within, created_at__gte=since
        )
        .annotate(month=TruncMonth("created_at"))
        .values_list("debit__region_id", "month")
        .annotate(n=Sum("amount"))
        .order_by()
    )
    return tally_rows(rows, ("issued",), x=month_key)
