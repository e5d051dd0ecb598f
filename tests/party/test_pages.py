"""The party pages: staff see their area's tree, coverage and 应建尽建; members choose their
badge and sign in to meetings; everyone else is refused."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from nuanxin.party import services
from nuanxin.party.models import Attendance, Badge, Membership
from nuanxin.registry.models import PoliticalStatus
from tests.factories import staff
from tests.party.conftest import MEETING_START
from tests.party.factories import make_enterprise, member, org, party_staff, worker_account
from tests.registry.factories import make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree):
    branch = org(tree["A1"], name="甲流动党支部", branch_type="mobile")
    org(tree["B1"], name="乙支部")
    user = worker_account(tree["A1a"])
    m = services.membership_join(
        actor=None, worker=member(tree["A1a"], user=user, name="王师傅"), organisation=branch,
        kind="formal", joined_on=dt.date(2021, 1, 1), mobile=True,
    )  # fmt: skip
    return {"branch": branch, "user": user, "membership": m, "staff": party_staff(tree["A"])}


def test_staff_see_their_tree_and_members(client, world):
    client.force_login(world["staff"])
    page = client.get("/party/staff/").content.decode()
    assert "甲流动党支部" in page and "乙支部" not in page
    detail = client.get(f"/party/staff/o/{world['branch'].pk}/").content.decode()
    assert "王师傅" in detail


def test_other_staff_get_the_refusal_page(client, tree, world):
    client.force_login(staff("county_admin", tree["A"]))
    response = client.get("/party/staff/")
    assert response.status_code == 403
    assert "auth.forbidden" in response.content.decode()


def test_coverage_page_lists_the_must_set_up_enterprises(client, tree, world):
    e = make_enterprise(tree["A1a"], name="甲区快递网点")
    for _ in range(3):
        make_worker(tree["A1a"], political_status=PoliticalStatus.PARTY_MEMBER, enterprises=[e])
    client.force_login(world["staff"])
    page = client.get("/party/staff/coverage/").content.decode()
    assert "甲区快递网点" in page
    assert "A1街道" in page


def test_transfer_from_the_page(client, tree, world):
    target = org(tree["A2"], name="丙支部")
    client.force_login(world["staff"])
    client.post(
        f"/party/staff/m/{world['membership'].pk}/transfer/", {"to": target.pk, "on": "2024-01-02"}
    )
    assert Membership.objects.get(left_on__isnull=True).organisation == target


def test_leaving_without_a_reason_is_refused_with_a_chinese_message(client, world):
    client.force_login(world["staff"])
    response = client.post(
        f"/party/staff/m/{world['membership'].pk}/leave/", {"reason": "", "on": "2024-01-02"}
    )
    assert "请选择转出原因" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert Membership.objects.get().left_on is None


def test_the_member_shows_and_withdraws_the_badge(client, world):
    client.force_login(world["user"])
    assert "亮明党员身份" in client.get("/party/").content.decode()
    client.post("/party/badge/", {"shown": "1"})
    assert Badge.objects.get(user=world["user"]).shown
    client.post("/party/badge/", {"shown": "0"})
    assert not Badge.objects.get(user=world["user"]).shown


def test_a_mobile_member_signs_in_online_in_the_window(client, world, clock):
    meeting = services.meeting_schedule(
        actor=None, organisation=world["branch"], kind="theme_day", title="主题党日",
        starts_at=MEETING_START, ends_at=MEETING_START + dt.timedelta(hours=2),
        online_link="https://meet.example.cn/x",
    )  # fmt: skip
    client.force_login(world["user"])
    assert "签到将于" in client.get(f"/party/meetings/{meeting.pk}/").content.decode()
    clock.at = MEETING_START
    client.post(f"/party/meetings/{meeting.pk}/sign-in/", {"method": "online"})
    assert Attendance.objects.get().method == "online"
    assert "已签到" in client.get(f"/party/meetings/{meeting.pk}/").content.decode()
