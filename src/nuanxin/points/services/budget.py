"""Budgets and adjustments: the staff-decided movements of points, each audited.

Points enter the ledger only here: the city fund is topped up from the issuance account, funds
allocate down the region tree (city fund -> county fund -> community pool, or city fund ->
community pool directly), and a community awards only what its pool holds. Manual adjustments
of a worker's points go through the pool too (``adjustments``).
"""

from typing import Any

from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError
from nuanxin.core.scoping import require_jurisdiction
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.points.models import Account, AccountKind, Entry, EntryKind
from nuanxin.points.reasons import BUDGET_ALLOCATION, BUDGET_TOP_UP
from nuanxin.points.services.accounts import community_pool, fund_account, issuance_account
from nuanxin.points.services.ledger import post_entry


def _audit(action: str, actor: Any, region: Region | None, note: str, **after: Any):
    def write(entry: Entry) -> None:
        audit_record(
            actor=actor,
            action=action,
            obj=entry,
            after={"transfer_id": entry.transfer_id, "amount": entry.amount, **after},
            note=note,
            region_path=region.path if region is not None else "",
        )

    return write


def _fund_region(fund: Account) -> Region:
    if fund.kind != AccountKind.FUND or fund.region_id is None:
        raise ApplicationError(
            "points.not_a_fund", _("只能从财政积分资金下拨预算。"), extra={"account": fund.key}
        )
    return fund.region


def fund_top_up(
    *, transfer_id: str, fund: Account, amount: int, actor: Any, note: str = ""
) -> Entry:
    """Put new points into the city fund (issuance -> city fund)."""
    region = _fund_region(fund)
    if region.level != RegionLevel.CITY:
        raise ApplicationError(
            "points.not_city_fund",
            _("只有市级积分资金可以注入新积分。"),
            extra={"account": fund.key},
        )
    require_jurisdiction(actor, region)
    return post_entry(
        transfer_id=transfer_id,
        kind=EntryKind.TOP_UP,
        debit=issuance_account(),
        credit=fund,
        amount=amount,
        reason=BUDGET_TOP_UP,
        reference=f"fund:{region.code}",
        actor=actor,
        note=note,
        on_post=_audit("points.fund_top_up", actor, region, note, fund=region.code),
    )


def budget_allocate(
    *,
    transfer_id: str,
    fund: Account,
    community: Region,
    amount: int,
    actor: Any,
    note: str = "",
) -> Entry:
    """Allocate budget from a fund to a region below it: a community's pool, or (from the city
    fund) a county's fund. Raises points.budget_exhausted when the fund lacks the points."""
    source = _fund_region(fund)
    require_jurisdiction(actor, source)
    if community is None or community.pk == source.pk or not community.path.startswith(source.path):
        raise ApplicationError(
            "points.bad_allocation_target",
            _("只能向本级以下的区域下拨预算。"),
            extra={"fund": source.code, "region": getattr(community, "code", None)},
        )
    if community.level == RegionLevel.COMMUNITY:
        target = community_pool(community)
    elif community.level == RegionLevel.COUNTY:
        target = fund_account(community)
    else:
        raise ApplicationError(
            "points.bad_allocation_target",
            _("预算只能下拨到县（市、区）积分资金或社区积分池。"),
            extra={"fund": source.code, "region": community.code},
        )
    return post_entry(
        transfer_id=transfer_id,
        kind=EntryKind.ALLOCATION,
        debit=fund,
        credit=target,
        amount=amount,
        reason=BUDGET_ALLOCATION,
        reference=f"region:{community.code}",
        actor=actor,
        note=note,
        shortage_code="points.budget_exhausted",
        on_post=_audit(
            "points.budget_allocate", actor, community, note, fund=source.code, to=community.code
        ),
    )
