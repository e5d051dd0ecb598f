"""The points service API: the one write path to the ledger for every app.

Accounts: ``worker_account``, ``community_pool``, ``fund_account``, ``shop_sink``,
``expiry_sink``, ``issuance_account``. Ledger: ``transfer``, ``hold``, ``post_hold``,
``void_hold``, ``reverse``, ``expire_holds``. Earning: ``earn``, ``earn_checkin``,
``volunteer_points``. Budgets: ``fund_top_up``, ``budget_allocate``. Manual adjustments:
``adjustment_request``, ``adjustment_approve``, ``adjustment_reject``. Rules: ``policy_update``.
Expiry: ``expire_points``.
"""

from nuanxin.points.services.accounts import (
    community_pool,
    expiry_sink,
    fund_account,
    issuance_account,
    lock_worker_account,
    shop_sink,
    worker_account,
)
from nuanxin.points.services.adjustments import (
    adjustment_approve,
    adjustment_reject,
    adjustment_request,
)
from nuanxin.points.services.budget import budget_allocate, fund_top_up
from nuanxin.points.services.earning import (
    EarnResult,
    checkin_transfer_id,
    earn,
    earn_checkin,
    volunteer_points,
)
from nuanxin.points.services.expiry import expire_points
from nuanxin.points.services.ledger import (
    expire_holds,
    hold,
    post_hold,
    reverse,
    transfer,
    void_hold,
)
from nuanxin.points.services.policy import current_policy, policy_update

__all__ = [
    "EarnResult",
    "adjustment_approve",
    "adjustment_reject",
    "adjustment_request",
    "budget_allocate",
    "checkin_transfer_id",
    "community_pool",
    "current_policy",
    "earn",
    "earn_checkin",
    "expire_holds",
    "expire_points",
    "expiry_sink",
    "fund_account",
    "fund_top_up",
    "hold",
    "issuance_account",
    "lock_worker_account",
    "policy_update",
    "post_hold",
    "reverse",
    "shop_sink",
    "transfer",
    "void_hold",
    "volunteer_points",
    "worker_account",
]
