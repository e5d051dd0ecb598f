"""The party API's writes that the pages had before it: an officer leaving, a member leaving a
mass organisation, the industry-figures import, and the committee's member units, meetings and
action items (the city's party-work staff only)."""

import datetime as dt
from functools import partial

import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.party import services
from nuanxin.party.models import (
    ActionItem,
    ActionStatus,
    CommitteeMeeting,
    CommitteeSeat,
    IndustryFigure,
    MassMembership,
    Officer,
)
from tests.factories import staff
from tests.helpers import send
from tests.party.factories import member, org, party_staff
from tests.party.test_industry import GOOD, sheet

pytestmark = pytest.mark.django_db
BASE = "/api/v1/party"
DAY = dt.date(2024, 5, 1)


def same_answer(a, b) -> None:
    assert a.status_code == b.status_code == 404
    assert a.json() == b.json()


# --- officers ---


@pytest.fixture
def officers(tree):
    a, b = org(tree["A1"], name="甲支部"), org(tree["B1"], name="乙支部")
    on = dt.date(2021, 1, 1)
    appoint = partial(services.officer_appoint, actor=None, post="secretary", on=on)
    return {
        "staff": party_staff(tree["A"]),
        "a": appoint(organisation=a, name="李书记"),
        "b": appoint(organisation=b, name="王书记"),
    }


def test_an_officer_leaves_through_the_api_once(client, officers):
    url = f"{BASE}/officers/{officers['a'].pk}/end"
    r = send(client, "post", url, {"on": "2024-05-01"}, user=officers["staff"])
    assert r.status_code == 200
    assert (r.json()["id"], r.json()["ended_on"]) == (officers["a"].pk, "2024-05-01")
    assert Officer.objects.get(pk=officers["a"].pk).ended_on == DAY
    again = send(client, "post", url, {"on": "2024-06-01"}, user=officers["staff"])
    assert (again.status_code, again.json()["code"]) == (409, "party.officer_ended")
    assert Officer.objects.get(pk=officers["a"].pk).ended_on == DAY


def test_an_officer_leaves_after_starting(client, officers):
    url = f"{BASE}/officers/{officers['a'].pk}/end"
    r = send(client, "post", url, {"on": "2020-01-01"}, user=officers["staff"])
    assert (r.status_code, r.json()["code"]) == (400, "party.invalid_date")


def test_an_officer_outside_the_area_answers_like_a_missing_one(client, tree, officers):
    body = {"on": "2024-05-01"}
    outside = send(client, "post", f"{BASE}/officers/{officers['b'].pk}/end", body,
                   user=officers["staff"])  # fmt: skip
    missing = send(client, "post", f"{BASE}/officers/999999/end", body, user=officers["staff"])
    same_answer(outside, missing)
    assert outside.json()["code"] == "party.officer_not_found"
    assert Officer.objects.get(pk=officers["b"].pk).ended_on is None
    r = send(client, "post", f"{BASE}/officers/{officers['a'].pk}/end", body,
             user=staff(Role.COUNTY_ADMIN, tree["A"]))  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (403, "party.not_party_staff")


# --- mass organisation members ---


@pytest.fixture
def mass(tree):
    on = dt.date(2021, 1, 1)
    rows = {}
    for key, county in (("a", "A1a"), ("b", "B1a")):
        body = services.mass_organisation_create(
            actor=None, name=f"{key}工会", kind="union", region=tree[county], founded_on=on
        )
        rows[key] = services.mass_member_add(
            actor=None, organisation=body, worker=member(tree[county]), on=dt.date(2021, 2, 1)
        )
    rows["staff"] = party_staff(tree["A"])
    return rows


def test_a_member_leaves_a_mass_organisation_through_the_api(client, mass):
    url = f"{BASE}/mass-memberships/{mass['a'].pk}/leave"
    r = send(client, "post", url, {"on": "2024-05-01"}, user=mass["staff"])
    assert r.status_code == 200
    assert (r.json()["id"], r.json()["left_on"]) == (mass["a"].pk, "2024-05-01")
    assert MassMembership.objects.get(pk=mass["a"].pk).left_on == DAY
    again = send(client, "post", url, {"on": "2024-06-01"}, user=mass["staff"])
    assert (again.status_code, again.json()["code"]) == (409, "party.mass_member_left")


def test_a_member_leaves_after_joining(client, mass):
    url = f"{BASE}/mass-memberships/{mass['a'].pk}/leave"
    r = send(client, "post", url, {"on": "2021-01-15"}, user=mass["staff"])
    assert (r.status_code, r.json()["code"]) == (400, "party.invalid_date")
    assert MassMembership.objects.get(pk=mass["a"].pk).left_on is None


