"""The inputs outside clients sent that crashed the server or slipped through, one table: each
gets a clear 4xx with a stable code and changes nothing."""

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from nuanxin.accounts.models import Role, User
from nuanxin.points.models import Entry
from nuanxin.registry import services as registry
from nuanxin.registry.models import Enterprise, Worker
from nuanxin.reports.models import Report
from nuanxin.stations import services as stations
from nuanxin.stations.models import Station
from tests.factories import UserFactory, staff
from tests.helpers import send
from tests.reports.factories import category
from tests.stations.factories import make_station

pytestmark = pytest.mark.django_db

STRICT_INTEGERS = ["100", True, 1.5, 2**63, 1e30, 4611686018427387904 * 2, -(2**63) - 1]


@pytest.fixture
def people(tree):
    return {
        "staff": staff(Role.COMMUNITY_STAFF, tree["A1a"]),
        "street": staff(Role.STREET_ADMIN, tree["A1"]),
        "worker": UserFactory(role=Role.WORKER, region=tree["A1a"]),
    }


def _code(response) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


@pytest.mark.parametrize("amount", STRICT_INTEGERS)
def test_an_adjustment_amount_is_a_strict_bounded_integer(client, people, amount):
    response = send(client, "post", "/api/v1/points/adjustments", user=people["staff"],
                    body={"transfer_id": "x", "worker_id": people["worker"].pk,
                          "amount": amount, "reason": "self"})  # fmt: skip

    assert _code(response) == (422, "validation_error")
    assert response.json()["extra"]["errors"][0]["loc"][-1] == "amount"
    assert not Entry.objects.exists()


@pytest.mark.parametrize("value", STRICT_INTEGERS)
def test_an_id_in_a_body_is_a_strict_bounded_integer(client, people, value):
    response = send(client, "post", "/api/v1/store/orders", user=people["worker"],
                    body={"station_id": value, "item_id": 1})  # fmt: skip

    assert _code(response) == (422, "validation_error")


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("worker", "/api/v1/reports/mine?offset=9223372036854775808"),
        ("staff", "/api/v1/reports/queue?offset=10000000000000000000"),
        ("staff", "/api/v1/reports/queue?limit=1.5"),
        ("staff", "/api/v1/points/accounts?offset=-1"),
        ("worker", "/api/v1/points/history?before=99999999999999999999"),
        ("staff", "/api/v1/registry/enterprises?page=100000000000000000000"),
        ("staff", "/api/v1/registry/enterprises?page_size=0"),
        ("staff", "/api/v1/registry/workers/9223372036854775808"),
        ("worker", "/api/v1/reports/mine/1e3"),
        ("staff", "/api/v1/registry/stats?year=1e30"),
        ("street", "/api/v1/volunteering/staff/stats/streets?since=0001-01-01&until=9999-12-31"),
        ("staff", "/api/v1/stations/stats/visits?date_from=0001-01-01"),
        ("worker", "/api/v1/stations/nearest?lon=110&lat=21&at=9999-12-31T23:59:59"),
        ("staff", "/api/v1/store/staff/report?month=9999-12"),
    ],
)
def test_offsets_limits_ids_and_dates_in_queries_are_bounded(client, people, who, url):
    client.force_login(people[who])

    status, code = _code(client.get(url))

    assert 400 <= status < 500
    assert code in {"validation_error", "store.bad_month", "not_found"}


@pytest.mark.parametrize(
    ("depth", "expected"),
    [(100_000, (413, "request.too_large")), (1_000, (400, "request.too_deep"))],
)
def test_report_answers_nested_deep_are_refused(client, people, tree, depth, expected):
    cat = category()
    deep = "[" * depth + "]" * depth
    client.force_login(people["worker"])

    response = client.post(
        "/api/v1/reports/",
        {"category": cat.code, "lon": "110.05", "lat": "21.05", "description": "堵住了",
         "answers": deep},
    )  # fmt: skip

    assert _code(response) == expected
    assert not Report.objects.exists()


