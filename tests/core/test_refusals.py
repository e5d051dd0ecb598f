"""Refusals reveal nothing: for every API endpoint that names an object in its path, an object
outside the caller's reach gets exactly the answer a non-existent id gets (status, code,
message, extra).

The endpoints come from the OpenAPI document, so a new one fails ``CASES`` until it says how to
ask it; the objects all sit in county B (``refusal_world``), the callers in county A.
"""

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from nuanxin.api import api
from tests.core.refusal_world import World, build_world, jpeg

pytestmark = pytest.mark.django_db

CALLERS = ("county_a", "keeper_a", "liaison_a", "worker_1")
DATE = "2031-03-10"

# (app, path parameter) -> the kind of object it names.
KINDS = {
    ("geo", "code"): "region",
    ("points", "adjustment_id"): "adjustment",
    ("registry", "campaign_id"): "campaign",
    ("registry", "job_id"): "import",
    ("registry", "enterprise_id"): "enterprise",
    ("registry", "worker_id"): "worker",
    ("registry", "registration_id"): "registration",
    ("stations", "station_id"): "station",
    ("stations", "photo_id"): "station_photo",
    ("reports", "report_id"): "report",
    ("reports", "photo_id"): "report_photo",
    ("store", "station_id"): "station",
    ("store", "order_id"): "order",
    ("store", "item_id"): "item",
    ("volunteering", "project_id"): "project",
    ("volunteering", "session_id"): "session",
    ("volunteering", "claim_id"): "claim",
    ("volunteering", "attendance_id"): "attendance",
    ("volunteering", "award_id"): "award",
    ("volunteering", "code"): "claim_code",
    ("party", "org_id"): "party_org",
    ("party", "membership_id"): "party_membership",
    ("party", "meeting_id"): "party_meeting",
    ("party", "mass_id"): "party_mass",
    ("party", "instructor_id"): "party_instructor",
    ("party", "officer_id"): "party_officer",
    ("party", "mass_membership_id"): "party_mass_member",
    ("party", "department_id"): "party_department",
    ("party", "committee_meeting_id"): "party_committee_meeting",
    ("party", "action_item_id"): "party_action_item",
    ("party", "grid_member_id"): "party_grid_member",
}


@dataclass(frozen=True)
class Case:
    """How to ask one endpoint: its body (JSON, or form fields and files), who owns the
    object (their answer must differ from "not found": the object is real and reachable),
    objects other than the default kinds (a worker endpoint asks about something hidden), and
    whether the object is public (everyone may see it: nothing to refuse)."""

    body: Any = None
    files: dict[str, bytes] = field(default_factory=dict)
    owner: str | None = "county_b"
    kinds: dict[str, str] = field(default_factory=dict)
    public: bool = False


def _b1b(world: World) -> str:
    return world.extra["b1b"]


