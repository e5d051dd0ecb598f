"""Expiry of earned points, oldest first.

With ``EarningPolicy.expiry_years = n``, points credited to a worker in year Y expire at the end
of year Y + n (n = 1: "at the end of the following year"). Spending is first-in first-out: every
debit, and every pending hold, uses the worker's oldest points first. So the points still left
from before the cutoff are ``credits before the cutoff - all debits so far - held``: all debits
count because any debit that touched newer points found the older ones already used up.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Sum

from nuanxin.core.timeutil import start_of_local_day
from nuanxin.points.models import AccountKind, Entry, EntryKind
from nuanxin.points.reasons import POINTS_EXPIRY
from nuanxin.points.services._core import (
    KeyRecord,
    create_entry,
    fingerprint,
    lock_accounts,
    now,
)
from nuanxin.points.services.accounts import expiry_sink
from nuanxin.points.services.policy import current_policy


def expiry_cutoff(today: dt.date, years: int) -> dt.datetime:
    """Points credited before this instant have expired on ``today``."""
    return start_of_local_day(dt.date(today.year - years, 1, 1))


def _expire_account(account_id: int, sink_id: int, cutoff: dt.datetime) -> int:
    with transaction.atomic():
        locked = lock_accounts(account_id, sink_id)[account_id]
        old = (
            Entry.objects.filter(credit_id=account_id, created_at__lt=cutoff).aggregate(
                total=Sum("amount")
            )["total"]
            or 0
        )
        spent = (
            Entry.objects.filter(debit_id=account_id).aggregate(total=Sum("amount"))["total"] or 0
        )
        due = min(old - spent - locked.held, locked.available)
        if due <= 0:
            return 0
        # The id names the state it was computed from, so a rerun on the same day finds
        # nothing due and a later run (after a hold was released) posts a new entry.
        transfer_id = f"expiry:{account_id}:{cutoff:%Y%m%d}:{spent}"
        at = now()
        create_entry(
            transfer_id=transfer_id,
            kind=EntryKind.EXPIRY,
            debit_id=account_id,
            credit_id=sink_id,
            amount=due,
            reason=POINTS_EXPIRY,
            reference=f"cutoff:{cutoff.date().isoformat()}",
            actor=None,
            note="",
            at=at,
            key=KeyRecord(transfer_id, "expiry", fingerprint("expiry", transfer_id)),
        )
        return due


def expire_points(*, today: dt.date) -> int:
    """Move every worker's points that have expired on ``today`` to the expiry sink; returns
    the number of points expired. Running it again the same day expires nothing more."""
    years = current_policy().expiry_years
    if not years:
        return 0
    cutoff = expiry_cutoff(today, years)
    sink = expiry_sink()
    candidates = (
        Entry.objects.filter(credit__kind=AccountKind.WORKER, created_at__lt=cutoff)
        .values_list("credit_id", flat=True)
        .distinct()
        .order_by("credit_id")
    )
    return sum(_expire_account(account_id, sink.pk, cutoff) for account_id in list(candidates))