def test_a_mass_member_outside_the_area_answers_like_a_missing_one(client, mass):
    body = {"on": "2024-05-01"}
    outside = send(client, "post", f"{BASE}/mass-memberships/{mass['b'].pk}/leave", body,
                   user=mass["staff"])  # fmt: skip
    missing = send(client, "post", f"{BASE}/mass-memberships/999999/leave", body,
                   user=mass["staff"])  # fmt: skip
    same_answer(outside, missing)
    assert outside.json()["code"] == "party.mass_member_not_found"
    assert MassMembership.objects.get(pk=mass["b"].pk).left_on is None


# --- the industry-figures import ---


def upload(client, user, file, **fields):
    client.force_login(user)
    return client.post(f"{BASE}/industry-figures/import", {"file": file, **fields})


def test_the_import_through_the_api_records_every_row_and_a_dry_run_none(client, tree):
    user = party_staff(tree["A"])
    r = upload(client, user, sheet(*GOOD), dry_run="true")
    assert r.status_code == 200
    assert r.json() == {"dry_run": True, "created": 2, "updated": 0}
    assert not IndustryFigure.objects.exists()
    r = upload(client, user, sheet(*GOOD))
    assert r.json() == {"dry_run": False, "created": 2, "updated": 0}
    assert IndustryFigure.objects.count() == 2


def test_an_import_with_a_bad_row_answers_its_code_and_writes_nothing(client, tree):
    bad = ["党建+电商", "县（市、区）", "A区", "2023-02-01", "2023-01-01", "", 5, None, None,
           None, ""]  # fmt: skip
    r = upload(client, party_staff(tree["A"]), sheet(*GOOD, bad))
    assert (r.status_code, r.json()["code"]) == (400, "party.invalid_period")
    assert r.json()["extra"]["row"] == 4
    assert [e["code"] for e in r.json()["extra"]["errors"]] == ["party.invalid_period"]
    assert not IndustryFigure.objects.exists()
    r = upload(client, party_staff(tree["A"]), sheet(*GOOD[:1]), dry_run="maybe")
    assert r.status_code == 422


def test_the_import_stays_in_the_callers_area_and_is_for_party_staff(client, tree):
    theirs = ["党建+电商", "县（市、区）", "B区", "2022-01-01", "2022-12-31", "", 5, None, None,
              None, ""]  # fmt: skip
    r = upload(client, party_staff(tree["A"]), sheet(theirs))
    assert (r.status_code, r.json()["code"]) == (400, "auth.out_of_jurisdiction")
    r = upload(client, staff(Role.COUNTY_ADMIN, tree["A"]), sheet(*GOOD))
    assert (r.status_code, r.json()["code"]) == (403, "party.not_party_staff")
    assert not IndustryFigure.objects.exists()


# --- the committee ---


@pytest.fixture
def city(tree):
    return party_staff(tree.city, role=Role.CITY_ADMIN)


def join(name: str, on: dt.date = dt.date(2023, 1, 1)) -> CommitteeSeat:
    return services.department_join(actor=None, name=name, on=on)


def test_a_department_joins_and_leaves_the_committee(client, city):
    body = {"name": "市人社局", "on": "2024-01-01", "responsibilities": "就业"}
    r = send(client, "post", f"{BASE}/committee/departments", body, user=city)
    assert r.status_code == 201
    seat = r.json()
    assert (seat["name"], seat["joined_on"], seat["left_on"]) == ("市人社局", "2024-01-01", None)
    listed = send(client, "get", f"{BASE}/committee/departments?on=2024-02-01", user=city)
    assert [d["name"] for d in listed.json()] == ["市人社局"]
    again = send(client, "post", f"{BASE}/committee/departments",
                 {"name": "市人社局", "on": "2024-02-01"}, user=city)  # fmt: skip
    assert (again.status_code, again.json()["code"]) == (409, "party.already_member_unit")
    url = f"{BASE}/committee/departments/{seat['department_id']}/leave"
    r = send(client, "post", url, {"on": "2024-06-01"}, user=city)
    assert (r.status_code, r.json()["left_on"]) == (200, "2024-06-01")
    r = send(client, "post", url, {"on": "2024-07-01"}, user=city)
    assert (r.status_code, r.json()["code"]) == (409, "party.not_member_unit")
    assert AuditLog.objects.filter(action="party.department_leave").count() == 1


def test_a_missing_department_and_a_bad_name(client, city):
    r = send(client, "post", f"{BASE}/committee/departments/999999/leave", {"on": "2024-06-01"},
             user=city)  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (404, "party.department_not_found")
    r = send(client, "post", f"{BASE}/committee/departments", {"name": "  ", "on": "2024-01-01"},
             user=city)  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (400, "party.invalid_name")