CASES: dict[str, Case] = {
    "GET /api/v1/geo/{code}": Case(public=True),
    # points
    "GET /api/v1/points/adjustments/{adjustment_id}": Case(),
    "POST /api/v1/points/adjustments/{adjustment_id}/approve": Case(body={"note": ""}),
    "POST /api/v1/points/adjustments/{adjustment_id}/reject": Case(body={"note": "不符"}),
    # registry
    "GET /api/v1/registry/campaigns/{campaign_id}": Case(),
    "POST /api/v1/registry/campaigns/{campaign_id}/close": Case(),
    "GET /api/v1/registry/campaigns/{campaign_id}/findings": Case(),
    "POST /api/v1/registry/campaigns/{campaign_id}/findings": Case(
        body={
            "kind": "organisation",
            "organisation_name": "快递党支部",
            "organisation_kind": "party",
        }
    ),
    "GET /api/v1/registry/imports/{job_id}": Case(),
    "GET /api/v1/registry/imports/{job_id}/errors.xlsx": Case(),
    "GET /api/v1/registry/enterprises/{enterprise_id}": Case(),
    "PATCH /api/v1/registry/enterprises/{enterprise_id}": Case(body={"contact_name": "王站长"}),
    "GET /api/v1/registry/workers/{worker_id}": Case(),
    "PATCH /api/v1/registry/workers/{worker_id}": Case(body={"name": "李四"}),
    "POST /api/v1/registry/workers/{worker_id}/reveal": Case(body={"purpose": "核实身份"}),
    "POST /api/v1/registry/registrations/{registration_id}/accept": Case(body={"note": ""}),
    "POST /api/v1/registry/registrations/{registration_id}/reject": Case(body={"reason": "不符"}),
    "POST /api/v1/registry/registrations/{registration_id}/withdraw": Case(body={"note": ""}),
    # stations
    "GET /api/v1/stations/{station_id}": Case(public=True),
    "PATCH /api/v1/stations/{station_id}": Case(body={"name": "改名"}, owner="keeper_b"),
    "PUT /api/v1/stations/{station_id}/hours": Case(body={"text": "每天 24小时"}, owner="keeper_b"),
    "PUT /api/v1/stations/{station_id}/exceptions/{date}": Case(
        body={"closed": True}, owner="keeper_b"
    ),
    "DELETE /api/v1/stations/{station_id}/exceptions/{date}": Case(owner="keeper_b"),
    "POST /api/v1/stations/{station_id}/status": Case(body={"status": "open"}),
    "GET /api/v1/stations/{station_id}/qr": Case(owner="keeper_b"),
    "GET /api/v1/stations/{station_id}/live-code": Case(owner="keeper_b"),
    "POST /api/v1/stations/{station_id}/qr/rotate": Case(owner="keeper_b"),
    "POST /api/v1/stations/{station_id}/photos": Case(files={"image": jpeg()}, owner="keeper_b"),
    "DELETE /api/v1/stations/{station_id}/photos/{photo_id}": Case(owner="keeper_b"),
    # reports
    "POST /api/v1/reports/{report_id}/photos": Case(files={"photo": jpeg()}, owner="worker_2"),
    "GET /api/v1/reports/mine/{report_id}": Case(owner="worker_2"),
    "POST /api/v1/reports/{report_id}/support": Case(
        body={"note": ""}, owner=None, kinds={"report_id": "rejected_report"}
    ),
    "POST /api/v1/reports/{report_id}/reopen": Case(body={"reason": "没修好"}, owner="worker_2"),
    "GET /api/v1/reports/{report_id}": Case(),
    "POST /api/v1/reports/{report_id}/accept": Case(body={"note": ""}),
    "POST /api/v1/reports/{report_id}/reject": Case(body={"reason": "不属实"}),
    "POST /api/v1/reports/{report_id}/duplicate": Case(
        body=lambda world: {"original": world.ids["rejected_report"]}
    ),
    "POST /api/v1/reports/{report_id}/dispatch": Case(
        body=lambda world: {"department": world.extra["department"]}
    ),
    "POST /api/v1/reports/{report_id}/resolve": Case(
        body={"note": "已处理"}, files={"photo": jpeg()}
    ),
    "POST /api/v1/reports/{report_id}/close": Case(body={"note": ""}),
    "POST /api/v1/reports/{report_id}/reassign": Case(body=lambda world: {"region": _b1b(world)}),
    "POST /api/v1/reports/{report_id}/assign": Case(body={"assignee": None}),
    "POST /api/v1/reports/{report_id}/edit": Case(body={"description": "改写", "reason": "隐私"}),
    "POST /api/v1/reports/{report_id}/public-hidden": Case(body={"hidden": True, "reason": "x"}),
    "POST /api/v1/reports/{report_id}/reporter": Case(body={"purpose": "回访"}),
    "POST /api/v1/reports/photos/{photo_id}/hide": Case(body={"hidden": True, "reason": "人脸"}),
    "GET /api/v1/reports/photos/{photo_id}": Case(owner="worker_2"),
    # store
    "GET /api/v1/store/shops/{station_id}": Case(public=True),
    "GET /api/v1/store/orders/{order_id}": Case(owner="order_owner"),
    "POST /api/v1/store/orders/{order_id}/cancel": Case(body={"reason": ""}, owner="order_owner"),
    "POST /api/v1/store/staff/orders/{order_id}/cancel": Case(
        body={"reason": "破损"}, owner="keeper_b"
    ),
    "PATCH /api/v1/store/staff/shops/{station_id}": Case(
        body={"pickup_hours": 48}, owner="keeper_b"
    ),
    "PATCH /api/v1/store/staff/items/{item_id}": Case(body={"name": "新米"}, owner="city_admin"),
    "POST /api/v1/store/staff/items/{item_id}/picture": Case(
        files={"picture": jpeg()}, owner="city_admin"
    ),
    # volunteering
    "GET /api/v1/volunteering/projects/{project_id}": Case(
        owner=None, kinds={"project_id": "draft_project"}
    ),
    "POST /api/v1/volunteering/sessions/{session_id}/claim": Case(
        owner=None, kinds={"session_id": "draft_session"}
    ),
    "POST /api/v1/volunteering/claims/{claim_id}/withdraw": Case(owner="claim_owner"),
    "POST /api/v1/volunteering/attendances/{attendance_id}/quantity": Case(
        body={"quantity": 5}, owner="claim_owner"
    ),
    "PATCH /api/v1/volunteering/staff/projects/{project_id}": Case(body={"title": "新标题"}),
    "POST /api/v1/volunteering/staff/projects/{project_id}/publish": Case(),
    "POST /api/v1/volunteering/staff/projects/{project_id}/close": Case(),
    "POST /api/v1/volunteering/staff/projects/{project_id}/cancel": Case(body={"reason": "下雨"}),
    "GET /api/v1/volunteering/staff/sessions/{session_id}/sheet": Case(),
    "POST /api/v1/volunteering/staff/sessions/{session_id}/record": Case(
        body={"phone": "13900009999"}
    ),
    "POST /api/v1/volunteering/staff/sessions/{session_id}/promote": Case(),
    "POST /api/v1/volunteering/staff/sessions/{session_id}/codes/{code}/check-in": Case(body={}),
    "POST /api/v1/volunteering/staff/sessions/{session_id}/codes/{code}/check-out": Case(body={}),
    "POST /api/v1/volunteering/staff/claims/{claim_id}/verify": Case(body={"outcome": "full"}),
    "POST /api/v1/volunteering/staff/claims/{claim_id}/cancel": Case(body={"reason": "重复"}),
    "POST /api/v1/volunteering/staff/attendances/{attendance_id}/correct": Case(
        body={"outcome": "no_show", "reason": "没来"}
    ),
    "POST /api/v1/volunteering/staff/awards/{award_id}/retry": Case(),
    # party
    "GET /api/v1/party/organisations/{org_id}": Case(),
    "POST /api/v1/party/organisations/{org_id}/end": Case(body={"status": "dissolved", "on": DATE}),
    "GET /api/v1/party/organisations/{org_id}/members": Case(),
    "POST /api/v1/party/organisations/{org_id}/members": Case(
        body=lambda world: {"worker_id": world.ids["worker"], "kind": "formal", "joined_on": DATE}
    ),
    "GET /api/v1/party/organisations/{org_id}/meetings": Case(),
    "POST /api/v1/party/organisations/{org_id}/meetings": Case(
        body={
            "kind": "lecture",
            "title": "党课",
            "starts_at": "2031-03-10T19:00:00+08:00",
            "ends_at": "2031-03-10T20:00:00+08:00",
            "place": "驿站",
        }
    ),
    "GET /api/v1/party/organisations/{org_id}/life": Case(),
    "POST /api/v1/party/memberships/{membership_id}/transfer": Case(
        body=lambda world: {"to_organisation_id": world.ids["party_org"], "on": DATE}
    ),
    "POST /api/v1/party/memberships/{membership_id}/end": Case(
        body={"on": DATE, "reason": "moved_away"},
        kinds={"membership_id": "party_membership_leaving"},
    ),
    "POST /api/v1/party/meetings/{meeting_id}/minutes": Case(body={"minutes": "记录"}),
    "POST /api/v1/party/organisations/{org_id}/officers": Case(
        body={"post": "member", "name": "张委员", "on": DATE}
    ),
    "GET /api/v1/party/mass-organisations/{mass_id}/members": Case(),
    "POST /api/v1/party/mass-organisations/{mass_id}/members": Case(
        body=lambda world: {"worker_id": world.ids["worker"], "on": DATE}
    ),
    "POST /api/v1/party/mass-organisations/{mass_id}/union-sync": Case(body={"on": DATE}),
    "POST /api/v1/party/mass-organisations/{mass_id}/end": Case(body={"on": DATE}),
    "POST /api/v1/party/instructors/{instructor_id}/end": Case(body={"on": DATE}),
    "POST /api/v1/party/officers/{officer_id}/end": Case(body={"on": DATE}),
    "POST /api/v1/party/mass-memberships/{mass_membership_id}/leave": Case(body={"on": DATE}),
    "POST /api/v1/party/committee/departments/{department_id}/leave": Case(
        body={"on": DATE}, owner="city_party"
    ),
    "POST /api/v1/party/committee/meetings/{committee_meeting_id}/action-items": Case(
        body=lambda world: {
            "title": "督办",
            "owner_id": world.ids["party_department"],
            "due_on": DATE,
        },
        owner="city_party",
    ),
    "POST /api/v1/party/committee/action-items/{action_item_id}/status": Case(
        body={"status": "done", "on": DATE}, owner="city_party"
    ),
    "POST /api/v1/party/meetings/{meeting_id}/sign-in": Case(
        body={"method": "online"}, owner="party_member_b"
    ),
    "POST /api/v1/party/meetings/{meeting_id}/absence": Case(
        body={"reason": "出车在外"}, owner="party_member_b"
    ),
    "POST /api/v1/party/meetings/{meeting_id}/cancel": Case(body={"reason": "台风停课"}),
    "POST /api/v1/party/memberships/{membership_id}/kind": Case(body={"kind": "formal"}),
    "POST /api/v1/party/memberships/{membership_id}/mobile": Case(body={"mobile": True}),
    "PUT /api/v1/party/organisations/{org_id}/covered": Case(
        body=lambda world: {"enterprise_ids": [world.ids["enterprise"]]}
    ),
    "POST /api/v1/party/grid-members/{grid_member_id}/leave": Case(body={"on": DATE}),
}