@pytest.fixture
def campaign(people, tree):
    return registry.campaign_create(
        actor=people["street"],
        name="三找",
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2099, 1, 1),
        target_regions=[tree["A1"]],
    )


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"nope": 1},
        {"name": "某站", "kind": "station"},
        {"name": "某站", "kind": "station", "industry": "express", "worker_count": "5"},
    ],
)
def test_a_finding_is_checked_by_its_kind_schema(client, people, campaign, data):
    response = send(client, "post", f"/api/v1/registry/campaigns/{campaign.pk}/findings",
                    user=people["street"], body={"kind": "enterprise", "data": data})  # fmt: skip

    assert _code(response) == (422, "validation_error")
    assert not Enterprise.objects.exists()


def test_a_finding_of_an_unknown_kind_is_a_validation_error(client, people, campaign):
    response = send(client, "post", f"/api/v1/registry/campaigns/{campaign.pk}/findings",
                    user=people["street"], body={"kind": "planet", "data": {}})  # fmt: skip

    assert _code(response) == (422, "validation_error")


def test_a_complete_new_enterprise_finding_is_recorded(client, people, campaign, tree):
    body = {
        "kind": "enterprise",
        "data": {"name": "某快递站", "kind": "station", "industry": "express",
                 "region_code": tree["A1a"].code},
    }  # fmt: skip
    response = send(client, "post", f"/api/v1/registry/campaigns/{campaign.pk}/findings",
                    user=people["street"], body=body)  # fmt: skip

    assert response.status_code == 201, response.json()
    assert response.json()["outcome"] == "new"
    assert Enterprise.objects.get().region == tree["A1a"]


def test_joining_with_an_empty_community_code_is_a_clear_error(client, people, tree):
    worker = people["worker"]
    registry.worker_self_register(
        user=worker, name="骑手", occupation="rider", work_region=tree["A1a"]
    )

    response = send(client, "post", "/api/v1/registry/me/join", user=worker,
                    body={"community_code": ""})  # fmt: skip

    assert _code(response) == (400, "registry.required")
    assert response.json()["extra"] == {"field": "community_code"}
    assert not Worker.objects.get(user=worker).registrations.exists()


@pytest.fixture
def kept_station(tree):
    keeper = staff(Role.STATION_KEEPER, tree["A1a"])
    return keeper, make_station(lon=110.05, lat=21.05, keepers=[keeper], extra_services=["理发"])


def test_a_keeper_saving_a_control_character_is_refused(client, kept_station):
    keeper, station = kept_station

    response = send(client, "patch", f"/api/v1/stations/{station.pk}", user=keeper,
                    body={"extra_services": ["义诊\u0001"]})  # fmt: skip

    assert _code(response) == (400, "request.invalid_character")
    assert Station.objects.get(pk=station.pk).extra_services == ["理发"]


def test_the_station_export_survives_a_control_character_already_stored(client, kept_station):
    _keeper, station = kept_station
    # Stored before the edge refused it (or by a path that bypassed the edge).
    stations.station_update(station=station, actor=None, extra_services=["义诊\u0001"])
    client.force_login(staff(Role.CITY_ADMIN, station.region.ancestors()[0]))

    response = client.get("/api/v1/stations/export")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "义诊" in [c.value for c in sheet[2]]


def test_a_street_admin_granting_county_admin_in_the_admin_gets_a_form_error(client, people, tree):
    client.force_login(people["street"])

    response = client.post(
        "/admin/accounts/user/add/",
        {"phone": "13700001111", "name": "x", "role": "county_admin", "region": tree["A"].pk},
    )

    assert response.status_code == 200
    assert "不能在管辖范围外创建工作人员。" in response.content.decode()
    assert "errornote" in response.content.decode()
    assert not User.objects.filter(phone="13700001111").exists()


def test_a_json_error_for_every_kind_of_bad_body(client, people):
    """Deep, huge, non-JSON and control characters, all in the API's shape."""
    client.force_login(people["worker"])
    cases = {
        "[" * 10_000 + "]" * 10_000: (400, "request.too_deep"),
        json.dumps({"station_id": 1, "item_id": 1, "request_id": "\u0001"}): (
            400,
            "request.invalid_character",
        ),
        "{": (400, "request.bad_json"),
    }
    for body, expected in cases.items():
        response = client.post("/api/v1/store/orders", data=body, content_type="application/json")
        assert _code(response) == expected
