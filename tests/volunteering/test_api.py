import io
import json

import openpyxl
import pytest

from nuanxin.accounts.services import token_issue
from nuanxin.geo.coords import wgs84_to_gcj02
from nuanxin.points.selectors import balance_of
from nuanxin.volunteering import services
from nuanxin.volunteering.models import Claim, Project
from tests.volunteering.factories import (
    DAY,
    community_staff,
    fund,
    make_project,
    only_session,
    worker,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/volunteering"


class Api:
    def __init__(self, client, user):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token_issue(user=user, second_factor=True)[0]}"}

    def get(self, path, **params):
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path, body=None, **headers):
        return self.client.post(
            BASE + path,
            data=json.dumps(body or {}),
            content_type="application/json",
            headers={**self.headers, **headers},
        )


def test_worker_lists_nearby_projects_and_those_of_their_community(tree, clock, client):
    near = make_project(tree, region="A1b", title="附近的传单任务", place=(110.15, 21.05))
    own = make_project(tree, region="A1a", title="本社区巡查")
    make_project(tree, region="B1a", title="很远的项目", place=(110.25, 21.05))
    make_project(tree, region="A1a", title="草稿", publish=False)
    person = worker(tree, "A1a")
    lon, lat = wgs84_to_gcj02(110.151, 21.051)

    response = Api(client, person).get(
        "/projects", lon=lon, lat=lat, coord_system="gcj02", radius_m=2000
    )

    assert response.status_code == 200
    cards = response.json()
    assert [c["project"]["title"] for c in cards] == ["附近的传单任务", "本社区巡查"]
    assert cards[0]["distance_m"] < 200 and cards[0]["in_my_area"] is False
    assert cards[1]["in_my_area"] is True and cards[1]["distance_m"] is None
    assert cards[0]["sessions"][0]["places_left"] == 3
    assert near.pk == cards[0]["project"]["id"] and own.pk == cards[1]["project"]["id"]
    # Coordinates come back in the system they were asked in.
    assert abs(cards[0]["project"]["place"]["lon"] - wgs84_to_gcj02(110.15, 21.05)[0]) < 1e-9


def test_worker_claims_withdraws_and_sees_their_claims(tree, clock, client):
    session = only_session(make_project(tree))
    api = Api(client, worker(tree))

    created = api.post(f"/sessions/{session.pk}/claim")
    twice = api.post(f"/sessions/{session.pk}/claim")
    mine = api.get("/claims/mine")
    withdrawn = api.post(f"/claims/{created.json()['id']}/withdraw")

    assert created.status_code == 201 and created.json()["status"] == "claimed"
    assert twice.status_code == 409 and twice.json()["code"] == "volunteering.already_claimed"
    assert [c["code"] for c in mine.json()] == [created.json()["code"]]
    assert withdrawn.json()["status"] == "withdrawn"


def test_a_retried_claim_with_the_same_idempotency_key_creates_one(tree, clock, client):
    session = only_session(make_project(tree))
    api = Api(client, worker(tree))

    first = api.post(f"/sessions/{session.pk}/claim", **{"Idempotency-Key": "claim-1"})
    retry = api.post(f"/sessions/{session.pk}/claim", **{"Idempotency-Key": "claim-1"})

    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true" and retry.content == first.content
    assert Claim.objects.count() == 1


def test_unknown_objects_and_drafts_are_not_found(tree, clock, client):
    draft = make_project(tree, publish=False)
    api = Api(client, worker(tree))

    assert api.get(f"/projects/{draft.pk}").json()["code"] == "volunteering.project_not_found"
    assert api.post("/sessions/999999/claim").json()["code"] == "volunteering.session_not_found"


