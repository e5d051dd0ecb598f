"""The staff actions reached from the API and the pages alike: cancelling a meeting, a member's
kind and mobility, the enterprises an organisation covers, part-time grid members and the
party-work permission. Each: party-work staff of the area succeed and leave an audit row;
staff of another area get the answer of a missing object; workers are refused; bad input
answers its code and changes nothing."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages

from nuanxin.accounts.models import Role, User
from nuanxin.core.models import AuditLog, Notification
from nuanxin.party import services
from nuanxin.party.access import is_party_staff
from nuanxin.party.models import GridMember, Meeting, MeetingStatus, Membership, Organisation
from tests.factories import UserFactory, staff
from tests.helpers import send
from tests.party.conftest import MEETING_START
from tests.party.factories import make_enterprise, member, org, party_staff, worker_account

pytestmark = pytest.mark.django_db
BASE = "/api/v1/party"
ERROR = re.compile(r'data-code="([^"]*)"[^>]*>([^<]*)<')
MISSING = 999999


@pytest.fixture
def w(tree):
    """Two branches, A's and B's, each with a member who has an account and a meeting; A's
    party-work staff; a worker; enterprises in both areas; a grid member in each area."""
    out = {"staff": party_staff(tree["A"]), "worker": worker_account(tree["A1a"])}
    for key, street, community in (("a", "A1", "A1a"), ("b", "B1", "B1a")):
        branch = org(tree[street], name=f"{key}联合党支部")
        account = worker_account(tree[community])
        out[f"org_{key}"] = branch
        out[f"account_{key}"] = account
        out[f"m_{key}"] = services.membership_join(
            actor=None, worker=member(tree[community], user=account), organisation=branch,
            kind="probationary", joined_on=dt.date(2021, 1, 1),
        )  # fmt: skip
        out[f"meeting_{key}"] = services.meeting_schedule(
            actor=None, organisation=branch, kind="lecture", title="党课",
            starts_at=MEETING_START, ends_at=MEETING_START + dt.timedelta(hours=1), place="驿站",
        )  # fmt: skip
        out[f"ent_{key}"] = make_enterprise(tree[community], name=f"{key}快递公司")
        out[f"grid_{key}"] = services.grid_member_enrol(
            actor=None, user=worker_account(tree[community]), grid=tree[f"{community}-1"],
            on=dt.date(2024, 1, 1),
        )  # fmt: skip
    return out


def same_answer(a, b) -> None:
    assert a.status_code == b.status_code == 404
    assert a.json() == b.json()


def audited(action: str) -> int:
    return AuditLog.objects.filter(action=action).count()


def page_post(client, user, url, data):
    client.force_login(user)
    return client.post(url, data, follow=True)


def flashes(response) -> list[tuple[str, str]]:
    """The messages a form's answer leaves (read, so the next answer shows only its own)."""
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def page_error(response) -> tuple[int, list[tuple[str, str]]]:
    return response.status_code, ERROR.findall(response.content.decode())


def same_page_answer(client, user, outside_url, missing_url, data) -> None:
    outside = page_error(page_post(client, user, outside_url, data))
    missing = page_error(page_post(client, user, missing_url, data))
    assert outside == missing
    assert outside[0] == 404


# --- cancel a meeting ---


def test_staff_cancel_a_meeting_through_the_api_and_the_members_are_told(
    client, w, django_capture_on_commit_callbacks
):
    url = f"{BASE}/meetings/{w['meeting_a'].pk}/cancel"
    with django_capture_on_commit_callbacks(execute=True):
        r = send(client, "post", url, {"reason": "台风停课"}, user=w["staff"])
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert Meeting.objects.get(pk=w["meeting_a"].pk).status == MeetingStatus.CANCELLED
    log = AuditLog.objects.get(action="party.meeting_cancel")
    assert (log.actor_id, log.note) == (w["staff"].pk, "台风停课")
    told = Notification.objects.get(user=w["account_a"], kind="party.meeting_cancelled")
    assert told.body == "台风停课"
    again = send(client, "post", url, {"reason": "再取消一次"}, user=w["staff"])
    assert (again.status_code, again.json()["code"]) == (409, "party.meeting_not_scheduled")
    assert audited("party.meeting_cancel") == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_cancellation_without_a_reason_is_refused_and_nobody_is_told(client, w, reason):
    url = f"{BASE}/meetings/{w['meeting_a'].pk}/cancel"
    r = send(client, "post", url, {"reason": reason}, user=w["staff"])
    assert (r.status_code, r.json()["code"]) == (400, "party.reason_required")
    assert Meeting.objects.get(pk=w["meeting_a"].pk).status == MeetingStatus.SCHEDULED
    assert audited("party.meeting_cancel") == 0
    assert not Notification.objects.filter(kind="party.meeting_cancelled").exists()


