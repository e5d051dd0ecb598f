import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.points import services
from nuanxin.points.models import EntryKind
from tests.factories import staff
from tests.helpers import error_code
from tests.points.factories import (
    assert_ledger_clean,
    city_admin,
    funded_city,
    tid,
)

pytestmark = pytest.mark.django_db


def test_top_up_brings_new_points_into_the_city_fund(tree):
    admin = city_admin(tree)
    fund = services.fund_account(tree.city)

    entry = services.fund_top_up(transfer_id="topup-1", fund=fund, amount=10_000, actor=admin)

    fund.refresh_from_db()
    assert fund.posted == 10_000
    assert entry.debit == services.issuance_account() and entry.kind == EntryKind.TOP_UP
    audit = AuditLog.objects.get(action="points.fund_top_up")
    assert audit.actor == admin and audit.after["amount"] == 10_000
    assert_ledger_clean()


def test_only_the_city_fund_is_topped_up(tree):
    fund = services.fund_account(tree["A"])
    call = lambda: services.fund_top_up(  # noqa: E731
        transfer_id=tid(), fund=fund, amount=10, actor=city_admin(tree)
    )
    assert error_code(call) == "points.not_city_fund"


def test_budget_flows_city_to_county_to_community(tree):
    admin = city_admin(tree)
    city = funded_city(tree, 1_000, admin)
    county_admin = staff(Role.COUNTY_ADMIN, tree["A"])

    services.budget_allocate(
        transfer_id=tid(), fund=city, community=tree["A"], amount=600, actor=admin
    )
    county = services.fund_account(tree["A"])
    services.budget_allocate(
        transfer_id=tid(), fund=county, community=tree["A1a"], amount=250, actor=county_admin
    )

    pool = services.community_pool(tree["A1a"])
    city.refresh_from_db()
    county.refresh_from_db()
    assert (city.posted, county.posted, pool.posted) == (400, 350, 250)
    assert AuditLog.objects.filter(action="points.budget_allocate").count() == 2
    assert_ledger_clean()


def test_allocation_beyond_the_fund_is_refused(tree):
    admin = city_admin(tree)
    city = funded_city(tree, 100, admin)
    call = lambda: services.budget_allocate(  # noqa: E731
        transfer_id=tid(), fund=city, community=tree["A1a"], amount=101, actor=admin
    )
    assert error_code(call) == "points.budget_exhausted"


def test_a_county_cannot_allocate_to_another_county_or_from_the_city_fund(tree):
    admin = city_admin(tree)
    city = funded_city(tree, 1_000, admin)
    services.budget_allocate(
        transfer_id=tid(), fund=city, community=tree["A"], amount=500, actor=admin
    )
    county_admin = staff(Role.COUNTY_ADMIN, tree["A"])
    county = services.fund_account(tree["A"])

    outside = lambda: services.budget_allocate(  # noqa: E731
        transfer_id=tid(), fund=county, community=tree["B1a"], amount=1, actor=county_admin
    )
    upwards = lambda: services.budget_allocate(  # noqa: E731
        transfer_id=tid(), fund=city, community=tree["A1a"], amount=1, actor=county_admin
    )
    to_street = lambda: services.budget_allocate(  # noqa: E731
        transfer_id=tid(), fund=county, community=tree["A1"], amount=1, actor=county_admin
    )

    assert error_code(outside) == "points.bad_allocation_target"
    assert error_code(upwards) == "auth.out_of_jurisdiction"
    assert error_code(to_street) == "points.bad_allocation_target"


def test_only_funds_allocate(tree):
    pool = services.community_pool(tree["A1a"])
    call = lambda: services.budget_allocate(  # noqa: E731
        transfer_id=tid(), fund=pool, community=tree["A1b"], amount=1, actor=city_admin(tree)
    )
    assert error_code(call) == "points.not_a_fund"