def test_scan_flow_and_hours_through_the_api(tree, clock, client):
    fund(tree)
    session = only_session(make_project(tree))
    person = worker(tree)
    api = Api(client, person)
    api.post(f"/sessions/{session.pk}/claim")
    token = services.session_token(session)

    clock.set(DAY, 9, 0)
    checked_in = api.post("/check-in", {"token": token})
    clock.set(DAY, 10, 0)
    checked_out = api.post("/check-out", {"token": token, "quantity": 12})
    bad = api.post("/check-in", {"token": "nope"})

    assert checked_in.status_code == 200 and checked_in.json()["status"] == "checked_in"
    assert checked_out.json()["hours_recorded"] == "1.00"
    assert checked_out.json()["quantity_reported"] == 12
    assert bad.status_code == 400 and bad.json()["code"] == "volunteering.bad_token"

    staff_api = Api(client, community_staff(tree))
    claim_id = checked_in.json()["claim_id"]
    verified = staff_api.post(f"/staff/claims/{claim_id}/verify", {"outcome": "full"})
    hours = api.get("/me/hours").json()

    assert verified.json()["points_awarded"] == 10
    assert hours == {"sessions": 1, "hours": "1.00", "leaflets": 12, "points": 10, "no_shows": 0}
    assert balance_of(person).available == 10


def test_staff_post_a_project_and_manage_it(tree, clock, client):
    api = Api(client, community_staff(tree))
    body = {
        "title": "爱心助考",
        "kind": "exam_support",
        "region_code": tree["A1a"].code,
        "place_name": "第一中学门口",
        "first_date": "2031-06-07",
        "start_time": "07:00",
        "end_time": "09:00",
        "places": 10,
        "requirement": "party_first",
    }

    created = api.post("/staff/projects", body)
    project_id = created.json()["id"]
    published = api.post(f"/staff/projects/{project_id}/publish")
    closed = api.post(f"/staff/projects/{project_id}/close")
    listed = api.get("/staff/projects")

    assert created.status_code == 201 and created.json()["status"] == "draft"
    assert published.json()["status"] == "published"
    assert closed.json()["status"] == "closed"
    assert [p["id"] for p in listed.json()] == [project_id]
    assert Project.objects.get().requirement == "party_first"


def test_bad_project_input_gets_the_error_shape(tree, clock, client):
    api = Api(client, community_staff(tree))

    response = api.post(
        "/staff/projects",
        {
            "title": "x",
            "kind": "other",
            "region_code": tree["A1a"].code,
            "place_name": "x",
            "first_date": "2031-06-07",
            "start_time": "09:00",
            "end_time": "08:00",
            "places": 1,
        },
    )

    assert response.status_code == 400
    assert response.json()["code"] == "volunteering.bad_schedule"
    assert Project.objects.count() == 0


@pytest.mark.parametrize(("weekdays", "status"), [([6, 7], 201), ([0], 422), ([8], 422)])
def test_project_weekdays_are_iso_numbers_at_the_edge(tree, clock, client, weekdays, status):
    body = {
        "title": "周末巡查",
        "kind": "other",
        "region_code": tree["A1a"].code,
        "place_name": "x",
        "first_date": "2031-06-07",
        "last_date": "2031-06-30",
        "recurrence": "weekly",
        "weekdays": weekdays,
        "start_time": "09:00",
        "end_time": "10:00",
        "places": 1,
    }

    response = Api(client, community_staff(tree)).post("/staff/projects", body)

    assert response.status_code == status, response.json()
    assert Project.objects.count() == (1 if status == 201 else 0)


def test_workers_cannot_use_staff_endpoints(tree, clock, client):
    api = Api(client, worker(tree))

    response = api.get("/staff/projects")

    assert response.status_code == 403 and response.json()["code"] == "auth.staff_only"


def test_staff_of_the_next_community_cannot_open_the_sheet(tree, clock, client):
    session = only_session(make_project(tree))

    response = Api(client, community_staff(tree, "A1b")).get(f"/staff/sessions/{session.pk}/sheet")

    assert response.status_code == 404
    assert response.json()["code"] == "volunteering.session_not_found"