def test_a_meeting_of_another_area_cancels_like_a_missing_one(client, w):
    body = {"reason": "x"}
    outside = send(client, "post", f"{BASE}/meetings/{w['meeting_b'].pk}/cancel", body,
                   user=w["staff"])  # fmt: skip
    missing = send(client, "post", f"{BASE}/meetings/{MISSING}/cancel", body, user=w["staff"])
    same_answer(outside, missing)
    assert outside.json()["code"] == "party.meeting_not_found"
    r = send(client, "post", f"{BASE}/meetings/{w['meeting_a'].pk}/cancel", body,
             user=w["worker"])  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (403, "party.not_party_staff")
    too_long = send(client, "post", f"{BASE}/meetings/{w['meeting_a'].pk}/cancel",
                    {"reason": "长" * 301}, user=w["staff"])  # fmt: skip
    assert (too_long.status_code, too_long.json()["code"]) == (422, "validation_error")
    assert set(Meeting.objects.values_list("status", flat=True)) == {MeetingStatus.SCHEDULED}
    assert audited("party.meeting_cancel") == 0


def test_staff_cancel_a_meeting_from_its_page(client, w):
    url = f"/party/staff/meeting/{w['meeting_a'].pk}/cancel/"
    r = page_post(client, w["staff"], url, {"reason": "台风停课"})
    assert r.redirect_chain == [(url.removesuffix("cancel/"), 302)]
    assert flashes(r) == [("success", "活动已取消，已通知支部党员。")]
    assert Meeting.objects.get(pk=w["meeting_a"].pk).status == MeetingStatus.CANCELLED
    assert audited("party.meeting_cancel") == 1
    again = page_post(client, w["staff"], url, {"reason": "再取消一次"})
    assert flashes(again) == [("error", "只有尚未召开的活动可以取消。")]
    assert audited("party.meeting_cancel") == 1
    page = client.get(f"/party/staff/meeting/{w['meeting_a'].pk}/").content.decode()
    assert 'id="party-meeting-cancel"' not in page


def test_the_cancel_page_refuses_outside_the_area_and_workers(client, w):
    same_page_answer(
        client, w["staff"], f"/party/staff/meeting/{w['meeting_b'].pk}/cancel/",
        f"/party/staff/meeting/{MISSING}/cancel/", {"reason": "x"},
    )  # fmt: skip
    r = page_post(client, w["worker"], f"/party/staff/meeting/{w['meeting_a'].pk}/cancel/", {})
    assert r.status_code == 403
    client.force_login(w["staff"])
    page = client.get(f"/party/staff/meeting/{w['meeting_a'].pk}/")
    assert 'id="party-meeting-cancel"' in page.content.decode()
    assert not Meeting.objects.filter(status=MeetingStatus.CANCELLED).exists()


# --- a member's kind and mobility ---


def test_staff_make_a_probationary_member_formal_through_the_api(client, w):
    url = f"{BASE}/memberships/{w['m_a'].pk}/kind"
    r = send(client, "post", url, {"kind": "formal"}, user=w["staff"])
    assert r.status_code == 200 and r.json()["kind"] == "formal"
    assert Membership.objects.get(pk=w["m_a"].pk).kind == "formal"
    log = AuditLog.objects.get(action="party.membership_kind")
    assert (log.before["kind"], log.after["kind"]) == ("probationary", "formal")
    for bad, code in (
        ("leader", "party.invalid_kind"),
        ("activist", "party.already_a_party_member"),
    ):
        r = send(client, "post", url, {"kind": bad}, user=w["staff"])
        assert (r.status_code, r.json()["code"]) == (400, code)
    assert Membership.objects.get(pk=w["m_a"].pk).kind == "formal"
    assert audited("party.membership_kind") == 1