def endpoints_with_path_parameters() -> list[tuple[str, str, list[str]]]:
    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            if names:
                found.append((method.upper(), path, names))
    return found


def _url(world: World, path: str, names: list[str], case: Case, missing: bool) -> str:
    app = path.split("/")[3]
    url = path
    for name in names:
        if (app, name) == ("stations", "date"):
            value: Any = DATE
        else:
            kind = case.kinds.get(name) or KINDS[(app, name)]
            value = world.missing(kind) if missing else world.ids[kind]
        url = url.replace("{" + name + "}", str(value))
    return url


def _call(client: Client, world: World, method: str, url: str, case: Case, who: str) -> Any:
    client.force_login(world.people[who])
    body = case.body(world) if callable(case.body) else case.body
    call = getattr(client, method.lower())
    if case.files:
        data = {**(body or {}), **{name: _upload(name, raw) for name, raw in case.files.items()}}
        response = call(url, data=data)
    elif body is not None:
        response = call(url, data=json.dumps(body), content_type="application/json")
    else:
        response = call(url)
    return _answer(response)


def _upload(name: str, raw: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"{name}.jpg", raw, content_type="image/jpeg")


def _answer(response: Any) -> tuple[int, Any]:
    if response.get("Content-Type", "").startswith("application/json") and response.content:
        return response.status_code, json.loads(response.content)
    return response.status_code, response.get("Content-Type")