def test_staff_sheet_masks_phones_and_code_check_in_works(tree, clock, client):
    session = only_session(make_project(tree))
    person = worker(tree, phone="13912345678")
    claim = services.claim_create(session=session, worker=person)
    api = Api(client, community_staff(tree))

    sheet = api.get(f"/staff/sessions/{session.pk}/sheet").json()
    clock.set(DAY, 9, 5)
    checked = api.post(f"/staff/sessions/{session.pk}/codes/{claim.code.lower()}/check-in")
    unknown = api.post(f"/staff/sessions/{session.pk}/codes/ZZZZZZ/check-in")

    assert sheet["lines"][0]["worker_phone"] == "139****5678"
    assert "13912345678" not in json.dumps(sheet)
    assert sheet["qr_token"] == services.session_token(session)
    assert checked.json()["status"] == "checked_in"
    assert unknown.status_code == 404 and unknown.json()["code"] == "volunteering.bad_code"


def test_staff_record_a_walk_in_by_phone(tree, clock, client):
    session = only_session(make_project(tree))
    worker(tree, phone="13912340000")
    api = Api(client, community_staff(tree))

    recorded = api.post(f"/staff/sessions/{session.pk}/record", {"phone": "139 1234 0000"})
    unknown = api.post(f"/staff/sessions/{session.pk}/record", {"phone": "13900009999"})

    assert recorded.status_code == 201 and recorded.json()["status"] == "claimed"
    assert unknown.json()["code"] == "volunteering.worker_not_found"


def test_stats_endpoints_and_xlsx_export(tree, clock, client):
    fund(tree)
    session = only_session(make_project(tree, kind="leaflets", quantity_target=50))
    person = worker(tree, phone="13912345678", name="骑手甲")
    claim = services.claim_create(session=session, worker=person)
    clock.set(DAY, 12)
    staff_user = community_staff(tree)
    services.attendance_verify(
        claim=claim, staff=staff_user, outcome="full", quantity=40, note="现场签到表"
    )
    api = Api(client, staff_user)

    streets = api.get("/staff/stats/streets").json()
    workers = api.get("/staff/stats/workers").json()
    projects = api.get("/staff/stats/projects", street=tree["A1"].code).json()
    export = api.get("/staff/stats/export.xlsx")

    assert streets["total"]["people"] == 1 and streets["total"]["leaflets"] == 40
    assert streets["streets"][0]["label"] == "A区A1街道"
    assert workers[0]["extra"]["phone"] == "139****5678"
    assert projects[0]["hours"] == "2.00"
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["街道统计", "项目统计", "人员统计", "服务明细"]
    people = list(book["人员统计"].values)
    assert people[0][0] == "姓名" and people[1][:2] == ("骑手甲", "139****5678")
    assert "13912345678" not in str(list(book["服务明细"].values))


def test_unknown_claims_attendances_and_awards_are_404_with_their_codes(tree, clock, client):
    worker_api = Api(client, worker(tree))
    staff_api = Api(client, community_staff(tree))

    claim = worker_api.post("/claims/424242/withdraw")
    attendance = worker_api.post("/attendances/424242/quantity", {"quantity": 3})
    award = staff_api.post("/staff/awards/424242/retry")

    assert (claim.status_code, claim.json()["code"]) == (404, "volunteering.claim_not_found")
    assert attendance.json()["code"] == "volunteering.attendance_not_found"
    assert award.json()["code"] == "volunteering.award_not_found"


def test_staff_change_places_and_wording_through_the_api(tree, clock, client):
    project = make_project(tree, places=3)
    api = Api(client, community_staff(tree))

    response = client.patch(
        f"{BASE}/staff/projects/{project.pk}",
        data=json.dumps({"places": 5, "description": "带好反光背心"}),
        content_type="application/json",
        headers=api.headers,
    )

    assert response.status_code == 200
    assert response.json()["places"] == 5 and response.json()["description"] == "带好反光背心"
    assert only_session(project).places == 5