def test_staff_mark_a_member_mobile_through_the_api(client, w):
    url = f"{BASE}/memberships/{w['m_a'].pk}/mobile"
    r = send(client, "post", url, {"mobile": True}, user=w["staff"])
    assert r.status_code == 200 and r.json()["mobile"] is True
    assert Membership.objects.get(pk=w["m_a"].pk).mobile is True
    log = AuditLog.objects.get(action="party.membership_mobile")
    assert (log.before["mobile"], log.after["mobile"]) == (False, True)
    strict = send(client, "post", url, {"mobile": "no"}, user=w["staff"])
    assert (strict.status_code, strict.json()["code"]) == (422, "validation_error")
    assert Membership.objects.get(pk=w["m_a"].pk).mobile is True


@pytest.mark.parametrize(("action", "body"), [("kind", {"kind": "formal"}),
                                              ("mobile", {"mobile": True})])  # fmt: skip
def test_a_membership_of_another_area_answers_like_a_missing_one(client, w, action, body):
    outside = send(client, "post", f"{BASE}/memberships/{w['m_b'].pk}/{action}", body,
                   user=w["staff"])  # fmt: skip
    missing = send(client, "post", f"{BASE}/memberships/{MISSING}/{action}", body,
                   user=w["staff"])  # fmt: skip
    same_answer(outside, missing)
    assert outside.json()["code"] == "party.membership_not_found"
    r = send(client, "post", f"{BASE}/memberships/{w['m_a'].pk}/{action}", body, user=w["worker"])
    assert (r.status_code, r.json()["code"]) == (403, "party.not_party_staff")
    assert set(Membership.objects.values_list("kind", "mobile")) == {("probationary", False)}


def test_a_closed_membership_changes_no_more(client, w):
    services.membership_end(actor=None, membership=w["m_a"], on=dt.date(2024, 1, 1),
                            reason="moved_away")  # fmt: skip
    r = send(client, "post", f"{BASE}/memberships/{w['m_a'].pk}/kind", {"kind": "formal"},
             user=w["staff"])  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (409, "party.membership_closed")
    assert Membership.objects.get(pk=w["m_a"].pk).kind == "probationary"


def test_staff_change_kind_and_mobility_from_the_organisation_page(client, w):
    client.force_login(w["staff"])
    page = client.get(f"/party/staff/o/{w['org_a'].pk}/").content.decode()
    assert f'data-kind-form="{w["m_a"].pk}"' in page and f'data-mobile-form="{w["m_a"].pk}"' in page
    r = client.post(f"/party/staff/m/{w['m_a'].pk}/kind/", {"kind": "formal"}, follow=True)
    assert flashes(r) == [("success", "党员类别已变更。")]
    r = client.post(f"/party/staff/m/{w['m_a'].pk}/mobile/", {"mobile": "1"}, follow=True)
    assert flashes(r) == [("success", "已标记为流动党员。")]
    assert Membership.objects.filter(pk=w["m_a"].pk, kind="formal", mobile=True).exists()
    assert (audited("party.membership_kind"), audited("party.membership_mobile")) == (1, 1)
    bad = client.post(f"/party/staff/m/{w['m_a'].pk}/kind/", {"kind": "leader"}, follow=True)
    assert flashes(bad) == [("error", "类别无效。")]
    assert Membership.objects.get(pk=w["m_a"].pk).kind == "formal"
    assert audited("party.membership_kind") == 1


@pytest.mark.parametrize(("action", "data"), [("kind", {"kind": "formal"}),
                                              ("mobile", {"mobile": "1"})])  # fmt: skip
def test_the_member_pages_refuse_outside_the_area_and_workers(client, w, action, data):
    same_page_answer(
        client, w["staff"], f"/party/staff/m/{w['m_b'].pk}/{action}/",
        f"/party/staff/m/{MISSING}/{action}/", data,
    )  # fmt: skip
    r = page_post(client, w["worker"], f"/party/staff/m/{w['m_a'].pk}/{action}/", data)
    assert r.status_code == 403
    assert set(Membership.objects.values_list("kind", "mobile")) == {("probationary", False)}


