"""Get-or-create of the ledger's accounts. Each account has a unique key, so two requests that
create the same account at once end with one row."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError, forbidden
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.points.models import Account, AccountKind

FUND_LEVELS = {RegionLevel.CITY, RegionLevel.COUNTY}


def _account(key: str, kind: str, **fields: Any) -> Account:
    account = Account.objects.filter(key=key).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(key=key, kind=kind, **fields)
    except IntegrityError:
        return Account.objects.get(key=key)


def worker_account(user: Any) -> Account:
    """The points account of a worker (created on first use). Only workers hold spendable
    points: staff and superusers get ``points.not_a_worker``."""
    if getattr(user, "pk", None) is None:
        raise ApplicationError("points.unknown_account", _("积分账户不存在。"), status=404)
    if not user.is_worker:
        raise forbidden(
            "points.not_a_worker", _("只有劳动者持有积分，工作人员账号不能获得或使用积分。")
        )
    return _account(f"worker:{user.pk}", AccountKind.WORKER, user=user)


def lock_worker_account(user: Any) -> Account:
    """The worker's account under a row lock, for a service that must read its balance and
    then act on it in the same transaction (the shop's order). Caller holds a transaction."""
    account = worker_account(user)
    return Account.objects.select_for_update().get(pk=account.pk)


def community_pool(region: Region) -> Account:
    """The community's issuing pool: what it may award, funded by its county or city."""
    if region is None or region.level != RegionLevel.COMMUNITY:
        raise ApplicationError(
            "points.not_a_community",
            _("积分池只能设在社区（村）一级。"),
            extra={"region": getattr(region, "code", None)},
        )
    return _account(f"pool:{region.pk}", AccountKind.COMMUNITY_POOL, region=region)


def fund_account(region: Region) -> Account:
    """A county's or the city's points fund, which allocates budgets downwards."""
    if region is None or region.level not in FUND_LEVELS:
        raise ApplicationError(
            "points.not_a_fund_region",
            _("积分资金只能设在市或县（市、区）一级。"),
            extra={"region": getattr(region, "code", None)},
        )
    return _account(f"fund:{region.pk}", AccountKind.FUND, region=region)


def shop_sink() -> Account:
    """Where redeemed points go."""
    return _account("shop", AccountKind.SHOP_SINK)


def expiry_sink() -> Account:
    """Where expired points go."""
    return _account("expiry", AccountKind.EXPIRY_SINK)


def issuance_account() -> Account:
    """The origin of all points: the one account that may go negative, so every balance of the
    ledger adds up to zero."""
    return _account("issuance", AccountKind.ISSUANCE, may_go_negative=True)