def test_every_endpoint_with_an_object_in_its_path_is_listed():
    listed = {f"{m} {p}" for m, p, _names in endpoints_with_path_parameters()}

    assert sorted(listed - set(CASES)) == [], "add a Case for each new endpoint"
    assert sorted(set(CASES) - listed) == []
    for method, path, names in endpoints_with_path_parameters():
        app = path.split("/")[3]
        unknown = [n for n in names if (app, n) not in KINDS and (app, n) != ("stations", "date")]
        assert unknown == [], f"{method} {path}: say which object {unknown} names"


def test_out_of_reach_objects_answer_exactly_like_missing_ones(tree, monkeypatch):
    world = build_world(tree, monkeypatch)
    client = Client()
    differences, vacuous = [], []

    for method, path, names in endpoints_with_path_parameters():
        case = CASES[f"{method} {path}"]
        foreign = _url(world, path, names, case, missing=False)
        nowhere = _url(world, path, names, case, missing=True)
        for who in CALLERS:
            seen = _call(client, world, method, foreign, case, who)
            if case.public:
                assert seen[0] == 200, (method, path, who, seen)
                continue
            expected = _call(client, world, method, nowhere, case, who)
            if seen != expected:
                differences.append((method, path, who, seen, expected))
            if isinstance(seen[1], dict) and seen[1].get("code") == "validation_error":
                vacuous.append((method, path, who, seen))

    assert differences == []
    assert vacuous == [], "these requests never reached the endpoint: fix their Case"


def test_the_owner_of_each_object_is_not_told_it_is_missing(tree, monkeypatch):
    """The other half: the objects are real, and those they belong to do reach them, so the
    equality above is not two "not found"s for objects that do not exist."""
    world = build_world(tree, monkeypatch)
    client = Client()
    wrong = []

    # Deleting comes last: a deleted photo would make the later owners' answers "not found".
    for method, path, names in sorted(
        endpoints_with_path_parameters(), key=lambda e: e[0] == "DELETE"
    ):
        case = CASES[f"{method} {path}"]
        if case.owner is None or case.public:
            continue
        foreign = _url(world, path, names, case, missing=False)
        nowhere = _url(world, path, names, case, missing=True)
        seen = _call(client, world, method, foreign, case, case.owner)
        missing = _call(client, world, method, nowhere, case, case.owner)
        if seen == missing:
            wrong.append((method, path, case.owner, seen))

    assert wrong == []