# --- the enterprises an organisation covers ---


def covered(org_row) -> set[int]:
    return set(
        Organisation.objects.get(pk=org_row.pk).covered_enterprises.values_list("pk", flat=True)
    )


def test_staff_set_the_covered_enterprises_through_the_api(client, w, tree):
    other = make_enterprise(tree["A1b"], name="甲外卖站")
    url = f"{BASE}/organisations/{w['org_a'].pk}/covered"
    r = send(client, "put", url, {"enterprise_ids": [other.pk, w["ent_a"].pk]}, user=w["staff"])
    assert r.status_code == 200
    assert r.json() == {"organisation_id": w["org_a"].pk,
                        "enterprise_ids": sorted([other.pk, w["ent_a"].pk])}  # fmt: skip
    assert covered(w["org_a"]) == {other.pk, w["ent_a"].pk}
    log = AuditLog.objects.get(action="party.organisation_cover")
    assert (log.before, log.after["covered"]) == (
        {"covered": []},
        sorted([other.pk, w["ent_a"].pk]),
    )
    # An enterprise of another area answers like a missing one, and nothing changes.
    outside = send(client, "put", url, {"enterprise_ids": [w["ent_b"].pk]}, user=w["staff"])
    missing = send(client, "put", url, {"enterprise_ids": [MISSING]}, user=w["staff"])
    same_answer(outside, missing)
    assert outside.json()["code"] == "party.enterprise_not_found"
    strict = send(client, "put", url, {"enterprise_ids": ["1"]}, user=w["staff"])
    assert (strict.status_code, strict.json()["code"]) == (422, "validation_error")
    assert covered(w["org_a"]) == {other.pk, w["ent_a"].pk}
    assert audited("party.organisation_cover") == 1


def test_an_ended_organisation_covers_nothing_new(client, w):
    Organisation.objects.filter(pk=w["org_a"].pk).update(
        status="dissolved", ended_on=dt.date.today()
    )
    url = f"{BASE}/organisations/{w['org_a'].pk}/covered"
    r = send(client, "put", url, {"enterprise_ids": [w["ent_a"].pk]}, user=w["staff"])
    assert (r.status_code, r.json()["code"]) == (409, "party.organisation_ended")
    assert covered(w["org_a"]) == set()
    assert audited("party.organisation_cover") == 0


def test_the_coverage_of_another_area_answers_like_a_missing_organisation(client, w):
    body = {"enterprise_ids": []}
    outside = send(client, "put", f"{BASE}/organisations/{w['org_b'].pk}/covered", body,
                   user=w["staff"])  # fmt: skip
    missing = send(client, "put", f"{BASE}/organisations/{MISSING}/covered", body,
                   user=w["staff"])  # fmt: skip
    same_answer(outside, missing)
    assert outside.json()["code"] == "party.organisation_not_found"
    r = send(client, "put", f"{BASE}/organisations/{w['org_a'].pk}/covered", body,
             user=w["worker"])  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (403, "party.not_party_staff")
    assert audited("party.organisation_cover") == 0


def test_staff_set_the_covered_enterprises_from_the_organisation_page(client, w):
    client.force_login(w["staff"])
    url = f"/party/staff/o/{w['org_a'].pk}/covered/"
    r = client.post(url, {"enterprises": "a快递公司\n\n a快递公司 \n"}, follow=True)
    assert flashes(r) == [("success", "覆盖的企业已保存。")]
    assert covered(w["org_a"]) == {w["ent_a"].pk}
    assert audited("party.organisation_cover") == 1
    page = client.get(f"/party/staff/o/{w['org_a'].pk}/").content.decode()
    assert 'id="party-covered"' in page and "a快递公司" in page
    # One name outside the area (or unknown) refuses the whole list.
    bad = client.post(url, {"enterprises": "b快递公司"}, follow=True)
    assert flashes(bad) == [("error", "企业“b快递公司”不在台账中。")]
    assert covered(w["org_a"]) == {w["ent_a"].pk}
    assert audited("party.organisation_cover") == 1


