"""Who sees party data (party-work staff inside their area), and 亮身份: the member's own choice,
withdrawable, the only sign visible to anyone else."""

import datetime as dt

import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.badges import badges_for, badges_of
from nuanxin.party import services
from nuanxin.party.access import is_party_staff
from nuanxin.party.selectors.staff import (
    area_for,
    memberships_for,
    organisation_for_staff,
    organisation_tree,
    organisations_for,
)
from tests.factories import staff
from tests.helpers import error_code
from tests.party.factories import member, org, party_staff, worker_account

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def two_branches(tree):
    a = org(tree["A1"], name="甲支部")
    b = org(tree["B1"], name="乙支部")
    for branch, region in ((a, tree["A1a"]), (b, tree["B1a"])):
        services.membership_join(
            actor=None, worker=member(region), organisation=branch, kind="formal",
            joined_on=D(2021, 1, 1),
        )  # fmt: skip
    return a, b


@pytest.mark.parametrize(
    ("role", "region", "party_work", "sees"),
    [
        (Role.CITY_ADMIN, "city", True, {"甲支部", "乙支部"}),
        (Role.COUNTY_ADMIN, "A", True, {"甲支部"}),
        (Role.STREET_ADMIN, "B1", True, {"乙支部"}),
        (Role.COMMUNITY_STAFF, "A1a", True, set()),  # the branch sits at the street
        (Role.CITY_ADMIN, "city", False, set()),
        (Role.COUNTY_ADMIN, "A", False, set()),
        (Role.STATION_KEEPER, "A1a", True, set()),
        (Role.WORKER, "A1a", True, set()),
    ],
)
def test_party_data_by_role(tree, two_branches, role, region, party_work, sees):
    user = party_staff(tree[region], role=role) if party_work else staff(role, tree[region])
    assert {o.name for o in organisations_for(user)} == sees
    assert memberships_for(user).count() == len(sees)


def test_staff_without_party_work_are_refused_and_outsiders_get_not_found(tree, two_branches):
    a, b = two_branches
    plain = staff(Role.CITY_ADMIN, tree.city)
    assert error_code(lambda: organisation_tree(plain)) == "party.not_party_staff"
    county_a = party_staff(tree["A"])
    assert organisation_for_staff(county_a, a.pk) == a
    outside = error_code(lambda: organisation_for_staff(county_a, b.pk))
    missing = error_code(lambda: organisation_for_staff(county_a, 10**9))
    assert outside == missing == "party.organisation_not_found"
    assert error_code(lambda: area_for(county_a, tree["B"].code)) == "auth.out_of_jurisdiction"


def test_the_permission_is_granted_through_the_service(tree):
    county = staff(Role.COUNTY_ADMIN, tree["A"])
    assert not is_party_staff(county)
    services.party_work_grant(actor=None, user=county)
    county = type(county).objects.get(pk=county.pk)
    assert is_party_staff(county)
    worker = worker_account(tree["A1a"])
    assert error_code(lambda: services.party_work_grant(actor=None, user=worker)) == (
        "party.not_region_staff"
    )


def _member_with_account(tree, branch):
    user = worker_account(tree["A1a"])
    worker = member(tree["A1a"], user=user)
    m = services.membership_join(
        actor=None, worker=worker, organisation=branch, kind="formal", joined_on=D(2021, 1, 1)
    )
    return user, m


def test_a_badge_shows_only_after_the_member_chooses_it(tree):
    user, _m = _member_with_account(tree, org(tree["A1"]))
    assert badges_of(user) == []

    services.badge_set(user=user, shown=True)
    assert badges_of(user) == ["先锋"]

    services.badge_set(user=user, shown=False)
    assert badges_of(user) == []


def test_a_badge_disappears_when_the_member_leaves_their_organisation(tree):
    user, m = _member_with_account(tree, org(tree["A1"]))
    services.badge_set(user=user, shown=True)
    services.membership_end(actor=None, membership=m, on=D(2024, 1, 1), reason="moved_away")
    assert badges_for([user.pk]) == {}


def test_only_members_may_show_a_badge_and_only_themselves(tree):
    stranger = worker_account(tree["A1a"])
    assert error_code(lambda: services.badge_set(user=stranger, shown=True)) == (
        "party.badge_not_member"
    )
    clerk = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    assert error_code(lambda: services.badge_set(user=clerk, shown=True)) == (
        "party.badge_not_allowed"
    )


def test_an_activist_cannot_show_a_pioneer_badge(tree):
    from nuanxin.registry.models import PoliticalStatus

    user = worker_account(tree["A1a"])
    worker = member(tree["A1a"], user=user, status=PoliticalStatus.MASSES)
    services.membership_join(
        actor=None, worker=worker, organisation=org(tree["A1"]), kind="activist",
        joined_on=D(2021, 1, 1),
    )  # fmt: skip
    assert error_code(lambda: services.badge_set(user=user, shown=True)) == "party.badge_not_member"


def test_the_tree_counts_members_and_badges(tree):
    committee = org(tree["A"], kind="joint_committee", name="联合党委")
    branch = org(tree["A1"], parent=committee, name="下属支部")
    user, _m = _member_with_account(tree, branch)
    services.badge_set(user=user, shown=True)
    nodes = organisation_tree(party_staff(tree["A"]))
    assert [(n.organisation.name, n.depth, n.members, n.badges) for n in nodes] == [
        ("联合党委", 0, 0, 0),
        ("下属支部", 1, 1, 1),
    ]
