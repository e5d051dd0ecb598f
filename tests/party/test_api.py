"""The party API: staff endpoints scoped to party-work staff in their area, the member's own."""

import datetime as dt

import pytest

from nuanxin.party import services
from nuanxin.party.models import Attachment, Membership
from nuanxin.registry.models import PoliticalStatus
from tests.factories import staff
from tests.helpers import send
from tests.party.conftest import MEETING_START
from tests.party.factories import make_enterprise, member, org, party_staff, worker_account
from tests.registry.factories import make_worker

pytestmark = pytest.mark.django_db
BASE = "/api/v1/party"


@pytest.fixture
def setup(tree):
    a = org(tree["A1"], name="甲支部", branch_type="mobile")
    b = org(tree["B1"], name="乙支部")
    user = worker_account(tree["A1a"])
    worker = member(tree["A1a"], user=user)
    m = services.membership_join(
        actor=None, worker=worker, organisation=a, kind="formal", joined_on=dt.date(2021, 1, 1),
        mobile=True,
    )  # fmt: skip
    return {"a": a, "b": b, "user": user, "membership": m, "staff": party_staff(tree["A"])}


def test_the_tree_for_party_staff_and_a_refusal_for_others(client, tree, setup):
    r = send(client, "get", f"{BASE}/organisations", user=setup["staff"])
    assert r.status_code == 200
    assert [o["name"] for o in r.json()] == ["甲支部"]
    assert r.json()[0]["formal"] == 1
    r = send(client, "get", f"{BASE}/organisations", user=staff("city_admin", tree.city))
    assert (r.status_code, r.json()["code"]) == (403, "party.not_party_staff")


def test_an_organisation_outside_the_area_answers_like_a_missing_one(client, setup):
    outside = send(client, "get", f"{BASE}/organisations/{setup['b'].pk}", user=setup["staff"])
    missing = send(client, "get", f"{BASE}/organisations/999999", user=setup["staff"])
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_transfer_through_the_api_and_its_retry(client, tree, setup):
    other = org(tree["A2"], name="丙支部")
    url = f"{BASE}/memberships/{setup['membership'].pk}/transfer"
    body = {"to_organisation_id": other.pk, "on": "2024-05-01"}
    first = send(client, "post", url, body, user=setup["staff"])
    again = send(client, "post", url, body, user=setup["staff"])
    assert first.status_code == 201
    assert (again.status_code, again.json()["code"]) == (409, "party.membership_closed")
    assert Membership.objects.filter(left_on__isnull=True).get().organisation == other


def test_bad_input_gets_a_code_and_changes_nothing(client, setup):
    url = f"{BASE}/memberships/{setup['membership'].pk}/end"
    r = send(client, "post", url, {"on": "2024-05-01", "reason": ""}, user=setup["staff"])
    assert (r.status_code, r.json()["code"]) == (400, "party.reason_required")
    r = send(client, "post", url, {"on": 20240501, "reason": "other"}, user=setup["staff"])
    assert r.status_code == 422
    assert Membership.objects.get().left_on is None


def test_coverage_and_the_must_set_up_list_of_the_area(client, tree, setup):
    e = make_enterprise(tree["A1a"])
    for _ in range(3):
        make_worker(tree["A1a"], political_status=PoliticalStatus.PARTY_MEMBER, enterprises=[e])
    covered = make_enterprise(tree["A1b"])
    org(tree["A1b"], attachment=Attachment.ENTERPRISE, enterprise=covered)
    r = send(client, "get", f"{BASE}/must-set-up", user=setup["staff"])
    assert [row["name"] for row in r.json()] == [e.name]
    r = send(client, "get", f"{BASE}/coverage", user=setup["staff"])
    body = r.json()
    assert (body["total"]["enterprises"], body["total"]["own"]) == (2, 1)
    assert [c["region_code"] for c in body["children"]] == [tree["A1"].code, tree["A2"].code]
    r = send(client, "get", f"{BASE}/coverage?region_code={tree['B'].code}", user=setup["staff"])
    assert (r.status_code, r.json()["code"]) == (403, "auth.out_of_jurisdiction")
    r = send(client, "get", f"{BASE}/coverage/monthly?months=3", user=setup["staff"])
    assert len(r.json()) == 3


def test_the_member_chooses_the_badge(client, setup):
    user = setup["user"]
    assert send(client, "get", f"{BASE}/me/badge", user=user).json() == {
        "eligible": True, "shown": False,
    }  # fmt: skip
    r = send(client, "put", f"{BASE}/me/badge", {"shown": True}, user=user)
    assert r.json()["shown"] is True
    r = send(client, "put", f"{BASE}/me/badge", {"shown": False}, user=user)
    assert r.json()["shown"] is False


def test_a_mobile_member_signs_in_online_through_the_api(client, setup, clock):
    meeting = services.meeting_schedule(
        actor=None, organisation=setup["a"], kind="theme_day", title="主题党日",
        starts_at=MEETING_START, ends_at=MEETING_START + dt.timedelta(hours=2),
        online_link="https://meet.example.cn/x",
    )  # fmt: skip
    user = setup["user"]
    assert [m["id"] for m in send(client, "get", f"{BASE}/me/meetings", user=user).json()] == [
        meeting.pk
    ]
    url = f"{BASE}/meetings/{meeting.pk}/sign-in"
    early = send(client, "post", url, {"method": "online"}, user=user)
    assert (early.status_code, early.json()["code"]) == (400, "party.signin_not_open")
    clock.at = MEETING_START
    r = send(client, "post", url, {"method": "online"}, user=user)
    assert (r.status_code, r.json()["method"]) == (200, "online")
    stranger = worker_account(setup["a"].region)
    r = send(client, "post", url, {"method": "online"}, user=stranger)
    assert (r.status_code, r.json()["code"]) == (404, "party.meeting_not_found")


def test_a_worker_outside_the_area_cannot_be_added_and_answers_like_a_missing_one(
    client, tree, setup
):
    outsider = member(tree["B1a"])
    url = f"{BASE}/organisations/{setup['a'].pk}/members"
    body = {"kind": "formal", "joined_on": "2024-01-01"}
    foreign = send(client, "post", url, body | {"worker_id": outsider.pk}, user=setup["staff"])
    missing = send(client, "post", url, body | {"worker_id": 10**9}, user=setup["staff"])
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    local = member(tree["A1b"])
    r = send(client, "post", url, body | {"worker_id": local.pk}, user=setup["staff"])
    assert (r.status_code, r.json()["name"]) == (201, local.name)