def test_the_coverage_page_refuses_outside_the_area_and_workers(client, w):
    same_page_answer(
        client, w["staff"], f"/party/staff/o/{w['org_b'].pk}/covered/",
        f"/party/staff/o/{MISSING}/covered/", {"enterprises": ""},
    )  # fmt: skip
    r = page_post(client, w["worker"], f"/party/staff/o/{w['org_a'].pk}/covered/",
                  {"enterprises": "a快递公司"})  # fmt: skip
    assert r.status_code == 403
    assert covered(w["org_a"]) == set() and audited("party.organisation_cover") == 0


# --- part-time grid members ---


def test_staff_enrol_and_end_a_grid_member_through_the_api(client, w, tree):
    newcomer = worker_account(tree["A1a"])
    body = {"grid_code": tree["A1a-1"].code, "phone": newcomer.phone, "on": "2024-05-01"}
    r = send(client, "post", f"{BASE}/grid-members", body, user=w["staff"])
    assert r.status_code == 201
    row = GridMember.objects.get(user=newcomer)
    assert (r.json()["id"], r.json()["grid_code"], r.json()["joined_on"]) == (
        row.pk, tree["A1a-1"].code, "2024-05-01")  # fmt: skip
    assert "****" in r.json()["phone"]
    assert (
        AuditLog.objects.get(action="party.grid_member_enrol", actor=w["staff"]).after["user"]
        == newcomer.pk
    )
    listed = send(client, "get", f"{BASE}/grid-members", user=w["staff"]).json()
    assert {x["id"] for x in listed} == {row.pk, w["grid_a"].pk}
    again = send(client, "post", f"{BASE}/grid-members", body, user=w["staff"])
    assert (again.status_code, again.json()["code"]) == (409, "party.already_grid_member")

    url = f"{BASE}/grid-members/{row.pk}/leave"
    r = send(client, "post", url, {"on": "2024-06-01"}, user=w["staff"])
    assert r.status_code == 200 and r.json()["left_on"] == "2024-06-01"
    assert GridMember.objects.get(pk=row.pk).left_on == dt.date(2024, 6, 1)
    assert audited("party.grid_member_leave") == 1
    again = send(client, "post", url, {"on": "2024-07-01"}, user=w["staff"])
    assert (again.status_code, again.json()["code"]) == (409, "party.grid_member_left")
    assert GridMember.objects.get(pk=row.pk).left_on == dt.date(2024, 6, 1)


def test_grid_enrolment_refuses_bad_input_and_changes_nothing(client, w, tree):
    newcomer = worker_account(tree["A1a"])
    day = "2024-05-01"
    cases = [
        ({"grid_code": tree["A1a"].code, "phone": newcomer.phone}, 400, "party.not_a_grid"),
        (
            {"grid_code": tree["B1a-1"].code, "phone": newcomer.phone},
            403,
            "auth.out_of_jurisdiction",
        ),
        ({"grid_code": "999999", "phone": newcomer.phone}, 404, "party.unknown_region"),
        ({"grid_code": tree["A1a-1"].code, "phone": w["staff"].phone}, 400, "party.not_a_worker"),
    ]
    for body, status, code in cases:
        r = send(client, "post", f"{BASE}/grid-members", {**body, "on": day}, user=w["staff"])
        assert (r.status_code, r.json()["code"]) == (status, code), body
    # A worker of another area answers like a phone with no account.
    grid = tree["A1a-1"].code
    enrol = {"grid_code": grid, "on": day}
    outside = send(client, "post", f"{BASE}/grid-members",
                   {**enrol, "phone": w["account_b"].phone}, user=w["staff"])  # fmt: skip
    missing = send(client, "post", f"{BASE}/grid-members", {**enrol, "phone": "13999999999"},
                   user=w["staff"])  # fmt: skip
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()
    assert outside.json()["code"] == "party.worker_not_found"
    r = send(client, "post", f"{BASE}/grid-members",
             {"grid_code": grid, "phone": newcomer.phone, "on": day}, user=w["worker"])  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (403, "party.not_party_staff")
    assert GridMember.objects.count() == 2 and audited("party.grid_member_enrol") == 2


