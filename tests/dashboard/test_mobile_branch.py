"""The big screen's mobile-branch tile: which branch it shows when an area has several.

The rule (``party.selectors.first_mobile_branch``): the mobile branch (流动党支部) founded
earliest among those still in being in the area's subtree, ties broken by the one recorded
first; its figure is the party members (formal and probationary) in it today. Merged or
dissolved branches, other branch types and branches outside the area never count; an area
without one shows no tile."""

import datetime as dt

import pytest

from nuanxin.dashboard.figures import region_figures
from nuanxin.geo.models import Region
from nuanxin.party import services
from nuanxin.party.models import BranchType, OrgStatus
from tests.party.factories import member, org

pytestmark = pytest.mark.django_db


def _mobile(region, name, founded, **fields):
    return org(region, name=name, branch_type=BranchType.MOBILE, founded_on=founded, **fields)


def _join(branch, region, kind="formal", left=False):
    worker = member(region, status="party_member" if kind != "activist" else "masses")
    membership = services.membership_join(
        actor=None, worker=worker, organisation=branch, kind=kind, joined_on=dt.date(2022, 1, 1)
    )
    if left:
        services.membership_end(
            actor=None, membership=membership, on=dt.date(2023, 1, 1), reason="moved_away"
        )


def _tile(region):
    found = {h["key"]: h for h in region_figures(region).highlights}
    return found.get("first_mobile_branch")


def test_mobile_branch__the_earliest_founded_in_being_wins_per_area(tree):
    old = _mobile(tree["A1"], "已撤销的流动党支部", dt.date(2015, 1, 1))
    services.organisation_end(
        actor=None, organisation=old, status=OrgStatus.DISSOLVED, on=dt.date(2020, 1, 1)
    )
    org(tree["A1"], name="更早成立的常规支部", founded_on=dt.date(2010, 1, 1))
    in_a = _mobile(tree["A1"], "A区骑手流动党支部", dt.date(2021, 6, 1))
    in_b = _mobile(tree["B1"], "B区司机流动党支部", dt.date(2019, 3, 1))
    _mobile(tree["A1"], "A区后成立的流动党支部", dt.date(2023, 1, 1))
    for _ in range(3):
        _join(in_a, tree["A1a"])
    _join(in_a, tree["A1a"], kind="probationary")
    _join(in_a, tree["A1a"], kind="activist")  # not a party member: not counted
    _join(in_a, tree["A1a"], left=True)  # left the branch: not counted
    _join(in_b, tree["B1a"])

    city, county_a = _tile(tree.city), _tile(tree["A"])

    assert (city["name"], city["value"], city["since"]) == ("B区司机流动党支部", 1, "2019-03-01")
    assert (county_a["name"], county_a["value"]) == ("A区骑手流动党支部", 4)
    assert _tile(tree["B2"]) is None  # no mobile branch there: no tile


def test_mobile_branch__a_tie_goes_to_the_one_recorded_first(tree):
    # By name the second would come first (乙 sorts before 甲): the order is the record's.
    first = _mobile(tree["B1"], "甲·先登记的流动党支部", dt.date(2020, 5, 1))
    _mobile(tree["A1"], "乙·后登记的流动党支部", dt.date(2020, 5, 1))

    assert _tile(tree.city)["name"] == first.name
    assert _tile(Region.objects.get(pk=tree["A"].pk))["name"] == "乙·后登记的流动党支部"
