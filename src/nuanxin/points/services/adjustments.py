"""Manual adjustments: staff correct a worker's points by hand, under rules nobody can skip.

Points are money, so a correction is governed like a payment:
- only workers hold spendable points: nobody adjusts their own account or a staff member's;
- the points come out of the pool of the worker's community (a debit goes back into it), never
  straight from issuance, so a community's budget bounds what its staff can hand out;
- one adjustment moves at most ``POINTS_ADJUSTMENT_MAX`` points, and a staff member adjusts at
  most ``POINTS_ADJUSTMENT_MONTHLY_MAX`` points a month (credits and debits alike, pending ones
  included), checked under a lock of the requester's row so concurrent requests cannot pass it
  together;
- above ``POINTS_ADJUSTMENT_APPROVAL_ABOVE`` points an adjustment waits until a second staff
  member of a higher level (or, at the top, another city admin) approves or rejects it.
Every request and decision is audited; the ledger entry is written only when points move.
"""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Abs
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.accounts.models import ROLE_REGION_LEVEL, User
from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError, conflict, forbidden, not_found
from nuanxin.core.notifications import notification_send
from nuanxin.core.scoping import in_jurisdiction, require_staff
from nuanxin.core.texts import text
from nuanxin.core.timeutil import local_date, start_of_local_month
from nuanxin.geo.models import LEVEL_DEPTH, RegionLevel
from nuanxin.points.models import (
    AMOUNT_MAX,
    Account,
    Adjustment,
    AdjustmentStatus,
    Entry,
    EntryKind,
)
from nuanxin.points.reasons import MANUAL_ADJUSTMENT
from nuanxin.points.services._core import check_text_reason, check_transfer_id, now
from nuanxin.points.services.accounts import community_pool, worker_account
from nuanxin.points.services.ledger import post_entry

REASON_MAX_LENGTH = 500
POINTS_URL = "/points/"


def _require_staff(actor: Any) -> None:
    require_staff(actor, governing=True)


def _unknown_worker(worker: Any) -> ApplicationError:
    return not_found("points.unknown_worker", _("劳动者不存在。"), worker_id=worker.pk)


def _unknown_adjustment() -> ApplicationError:
    return not_found("points.unknown_adjustment", _("该调整申请不存在。"))


