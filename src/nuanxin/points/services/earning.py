"""Earning: community pool -> worker under the city's rules and each worker's caps.

What a worker earns is capped per local day and per local month (``EarningPolicy.daily_cap``,
``monthly_cap``; a reversed earn still counts against the cap of the day it was earned). An
earn that meets a cap is granted what is left of it; when nothing is left it is granted 0, moves
no points (``entry`` is None) and still consumes its transfer id, so a retry tomorrow returns the
same zero rather than paying late. A pool that cannot pay the granted points refuses with
``points.budget_exhausted`` and records nothing, so the same id may be tried again after the
pool is funded.
"""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.core.timeutil import local_date, start_of_local_day
from nuanxin.geo.models import Region
from nuanxin.points.models import Entry, EntryKind, TransferKey
from nuanxin.points.reasons import STATION_CHECKIN
from nuanxin.points.services._core import (
    KeyRecord,
    check_amount,
    check_reason,
    check_transfer_id,
    create_entry,
    fingerprint,
    lock_and_find,
    now,
    record_key,
    require_available,
    run_once,
)
from nuanxin.points.services.accounts import community_pool, worker_account
from nuanxin.points.services.policy import current_policy

DAILY_CAP = "daily_cap"
MONTHLY_CAP = "monthly_cap"
# Staff earn nothing: only workers hold spendable points.
NOT_A_WORKER = "not_worker"


@dataclass(frozen=True)
class EarnResult:
    entry: Entry | None
    granted: int
    requested: int
    limited_by: str | None
    replayed: bool = False


def earned_in_period(account_id: int, at: dt.datetime) -> tuple[int, int]:
    """Points the account earned (kind ``earn``) in the local day and month of ``at``."""
    today = local_date(at)
    day_start = start_of_local_day(today)
    month_start = start_of_local_day(today.replace(day=1))
    totals = Entry.objects.filter(
        credit_id=account_id, kind=EntryKind.EARN, created_at__gte=month_start
    ).aggregate(day=Sum("amount", filter=Q(created_at__gte=day_start)), month=Sum("amount"))
    return totals["day"] or 0, totals["month"] or 0


def apply_caps(account_id: int, points: int, at: dt.datetime) -> tuple[int, str | None]:
    policy = current_policy()
    if policy.daily_cap is None and policy.monthly_cap is None:
        return points, None
    day, month = earned_in_period(account_id, at)
    granted, limited_by = points, None
    if policy.daily_cap is not None and policy.daily_cap - day < granted:
        granted, limited_by = max(0, policy.daily_cap - day), DAILY_CAP
    if policy.monthly_cap is not None and policy.monthly_cap - month < granted:
        granted, limited_by = max(0, policy.monthly_cap - month), MONTHLY_CAP
    return granted, limited_by


def _earn(
    *,
    transfer_id: str,
    digest: str,
    worker: Any,
    community: Region,
    source: str,
    points: int,
    reference: str,
    actor: Any,
    note: str,
) -> EarnResult:
    pool = community_pool(community)
    if not worker.is_worker:
        return EarnResult(None, 0, points, NOT_A_WORKER)
    account = worker_account(worker)

    def replay(key: TransferKey) -> EarnResult:
        return EarnResult(
            entry=Entry.objects.filter(transfer_id=key.transfer_id).first(),
            granted=key.granted or 0,
            requested=points,
            limited_by=key.limited_by or None,
            replayed=True,
        )

    def body() -> EarnResult:
        locked, key = lock_and_find((pool.pk, account.pk), transfer_id, "earn", digest)
        if key is not None:
            return replay(key)
        at = now()
        granted, limited_by = apply_caps(account.pk, points, at)
        entry = None
        if granted > 0:
            require_available(locked[pool.pk], granted, code="points.budget_exhausted")
            entry = create_entry(
                transfer_id=transfer_id,
                kind=EntryKind.EARN,
                debit_id=pool.pk,
                credit_id=account.pk,
                amount=granted,
                reason=source,
                reference=reference,
                actor=actor,
                note=note,
                at=at,
                key=KeyRecord(transfer_id, "earn", digest, granted, limited_by or ""),
            )
        else:
            record_key(transfer_id, "earn", digest, at, granted=0, limited_by=limited_by or "")
        return EarnResult(entry, granted, points, limited_by)

    return run_once(transfer_id, "earn", digest, body, replay)


def earn(
    *,
    transfer_id: str,
    worker: Any,
    community: Region,
    source: str,
    points: int,
    reference: str,
    actor: Any = None,
    note: str = "",
) -> EarnResult:
    """Award ``points`` for ``source`` (a reason code) from ``community``'s pool to ``worker``,
    within the worker's daily and monthly caps. Retrying the id returns the first result."""
    check_transfer_id(transfer_id)
    check_amount(points)
    check_reason(source)
    digest = fingerprint("earn", worker.pk, community.pk, source, points, reference or "")
    return _earn(
        transfer_id=transfer_id,
        digest=digest,
        worker=worker,
        community=community,
        source=source,
        points=points,
        reference=reference,
        actor=actor,
        note=note,
    )


def checkin_transfer_id(worker: Any, day: dt.date) -> str:
    return f"checkin:{worker.pk}:{day.isoformat()}"


def earn_checkin(
    *, worker: Any, community: Region, station_reference: str, day: dt.date, actor: Any = None
) -> EarnResult:
    """The policy's check-in points, at most once per worker per local day.

    The transfer id is derived from worker and day and the request's identity leaves out the
    station, so a second check-in that day (anywhere) gets the first result back with
    ``replayed=True`` and nothing is paid twice.
    """
    points = current_policy().checkin_points
    if points <= 0:
        return EarnResult(None, 0, 0, None)
    return _earn(
        transfer_id=checkin_transfer_id(worker, day),
        digest=fingerprint("checkin", worker.pk, day.isoformat()),
        worker=worker,
        community=community,
        source=STATION_CHECKIN,
        points=points,
        reference=station_reference,
        actor=actor,
        note="",
    )


def volunteer_points(*, hours: Decimal, per_hour: int | None = None, cap: int | None = None) -> int:
    """Points for ``hours`` of verified volunteering: whole points, rounded down, at most
    ``cap`` per activity (policy defaults for what is None)."""
    try:
        hours = Decimal(hours)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ApplicationError("points.bad_hours", _("服务时长无效。")) from exc
    if not hours.is_finite() or hours < 0:
        raise ApplicationError("points.bad_hours", _("服务时长无效。"), extra={"hours": str(hours)})
    policy = current_policy()
    rate = policy.volunteer_points_per_hour if per_hour is None else per_hour
    limit = policy.volunteer_cap_per_activity if cap is None else cap
    if rate < 0 or (limit is not None and limit < 0):
        raise ApplicationError("points.bad_amount", _("积分数额必须是正整数。"))
    points = math.floor(hours * rate)
    return points if limit is None else min(points, limit)
