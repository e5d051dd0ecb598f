"""Builders for ledger tests: funded pools, workers with points, a city admin."""

import itertools

from nuanxin.accounts.models import Role
from nuanxin.points import services
from nuanxin.points.checks import ledger_check
from nuanxin.points.models import Account
from tests.factories import UserFactory, staff

_ids = itertools.count(1)


def tid(prefix: str = "t") -> str:
    """A fresh transfer id."""
    return f"{prefix}-{next(_ids)}"


def city_admin(tree):
    return staff(Role.CITY_ADMIN, tree.city)


def funded_city(tree, amount: int = 100_000, actor=None) -> Account:
    actor = actor or city_admin(tree)
    fund = services.fund_account(tree.city)
    services.fund_top_up(transfer_id=tid("topup"), fund=fund, amount=amount, actor=actor)
    return fund


def funded_pool(tree, community: str = "A1a", amount: int = 1_000) -> Account:
    actor = city_admin(tree)
    fund = funded_city(tree, amount, actor)
    services.budget_allocate(
        transfer_id=tid("alloc"), fund=fund, community=tree[community], amount=amount, actor=actor
    )
    return services.community_pool(tree[community])


def worker(tree, community: str = "A1a", **fields):
    return UserFactory(role=Role.WORKER, region=tree[community], **fields)


def worker_with_points(tree, points: int = 100, community: str = "A1a"):
    """A worker holding ``points`` earned from a freshly funded pool (caps lifted)."""
    person = worker(tree, community)
    admin = city_admin(tree)
    services.policy_update(actor=admin, daily_cap=None, monthly_cap=None)
    funded_pool(tree, community, points)
    services.earn(
        transfer_id=tid("earn"),
        worker=person,
        community=tree[community],
        source="report.accepted",
        points=points,
        reference="report:seed",
    )
    return person, services.worker_account(person)


def assert_ledger_clean() -> None:
    report = ledger_check()
    assert report.problems == []