def _check_amount(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
        raise ApplicationError(
            "points.bad_amount", _("调整积分必须是非零整数。"), extra={"amount": str(amount)[:40]}
        )
    if abs(amount) > AMOUNT_MAX:
        raise ApplicationError(
            "points.bad_amount",
            _("调整积分超出允许范围。"),
            extra={"amount": str(amount)[:40], "max": AMOUNT_MAX},
        )
    return amount


def _check_reason(reason: str) -> str:
    note = check_text_reason(reason)
    if len(note) > REASON_MAX_LENGTH:
        raise ApplicationError(
            "points.reason_too_long",
            _("原因不能超过 %(n)d 个字。") % {"n": REASON_MAX_LENGTH},
            extra={"max": REASON_MAX_LENGTH},
        )
    return note


def _pool_of(worker: User) -> Account:
    community = worker.region.ancestor_at(RegionLevel.COMMUNITY) if worker.region_id else None
    if community is None:
        raise ApplicationError(
            "points.no_community_pool",
            _("该劳动者尚未归属社区，无法从社区积分池调整积分。"),
        )
    return community_pool(community)


def _rank(user: Any) -> int:
    """How senior a staff member is: 0 for the whole system (superusers), then city, county,
    street, community by depth; higher is more junior."""
    if user.is_superuser:
        return -1
    return LEVEL_DEPTH[ROLE_REGION_LEVEL[user.role]]


def _month_total(actor: Any, at: Any) -> int:
    """Points the actor adjusted (or asked to) this local month, credits and debits alike."""
    total = (
        Adjustment.objects.filter(
            requested_by=actor,
            requested_at__gte=start_of_local_month(local_date(at)),
        )
        .exclude(status=AdjustmentStatus.REJECTED)
        .aggregate(total=Sum(Abs("amount")))["total"]
    )
    return total or 0


def _post(adjustment: Adjustment, actor: Any) -> Entry:
    """Move the points: pool -> worker for a credit, worker -> pool for a debit."""
    account = worker_account(adjustment.worker)
    pool = adjustment.pool
    credit = adjustment.amount > 0
    region = adjustment.worker.region

    def audit(entry: Entry) -> None:
        audit_record(
            actor=actor,
            action="points.manual_adjust",
            obj=entry,
            after={
                "transfer_id": entry.transfer_id,
                "amount": entry.amount,
                "delta": adjustment.amount,
                "adjustment": str(adjustment.public_id),
                "pool": pool.key,
            },
            note=adjustment.reason,
            region_path=region.path if region is not None else "",
        )

    return post_entry(
        transfer_id=f"adjust:{adjustment.public_id.hex}",
        kind=EntryKind.ADJUSTMENT,
        debit=pool if credit else account,
        credit=account if credit else pool,
        amount=abs(adjustment.amount),
        reason=MANUAL_ADJUSTMENT,
        reference=f"adjustment:{adjustment.public_id}",
        actor=actor,
        note=adjustment.reason,
        shortage_code="points.budget_exhausted" if credit else "points.insufficient_balance",
        on_post=audit,
    )


def _tell_worker(adjustment: Adjustment) -> None:
    sign = "+" if adjustment.amount > 0 else ""
    notification_send(
        user=adjustment.worker,
        kind="points.adjusted",
        title=text(gettext_noop("积分调整 %(delta)s 分"), delta=f"{sign}{adjustment.amount}"),
        body=adjustment.reason,
        url=POINTS_URL,
    )


def _replayed(transfer_id: str, actor: Any, worker: Any, amount: int, note: str) -> Adjustment:
    first = Adjustment.objects.filter(transfer_id=transfer_id).first()
    if first is None:
        return None
    same = (first.requested_by_id, first.worker_id, first.amount, first.reason) == (
        actor.pk,
        worker.pk,
        amount,
        note,
    )
    if not same:
        raise conflict(
            "points.transfer_id_reused",
            _("该交易编号已用于另一笔内容不同的交易。"),
            transfer_id=transfer_id,
        )
    return first


@transaction.atomic
def adjustment_request(
    *, transfer_id: str, worker: Any, amount: int, reason: str, actor: Any
) -> Adjustment:
    """Credit (``amount`` > 0) or debit (< 0) a worker's points by hand, from or to the pool of
    their community, with a written reason. At most the approval threshold posts at once;
    more waits as ``pending`` for ``adjustment_approve``. A retry with the same ``transfer_id``
    returns the first adjustment.

    Raises auth.staff_only, points.unknown_worker (also for a worker outside the actor's
    jurisdiction), points.self_adjustment, points.not_a_worker, points.bad_amount,
    points.reason_required, points.reason_too_long, points.bad_transfer_id,
    points.transfer_id_reused, points.adjustment_too_large, points.adjustment_monthly_limit,
    points.no_community_pool, points.budget_exhausted, points.insufficient_balance.
    """
    _require_staff(actor)
    if not in_jurisdiction(actor, worker.region):
        raise _unknown_worker(worker)
    if worker.pk == actor.pk:
        raise forbidden("points.self_adjustment", _("不能调整自己的积分。"))
    if not worker.is_worker:
        raise forbidden("points.not_a_worker", _("只能调整劳动者的积分，工作人员不持有积分。"))
    check_transfer_id(transfer_id)
    amount = _check_amount(amount)
    note = _check_reason(reason)
    # The requester's row lock queues their concurrent requests, so the monthly total below
    # is read and raised by one request at a time (SQLite's write lock does the same).
    User.objects.select_for_update().filter(pk=actor.pk).first()
    first = _replayed(transfer_id, actor, worker, amount, note)
    if first is not None:
        return first
    ceiling = settings.POINTS_ADJUSTMENT_MAX
    if abs(amount) > ceiling:
        raise ApplicationError(
            "points.adjustment_too_large",
            _("单次人工调整不能超过 %(max)d 分。") % {"max": ceiling},
            extra={"max": ceiling, "requested": amount},
        )
    at = now()
    used = _month_total(actor, at)
    monthly = settings.POINTS_ADJUSTMENT_MONTHLY_MAX
    if used + abs(amount) > monthly:
        raise conflict(
            "points.adjustment_monthly_limit",
            _("本月人工调整已达 %(used)d 分，上限 %(max)d 分。") % {"used": used, "max": monthly},
            used=used,
            max=monthly,
            requested=amount,
        )
    needs_approval = abs(amount) > settings.POINTS_ADJUSTMENT_APPROVAL_ABOVE
    adjustment = Adjustment.objects.create(
        transfer_id=transfer_id,
        worker=worker,
        pool=_pool_of(worker),
        amount=amount,
        reason=note,
        requested_by=actor,
        requested_at=at,
    )
    if not needs_approval:
        _settle(
            adjustment, AdjustmentStatus.POSTED, actor=actor, at=at, entry=_post(adjustment, actor)
        )
    audit_record(
        actor=actor,
        action="points.adjustment_request",
        obj=adjustment,
        after={"amount": amount, "status": adjustment.status, "pool": adjustment.pool.key},
        note=note,
        region_path=worker.region.path,
    )
    return adjustment


def _settle(
    adjustment: Adjustment,
    status: str,
    *,
    actor: Any,
    at: Any,
    entry: Entry | None = None,
    note: str = "",
) -> None:
    adjustment.status, adjustment.entry = status, entry
    adjustment.decided_by = actor if actor.pk != adjustment.requested_by_id else None
    adjustment.decided_at = at
    adjustment.decision_note = note
    adjustment.save(update_fields=["status", "entry", "decided_by", "decided_at", "decision_note"])
    if entry is not None:
        _tell_worker(adjustment)


def _lock_for_decision(adjustment: Adjustment, actor: Any) -> Adjustment:
    """The adjustment under lock, if ``actor`` may decide it: a staff member governing the
    worker, other than the requester, more senior (two city admins decide each other's)."""
    _require_staff(actor)
    current = (
        Adjustment.objects.select_for_update(of=("self",))
        .select_related("worker__region", "requested_by", "pool")
        .filter(pk=adjustment.pk)
        .first()
    )
    if current is None or not in_jurisdiction(actor, current.worker.region):
        raise _unknown_adjustment()
    if actor.pk == current.requested_by_id:
        raise forbidden("points.approver_is_requester", _("不能审批自己提交的调整。"))
    requester_rank, approver_rank = _rank(current.requested_by), _rank(actor)
    top = LEVEL_DEPTH[RegionLevel.CITY]
    if not (approver_rank < requester_rank or approver_rank == requester_rank <= top):
        raise forbidden("points.approver_not_senior", _("须由申请人的上级工作人员审批。"))
    if current.status != AdjustmentStatus.PENDING:
        raise conflict("points.adjustment_not_pending", _("该调整已处理。"), status=current.status)
    return current


@transaction.atomic
def adjustment_approve(*, adjustment: Adjustment, actor: Any, note: str = "") -> Adjustment:
    """Approve a pending adjustment: the points move now, paid by the same pool.

    Raises auth.staff_only, points.unknown_adjustment, points.approver_is_requester,
    points.approver_not_senior, points.adjustment_not_pending, points.budget_exhausted,
    points.insufficient_balance.
    """
    current = _lock_for_decision(adjustment, actor)
    at = now()
    entry = _post(current, actor)
    _settle(current, AdjustmentStatus.POSTED, actor=actor, at=at, entry=entry, note=note.strip())
    audit_record(
        actor=actor,
        action="points.adjustment_approve",
        obj=current,
        before={"status": AdjustmentStatus.PENDING},
        after={"status": current.status, "entry": entry.transfer_id},
        note=current.decision_note,
        region_path=current.worker.region.path,
    )
    return current


@transaction.atomic
def adjustment_reject(*, adjustment: Adjustment, actor: Any, note: str) -> Adjustment:
    """Reject a pending adjustment with a written reason; no points move.

    Raises what ``adjustment_approve`` raises (but the ledger's), and points.reason_required.
    """
    current = _lock_for_decision(adjustment, actor)
    reason = _check_reason(note)
    _settle(current, AdjustmentStatus.REJECTED, actor=actor, at=now(), note=reason)
    notification_send(
        user=current.requested_by,
        kind="points.adjustment_rejected",
        title=text(gettext_noop("积分调整申请被驳回")),
        body=reason,
    )
    audit_record(
        actor=actor,
        action="points.adjustment_reject",
        obj=current,
        before={"status": AdjustmentStatus.PENDING},
        after={"status": current.status},
        note=reason,
        region_path=current.worker.region.path,
    )
    return current
