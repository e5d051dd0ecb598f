"""The points API: a worker's balance and history; staff pools, accounts and adjustments
(request, list, approve, reject)."""

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from nuanxin.accounts.models import User
from nuanxin.core.errors import not_found
from nuanxin.core.schema import IdParam, Offset, limit_param
from nuanxin.core.scoping import get_in_scope_or_404, require_staff, scope_to_jurisdiction
from nuanxin.points.models import AccountKind, Adjustment, AdjustmentStatus
from nuanxin.points.rules import earning_rules
from nuanxin.points.schemas import (
    AccountOut,
    AdjustmentIn,
    AdjustmentOut,
    BalanceOut,
    DecisionIn,
    EarningRulesOut,
    HistoryLineOut,
    PoolOut,
)
from nuanxin.points.selectors import (
    adjustments_in_scope,
    balance_of,
    history_of,
    pool_summaries,
    scoped_accounts,
)
from nuanxin.points.services import adjustment_approve, adjustment_reject, adjustment_request

router = Router(tags=["积分"])


def _staff(request: HttpRequest) -> Any:
    require_staff(request.auth, governing=True)
    return request.auth


@router.get("/balance", response=BalanceOut, summary="我的积分余额")
def balance(request: HttpRequest) -> BalanceOut:
    return BalanceOut(**balance_of(request.auth).__dict__)


@router.get("/history", response=list[HistoryLineOut], summary="我的积分明细（新到旧）")
def history(
    request: HttpRequest, limit: limit_param(500) = 50, before: IdParam | None = None
) -> list[Any]:
    return history_of(request.auth, limit=limit, before_id=before)


@router.get("/rules", response=EarningRulesOut, summary="积分规则：哪些行为得分、每日/每月上限")
def rules(request: HttpRequest) -> EarningRulesOut:
    found = earning_rules(request.auth)
    return EarningRulesOut(
        rules=[rule.__dict__ for rule in found.rules],
        daily_cap=found.daily_cap,
        monthly_cap=found.monthly_cap,
        expiry_years=found.expiry_years,
        earned_today=found.earned_today,
        earned_this_month=found.earned_this_month,
    )


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
    request: HttpRequest, kind: str | None = None, limit: limit_param(500) = 100, offset: Offset = 0
) -> list[AccountOut]:
    qs = scoped_accounts(_staff(request)).order_by("id")
    if kind:
        qs = qs.filter(kind=kind)
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
        for account in qs[offset : offset + limit]
    ]


def _adjustment(request: HttpRequest, public_id: uuid.UUID) -> Adjustment:
    """An adjustment the caller may see; one outside their jurisdiction answers as missing."""
    found = adjustments_in_scope(_staff(request)).filter(public_id=public_id).first()
    if found is None:
        raise not_found("points.unknown_adjustment", _("该调整申请不存在。"))
    return found


@router.post(
    "/adjustments",
    response=AdjustmentOut,
    summary="人工调整劳动者积分（工作人员，须填原因；从社区积分池支出，大额须上级审批）",
)
def adjustment(request: HttpRequest, payload: AdjustmentIn) -> AdjustmentOut:
    user = _staff(request)
    # A person outside the staff member's area answers like one who does not exist.
    worker = get_in_scope_or_404(
        scope_to_jurisdiction(User.objects.select_related("region"), user),
        not_found("points.unknown_worker", _("劳动者不存在。")),
        pk=payload.worker_id,
    )
    created = adjustment_request(
        transfer_id=payload.transfer_id,
        worker=worker,
        amount=payload.amount,
        reason=payload.reason,
        actor=user,
    )
    return AdjustmentOut.of(created)


@router.get(
    "/adjustments", response=list[AdjustmentOut], summary="辖区人工调整（工作人员，新到旧）"
)
def adjustments(
    request: HttpRequest,
    status: AdjustmentStatus | None = None,
    limit: limit_param(200) = 50,
    offset: Offset = 0,
) -> list[AdjustmentOut]:
    qs = adjustments_in_scope(_staff(request))
    if status is not None:
        qs = qs.filter(status=status)
    return [AdjustmentOut.of(found) for found in qs[offset : offset + limit]]


@router.get("/adjustments/{adjustment_id}", response=AdjustmentOut, summary="一笔人工调整")
def adjustment_detail(request: HttpRequest, adjustment_id: uuid.UUID) -> AdjustmentOut:
    return AdjustmentOut.of(_adjustment(request, adjustment_id))


@router.post(
    "/adjustments/{adjustment_id}/approve",
    response=AdjustmentOut,
    summary="审批通过大额人工调整（须为申请人的上级）",
)
def adjustment_approve_api(
    request: HttpRequest, adjustment_id: uuid.UUID, payload: DecisionIn
) -> AdjustmentOut:
    found = _adjustment(request, adjustment_id)
    return AdjustmentOut.of(
        adjustment_approve(adjustment=found, actor=request.auth, note=payload.note)
    )


@router.post(
    "/adjustments/{adjustment_id}/reject",
    response=AdjustmentOut,
    summary="驳回大额人工调整（须填意见）",
)
def adjustment_reject_api(
    request: HttpRequest, adjustment_id: uuid.UUID, payload: DecisionIn
) -> AdjustmentOut:
    found = _adjustment(request, adjustment_id)
    return AdjustmentOut.of(
        adjustment_reject(adjustment=found, actor=request.auth, note=payload.note)
    )