def test_a_meeting_with_action_items_and_their_status(client, city):
    hrss, civil = join("市人社局"), join("市民政局")
    both = [hrss.department_id, civil.department_id]
    body = {"kind": "coordination", "title": "联席会议", "held_on": "2024-03-01",
            "attendee_ids": both, "minutes": "纪要"}  # fmt: skip
    r = send(client, "post", f"{BASE}/committee/meetings", body, user=city)
    assert r.status_code == 201
    meeting = r.json()
    assert meeting["attendee_ids"] == sorted(both)
    assert CommitteeMeeting.objects.get().attendees.count() == 2
    url = f"{BASE}/committee/meetings/{meeting['id']}/action-items"
    item_body = {
        "title": "骑手职业伤害保障",
        "owner_id": hrss.department_id,
        "due_on": "2024-04-01",
    }
    r = send(client, "post", url, item_body, user=city)
    assert r.status_code == 201
    item = r.json()
    assert (item["owner"], item["status"], item["meeting_id"]) == (
        "市人社局",
        "open",
        meeting["id"],
    )
    r = send(client, "post", f"{BASE}/committee/action-items/{item['id']}/status",
             {"status": "done", "on": "2024-03-20"}, user=city)  # fmt: skip
    assert (r.status_code, r.json()["status"], r.json()["overdue"]) == (200, "done", False)
    assert ActionItem.objects.get().done_on == dt.date(2024, 3, 20)


def test_committee_refusals_have_codes(client, city):
    hrss = join("市人社局")
    body = {"kind": "coordination", "title": "联席会议", "held_on": "2022-06-01",
            "attendee_ids": [hrss.department_id]}  # fmt: skip
    r = send(client, "post", f"{BASE}/committee/meetings", body, user=city)
    assert (r.status_code, r.json()["code"]) == (400, "party.not_member_unit_then")
    body = {**body, "held_on": "2024-03-01", "attendee_ids": [hrss.department_id, 999999]}
    r = send(client, "post", f"{BASE}/committee/meetings", body, user=city)
    assert (r.status_code, r.json()["code"]) == (404, "party.department_not_found")
    assert not CommitteeMeeting.objects.exists()
    meeting = services.committee_meeting_record(
        actor=None, kind="progress", title="推进会", held_on=dt.date(2024, 3, 1)
    )
    url = f"{BASE}/committee/meetings/{meeting.pk}/action-items"
    early = {"title": "事项", "owner_id": hrss.department_id, "due_on": "2024-02-01"}
    r = send(client, "post", url, early, user=city)
    assert (r.status_code, r.json()["code"]) == (400, "party.invalid_date")
    r = send(client, "post", url, {**early, "owner_id": 999999}, user=city)
    assert (r.status_code, r.json()["code"]) == (404, "party.department_not_found")
    r = send(client, "post", f"{BASE}/committee/meetings/999999/action-items", early, user=city)
    assert (r.status_code, r.json()["code"]) == (404, "party.committee_meeting_not_found")
    item = services.action_item_add(
        actor=None, meeting=meeting, title="事项", owner=hrss.department, due_on=dt.date(2024, 4, 1)
    )
    status_url = f"{BASE}/committee/action-items/{item.pk}/status"
    r = send(client, "post", status_url, {"status": "lost", "on": "2024-03-20"}, user=city)
    assert (r.status_code, r.json()["code"]) == (400, "party.invalid_status")
    r = send(client, "post", f"{BASE}/committee/action-items/999999/status",
             {"status": "done", "on": "2024-03-20"}, user=city)  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (404, "party.action_item_not_found")
    assert ActionItem.objects.get().status == ActionStatus.OPEN


def test_the_committee_is_the_citys_party_staffs_whatever_the_id(client, tree, city):
    hrss = join("市人社局")
    meeting = services.committee_meeting_record(
        actor=None, kind="progress", title="推进会", held_on=dt.date(2024, 3, 1)
    )
    item = services.action_item_add(
        actor=None, meeting=meeting, title="事项", owner=hrss.department, due_on=dt.date(2024, 4, 1)
    )
    writes = [
        ("committee/departments", {"name": "市民政局", "on": "2024-01-01"}),
        (f"committee/departments/{hrss.department_id}/leave", {"on": "2024-06-01"}),
        ("committee/departments/999999/leave", {"on": "2024-06-01"}),
        ("committee/meetings", {"kind": "progress", "title": "会", "held_on": "2024-03-01"}),
        (f"committee/meetings/{meeting.pk}/action-items",
         {"title": "事项", "owner_id": hrss.department_id, "due_on": "2024-04-01"}),
        ("committee/meetings/999999/action-items",
         {"title": "事项", "owner_id": hrss.department_id, "due_on": "2024-04-01"}),
        (f"committee/action-items/{item.pk}/status", {"status": "done", "on": "2024-03-20"}),
        ("committee/action-items/999999/status", {"status": "done", "on": "2024-03-20"}),
    ]  # fmt: skip
    callers = {
        "party.city_only": party_staff(tree["A"]),
        "party.not_party_staff": staff(Role.CITY_ADMIN, tree.city),
    }
    for code, user in callers.items():
        for path, body in writes:
            r = send(client, "post", f"{BASE}/{path}", body, user=user)
            assert (r.status_code, r.json()["code"]) == (403, code), path
    assert CommitteeSeat.objects.get().left_on is None
    assert CommitteeMeeting.objects.count() == 1
    assert ActionItem.objects.get().status == ActionStatus.OPEN
