"""The demo's party figures are the article's: 18, 88, 165, 27, 7/5, 4, 22."""

import datetime as dt

import pytest
from django.utils import timezone

from nuanxin.accounts.models import User
from nuanxin.core.badges import badges_of
from nuanxin.demo.party import DIDI_BRANCH, RED_ORANGE, SUIXI_BRANCH
from nuanxin.party.models import (
    PARTY_MEMBER_KINDS,
    BranchType,
    CommitteeDepartment,
    GridMember,
    MassOrganisation,
    Membership,
    MembershipKind,
    Organisation,
)
from nuanxin.party.selectors.committee import departments_on, overdue_items
from nuanxin.party.selectors.coverage import must_set_up_list
from nuanxin.party.selectors.staff import area_for
from nuanxin.registry.models import PARTY_STATUSES, Worker

pytestmark = pytest.mark.django_db


def _open(**filters):
    return Membership.objects.filter(left_on__isnull=True, **filters)


def test_18_organisations_and_165_members_across_them(demo_city):
    assert Organisation.objects.count() == 18
    members = _open(kind__in=PARTY_MEMBER_KINDS)
    assert members.count() == 165
    assert members.count() == Worker.objects.filter(political_status__in=PARTY_STATUSES).count()


def test_the_didi_mobile_branch_has_27_drivers_in_shawan(demo_city):
    branch = Organisation.objects.select_related("region__parent").get(name=DIDI_BRANCH)
    assert branch.branch_type == BranchType.MOBILE
    assert (branch.region.name, branch.region.parent.name) == ("沙湾街道", "赤坎区")
    members = _open(organisation=branch)
    assert members.count() == 27
    assert set(members.values_list("worker__occupation", flat=True)) == {"ride_hailing_driver"}
    assert all(m.mobile for m in members)


def test_the_suixi_park_branch_founded_2020_09_with_7_members_and_5_activists(demo_city):
    branch = Organisation.objects.get(name=SUIXI_BRANCH)
    assert (branch.founded_on.year, branch.founded_on.month) == (2020, 9)
    assert branch.enterprise.name == "遂溪县电子商务产业园"
    assert _open(organisation=branch, kind__in=PARTY_MEMBER_KINDS).count() == 7
    assert _open(organisation=branch, kind=MembershipKind.ACTIVIST).count() == 5


def test_the_red_orange_joint_committee_has_4_branches(demo_city):
    committee = Organisation.objects.get(name=RED_ORANGE)
    assert committee.kind == "joint_committee"
    assert committee.children.filter(kind="branch").count() == 4
    assert committee.region.parent.name == "廉江市"


def test_88_mass_organisations_of_three_kinds(demo_city):
    assert MassOrganisation.objects.count() == 88
    assert set(MassOrganisation.objects.values_list("kind", flat=True)) == {
        "union", "league", "women",
    }  # fmt: skip
    union = MassOrganisation.objects.get(name="顺丰速运湛江分公司工会")
    assert union.memberships.count() == union.enterprise.workers.filter(union_member=True).count()


def test_the_committee_has_22_departments_today_and_had_others_before(demo_city):
    today = timezone.localdate()
    assert departments_on(today).count() == 22
    assert CommitteeDepartment.objects.count() == 24
    earlier = set(departments_on(dt.date(2022, 1, 1)).values_list("name", flat=True))
    assert len(earlier) == 20
    assert "市应急管理局" in earlier
    assert "市应急管理局" not in set(departments_on(today).values_list("name", flat=True))
    assert overdue_items().exists()


def test_grid_members_are_zto_couriers_in_leizhou(demo_city):
    members = GridMember.objects.select_related("grid", "user__registry_worker")
    assert members.count() >= 5
    for m in members:
        assert "/440882/" in m.grid.path
        assert m.user.registry_worker.enterprises.filter(platform_brand="中通").exists()


def test_party_staff_see_a_non_empty_must_set_up_list_for_their_area(demo_city):
    city = User.objects.get(phone="13800000001")
    chikan = User.objects.get(phone="13800000010")
    everything = must_set_up_list(area_for(city, None).path)
    local = must_set_up_list(area_for(chikan, None).path)
    assert everything
    assert local
    assert all("/440802/" in row.region_path for row in local)
    assert len(local) < len(everything)


def test_the_demo_driver_shows_his_badge(demo_city):
    assert badges_of(User.objects.get(phone="13800000009")) == ["先锋"]


def test_the_mobile_branch_holds_a_meeting_drivers_signed_in_to_online(demo_city):
    from nuanxin.party.models import Attendance

    rows = Attendance.objects.filter(meeting__organisation__name=DIDI_BRANCH)
    assert rows.filter(method="online").count() >= 5
    assert set(rows.values_list("membership__mobile", flat=True)) == {True}