def test_a_grid_member_of_another_area_leaves_like_a_missing_one(client, w):
    body = {"on": "2024-06-01"}
    outside = send(client, "post", f"{BASE}/grid-members/{w['grid_b'].pk}/leave", body,
                   user=w["staff"])  # fmt: skip
    missing = send(client, "post", f"{BASE}/grid-members/{MISSING}/leave", body, user=w["staff"])
    same_answer(outside, missing)
    assert outside.json()["code"] == "party.grid_member_not_found"
    r = send(client, "post", f"{BASE}/grid-members/{w['grid_a'].pk}/leave", body,
             user=w["worker"])  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (403, "party.not_party_staff")
    r = send(client, "post", f"{BASE}/grid-members/{w['grid_a'].pk}/leave", {"on": "2024-13-01"},
             user=w["staff"])  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (422, "validation_error")
    assert not GridMember.objects.filter(left_on__isnull=False).exists()


def test_staff_enrol_and_end_grid_members_from_the_grid_page(client, w, tree):
    newcomer = worker_account(tree["A1a"])
    client.force_login(w["staff"])
    page = client.get("/party/staff/grid/").content.decode()
    assert 'id="party-grid-enrol"' in page and tree["B1a-1"].code not in page
    data = {"grid": tree["A1a-1"].code, "phone": newcomer.phone, "on": "2024-05-01"}
    r = client.post("/party/staff/grid/new/", data, follow=True)
    assert flashes(r) == [("success", "兼职网格员已登记。")]
    row = GridMember.objects.get(user=newcomer)
    assert audited("party.grid_member_enrol") == 3
    again = client.post("/party/staff/grid/new/", data, follow=True)
    assert flashes(again) == [("error", "该人员已是本网格的网格员。")]
    outside = client.post(
        "/party/staff/grid/new/", {**data, "phone": w["account_b"].phone}, follow=True
    )
    assert flashes(outside) == [("error", "人员不存在。")]
    assert GridMember.objects.count() == 3

    r = client.post(f"/party/staff/grid-member/{row.pk}/leave/", {"on": "2024-06-01"}, follow=True)
    assert flashes(r) == [("success", "网格员已退出。")]
    assert GridMember.objects.get(pk=row.pk).left_on == dt.date(2024, 6, 1)
    bad = client.post(f"/party/staff/grid-member/{w['grid_a'].pk}/leave/", {"on": "x"}, follow=True)
    assert flashes(bad) == [("error", "请填写有效的日期。")]
    assert GridMember.objects.get(pk=w["grid_a"].pk).left_on is None
    assert audited("party.grid_member_leave") == 1


def test_the_grid_pages_refuse_outside_the_area_and_workers(client, w, tree):
    same_page_answer(
        client, w["staff"], f"/party/staff/grid-member/{w['grid_b'].pk}/leave/",
        f"/party/staff/grid-member/{MISSING}/leave/", {"on": "2024-06-01"},
    )  # fmt: skip
    for url in (f"/party/staff/grid-member/{w['grid_a'].pk}/leave/", "/party/staff/grid/new/"):
        r = page_post(client, w["worker"], url, {"on": "2024-06-01", "grid": tree["A1a-1"].code,
                                                 "phone": w["worker"].phone})  # fmt: skip
        assert r.status_code == 403
    assert GridMember.objects.count() == 2
    assert not GridMember.objects.filter(left_on__isnull=False).exists()


# --- the party-work permission ---


def test_staff_give_and_take_back_the_party_work_permission_through_the_api(client, w, tree):
    clerk = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    r = send(client, "put", f"{BASE}/party-work", {"phone": clerk.phone, "granted": True},
             user=w["staff"])  # fmt: skip
    assert r.status_code == 200
    assert r.json() == {"name": clerk.name, "phone": clerk.masked_phone,
                        "region_code": tree["A1a"].code, "granted": True}  # fmt: skip
    assert is_party_staff(User.objects.get(pk=clerk.pk))
    assert AuditLog.objects.filter(action="party.work_grant", actor=w["staff"]).count() == 1
    listed = send(client, "get", f"{BASE}/party-work", user=w["staff"]).json()
    assert {x["phone"] for x in listed} == {w["staff"].masked_phone, clerk.masked_phone}
    r = send(client, "put", f"{BASE}/party-work", {"phone": clerk.phone, "granted": False},
             user=w["staff"])  # fmt: skip
    assert r.status_code == 200 and r.json()["granted"] is False
    assert not is_party_staff(User.objects.get(pk=clerk.pk))
    assert audited("party.work_revoke") == 1


