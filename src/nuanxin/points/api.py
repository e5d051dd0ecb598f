"""The points API: a worker's balance and history; staff pools, accounts and adjustments."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from nuanxin.accounts.models import User
from nuanxin.core.errors import forbidden, not_found
from nuanxin.core.scoping import get_in_scope_or_404, jurisdiction_path, scope_to_jurisdiction
from nuanxin.points.models import AccountKind, Entry
from nuanxin.points.schemas import (
    AccountOut,
    AdjustmentIn,
    BalanceOut,
    EntryOut,
    HistoryLineOut,
    PoolOut,
)
from nuanxin.points.selectors import balance_of, history_of, pool_summaries, scoped_accounts
from nuanxin.points.services import manual_adjust

router = Router(tags=["积分"])


def _staff(request: HttpRequest) -> Any:
    user = request.auth
    if jurisdiction_path(user) is None:
        raise forbidden("points.staff_only", _("仅限有管辖范围的工作人员。"))
    return user


@router.get("/balance", response=BalanceOut, summary="我的积分余额")
def balance(request: HttpRequest) -> BalanceOut:
    return BalanceOut(**balance_of(request.auth).__dict__)


@router.get("/history", response=list[HistoryLineOut], summary="我的积分明细（新到旧）")
def history(request: HttpRequest, limit: int = 50, before: int | None = None) -> list[Any]:
    return history_of(request.auth, limit=limit, before_id=before)


@router.get("/pools", response=list[PoolOut], summary="辖区社区积分池与预算使用（工作人员）")
def pools(request: HttpRequest, kind: str = AccountKind.COMMUNITY_POOL) -> list[PoolOut]:
    user = _staff(request)
    if kind not in {AccountKind.COMMUNITY_POOL, AccountKind.FUND}:
        kind = AccountKind.COMMUNITY_POOL
    return [
        PoolOut(
            account=pool.key,
            region_code=pool.region.code,
            region_name=pool.region.name,
            kind=pool.kind,
            available=pool.available,
            held=pool.held,
            received=pool.received,
            paid=pool.paid,
        )
        for pool in pool_summaries(user, kind=kind)
    ]


@router.get("/accounts", response=list[AccountOut], summary="辖区积分账户（工作人员）")
def accounts(
    request: HttpRequest, kind: str | None = None, limit: int = 100, offset: int = 0
) -> list[AccountOut]:
    qs = scoped_accounts(_staff(request)).order_by("id")
    if kind:
        qs = qs.filter(kind=kind)
    limit = max(1, min(limit, 500))
    return [
        AccountOut(
            account=account.key,
            kind=account.kind,
            kind_label=str(account.get_kind_display()),
            label=account.label,
            region_code=account.region.code if account.region_id else None,
            posted=account.posted,
            held=account.held,
            available=account.available,
        )
        for account in qs[max(0, offset) : max(0, offset) + limit]
    ]


@router.post("/adjustments", response=EntryOut, summary="人工调整劳动者积分（工作人员，须填原因）")
def adjustment(request: HttpRequest, payload: AdjustmentIn) -> EntryOut:
    user = _staff(request)
    # A person outside the staff member's area answers like one who does not exist.
    worker = get_in_scope_or_404(
        scope_to_jurisdiction(User.objects.select_related("region"), user),
        not_found("points.unknown_worker", _("劳动者不存在。")),
        pk=payload.worker_id,
    )
    entry: Entry = manual_adjust(
        transfer_id=payload.transfer_id,
        worker=worker,
        amount=payload.amount,
        reason=payload.reason,
        actor=user,
    )
    return EntryOut(
        id=entry.pk,
        transfer_id=entry.transfer_id,
        amount=payload.amount,
        reason=entry.reason,
        reason_label=entry.reason_label,
        note=entry.note,
        at=entry.created_at,
    )