def test_the_party_work_permission_refuses_and_changes_nothing(client, w, tree):
    outsider = staff(Role.COMMUNITY_STAFF, tree["B1a"])
    url = f"{BASE}/party-work"
    outside = send(client, "put", url, {"phone": outsider.phone, "granted": True}, user=w["staff"])
    missing = send(client, "put", url, {"phone": "13999999999", "granted": True}, user=w["staff"])
    myself = send(client, "put", url, {"phone": w["staff"].phone, "granted": False},
                  user=w["staff"])  # fmt: skip
    same_answer(outside, missing)
    assert myself.json() == missing.json() and outside.json()["code"] == "party.staff_not_found"
    r = send(client, "put", url, {"phone": w["worker"].phone, "granted": True}, user=w["staff"])
    assert (r.status_code, r.json()["code"]) == (400, "party.not_region_staff")
    r = send(client, "put", url, {"phone": outsider.phone, "granted": True}, user=w["worker"])
    assert (r.status_code, r.json()["code"]) == (403, "party.not_party_staff")
    peer = staff(Role.COUNTY_ADMIN, tree["A"])  # the same region as the granting staff
    r = send(client, "put", url, {"phone": peer.phone, "granted": True}, user=w["staff"])
    assert (r.status_code, r.json()["code"]) == (403, "party.grant_below_only")
    assert not is_party_staff(User.objects.get(pk=peer.pk))
    strict = send(client, "put", url, {"phone": outsider.phone, "granted": 1}, user=w["staff"])
    assert (strict.status_code, strict.json()["code"]) == (422, "validation_error")
    assert not is_party_staff(User.objects.get(pk=outsider.pk))
    assert is_party_staff(User.objects.get(pk=w["staff"].pk))
    assert not AuditLog.objects.filter(
        action__in=["party.work_grant", "party.work_revoke"]
    ).exists()


def test_staff_give_the_party_work_permission_from_its_page(client, w, tree):
    clerk = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    outsider = staff(Role.COMMUNITY_STAFF, tree["B1a"])
    client.force_login(w["staff"])
    assert client.get("/party/staff/party-work/").status_code == 200
    r = client.post(
        "/party/staff/party-work/grant/", {"phone": clerk.phone, "granted": "1"}, follow=True
    )
    assert flashes(r) == [("success", "已授予党务工作权限。")]
    assert is_party_staff(User.objects.get(pk=clerk.pk))
    assert audited("party.work_grant") == 1
    page = client.get("/party/staff/party-work/").content.decode()
    assert clerk.masked_phone in page
    for phone in (outsider.phone, "13999999999"):
        r = client.post(
            "/party/staff/party-work/grant/", {"phone": phone, "granted": "1"}, follow=True
        )
        assert flashes(r) == [("error", "工作人员不存在。")]
    r = client.post(
        "/party/staff/party-work/grant/", {"phone": w["worker"].phone, "granted": "1"}, follow=True
    )
    assert flashes(r) == [("error", "只有绑定区域的工作人员可以担任党务工作者。")]
    assert not is_party_staff(User.objects.get(pk=outsider.pk))
    assert audited("party.work_grant") == 1
    r = client.post(
        "/party/staff/party-work/grant/", {"phone": clerk.phone, "granted": "0"}, follow=True
    )
    assert flashes(r) == [("success", "已收回党务工作权限。")]
    assert not is_party_staff(User.objects.get(pk=clerk.pk))


def test_the_party_work_pages_refuse_workers_and_staff_without_party_work(client, w, tree):
    clerk = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    for who in (w["worker"], staff(Role.COUNTY_ADMIN, tree["A"]), UserFactory(role=Role.WORKER)):
        client.force_login(who)
        assert client.get("/party/staff/party-work/").status_code == 403
        r = client.post(
            "/party/staff/party-work/grant/", {"phone": clerk.phone, "granted": "1"}, follow=True
        )
        assert r.status_code == 403
    assert not is_party_staff(User.objects.get(pk=clerk.pk))
