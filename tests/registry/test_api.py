import io

import pytest
from openpyxl import load_workbook

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.registry.models import Enterprise, ImportJob, Registration, Worker
from nuanxin.registry.services import enterprise_set_liaisons
from tests.factories import UserFactory, staff
from tests.helpers import send
from tests.registry import messy
from tests.registry.factories import credit_code, make_enterprise, make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_admin(city, client):
    user = staff(Role.COUNTY_ADMIN, city["potou"])
    client.force_login(user)
    return user


def test_enterprise_create__valid__returns_it_with_masked_contact(client, city, county_admin):
    code = credit_code()

    response = client.post(
        "/api/v1/registry/enterprises",
        {
            "name": "美团外卖南调站",
            "kind": "站点",
            "industry": "外卖",
            "region_code": city["haisheng"].code,
            "credit_code": code.lower(),
            "contact_phone": "138 0000 1234",
        },
        content_type="application/json",
    )

    body = response.json()
    assert response.status_code == 201
    assert body["credit_code"] == code and body["kind"] == "station"
    assert body["contact_phone"] == "138****1234"
    assert body["region"] == {"code": "440804001001", "name": "海盛社区", "level": "community"}


def test_enterprise_create__bad_check_digit__400_with_code_and_nothing_saved(
    client, city, county_admin
):
    code = credit_code()
    bad = code[:17] + ("0" if code[17] != "0" else "1")

    response = client.post(
        "/api/v1/registry/enterprises",
        {"name": "某站", "kind": "station", "industry": "express",
         "region_code": city["potou"].code, "credit_code": bad},
        content_type="application/json",
    )  # fmt: skip

    assert response.status_code == 400
    assert response.json()["code"] == "registry.invalid_credit_code"
    assert response.json()["extra"] == {"field": "credit_code"}
    assert not Enterprise.objects.exists()


def test_enterprise_create__outside_jurisdiction__403(client, city, county_admin):
    response = client.post(
        "/api/v1/registry/enterprises",
        {"name": "某站", "kind": "station", "industry": "express",
         "region_code": city["xinyuan_c"].code},
        content_type="application/json",
    )  # fmt: skip

    assert response.status_code == 403
    assert response.json()["code"] == "auth.out_of_jurisdiction"


def test_enterprise_create__retried_with_same_idempotency_key__creates_one(
    client, city, county_admin
):
    payload = {"name": "顺丰坡头营业部", "kind": "station", "industry": "express",
               "region_code": city["potou_c"].code}  # fmt: skip

    first = client.post("/api/v1/registry/enterprises", payload, content_type="application/json",
                        headers={"Idempotency-Key": "k-1"})  # fmt: skip
    again = client.post("/api/v1/registry/enterprises", payload, content_type="application/json",
                        headers={"Idempotency-Key": "k-1"})  # fmt: skip

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Enterprise.objects.filter(name="顺丰坡头营业部").count() == 1


def test_workers_list__masks_numbers_and_stays_in_jurisdiction(client, city, county_admin):
    make_worker(city["haisheng"], name="张三", phone="13800001234", id_number=messy.ID_ZHANG)
    make_worker(city["xinyuan_c"], name="李四", phone="13800005678")

    body = client.get("/api/v1/registry/workers").json()

    assert body["count"] == 1
    item = body["items"][0]
    assert item["name"] == "张三" and item["phone"] == "138****1234"
    assert item["id_number"] == messy.ID_ZHANG[:4] + "*" * 10 + messy.ID_ZHANG[-4:]
    assert "13800001234" not in str(body) and messy.ID_ZHANG not in str(body)


def test_workers_list__filters_party_members_and_last_digits(client, city, county_admin):
    make_worker(city["haisheng"], name="党员甲", phone="13800001111", political_status="党员")
    make_worker(city["haisheng"], name="群众乙", phone="13800002222")

    party = client.get("/api/v1/registry/workers?party_member=true").json()
    by_phone = client.get("/api/v1/registry/workers?q=2222").json()

    assert [w["name"] for w in party["items"]] == ["党员甲"]
    assert [w["name"] for w in by_phone["items"]] == ["群众乙"]


def test_worker_reveal__returns_full_numbers_and_writes_the_audit_log(client, city, county_admin):
    worker = make_worker(city["haisheng"], phone="13800001234", id_number=messy.ID_ZHANG)

    response = send(
        client, "post", f"/api/v1/registry/workers/{worker.pk}/reveal", {"purpose": "核实身份"}
    )

    assert response.json() == {"phone": "13800001234", "id_number": messy.ID_ZHANG}
    assert AuditLog.objects.filter(
        action="worker.reveal", actor=county_admin, object_id=str(worker.pk), note="核实身份"
    ).exists()


def test_worker_reveal__community_staff_of_the_next_community__not_found(client, city):
    worker = make_worker(city["haisheng"])
    client.force_login(staff(Role.COMMUNITY_STAFF, city["nandiao_c"]))

    url = f"/api/v1/registry/workers/{worker.pk}/reveal"
    response = send(client, "post", url, {"purpose": "核实身份"})

    assert response.status_code == 404
    assert response.json() == {
        "code": "registry.worker_not_found",
        "message": "从业人员不存在。",
        "extra": {},
    }
    assert not AuditLog.objects.filter(action="worker.reveal").exists()


def test_liaison__sees_and_edits_only_their_enterprise_and_its_workers(client, city):
    theirs = make_enterprise(city["haisheng"], name="美团外卖南调站")
    other = make_enterprise(city["haisheng"], name="饿了么南调站")
    rider = make_worker(city["haisheng"], name="骑手甲", enterprises=[theirs])
    make_worker(city["haisheng"], name="骑手乙", enterprises=[other])
    liaison = UserFactory(role=Role.ENTERPRISE_LIAISON)
    enterprise_set_liaisons(enterprise=theirs, liaisons=[liaison], actor=None)
    client.force_login(liaison)

    listed = client.get("/api/v1/registry/enterprises").json()
    people = client.get("/api/v1/registry/workers").json()

    def patch(enterprise, data):
        url = f"/api/v1/registry/enterprises/{enterprise.pk}"
        return client.patch(url, data, content_type="application/json")

    edit_own = patch(theirs, {"contact_name": "王站长"})
    edit_other = patch(other, {"contact_name": "x"})
    rename = patch(theirs, {"name": "新名字"})

    assert [e["name"] for e in listed["items"]] == ["美团外卖南调站"]
    assert [w["id"] for w in people["items"]] == [rider.pk]
    assert edit_own.status_code == 200 and edit_own.json()["contact_name"] == "王站长"
    assert edit_other.status_code == 404
    assert edit_other.json()["code"] == "registry.enterprise_not_found"
    assert rename.status_code == 403 and rename.json()["code"] == "registry.field_not_editable"
    assert Enterprise.objects.get(pk=other.pk).contact_name == ""


def test_worker_cannot_use_the_registry_lists(client, city):
    client.force_login(UserFactory(role=Role.WORKER))

    response = client.get("/api/v1/registry/enterprises")

    assert response.status_code == 403 and response.json()["code"] == "registry.not_allowed"


def test_registration__worker_submits__staff_accepts__counts(client, city):
    user = UserFactory(role=Role.WORKER, phone="13900000077")
    worker = make_worker(city["haisheng"], phone="13900000077")
    assert worker.user == user
    client.force_login(user)

    submitted = client.post(
        "/api/v1/registry/registrations",
        {"community_code": city["haisheng"].code, "worker_id": worker.pk},
        content_type="application/json",
    )
    client.force_login(staff(Role.COMMUNITY_STAFF, city["haisheng"]))
    accepted = client.post(
        f"/api/v1/registry/registrations/{submitted.json()['id']}/accept",
        {}, content_type="application/json",
    )  # fmt: skip
    client.force_login(staff(Role.COUNTY_ADMIN, city["potou"]))
    stats = client.get(f"/api/v1/registry/stats?region={city['potou'].code}").json()

    assert submitted.status_code == 201 and submitted.json()["status"] == "submitted"
    assert accepted.json()["status"] == "accepted"
    assert stats["counts"]["registered_workers"] == 1
    nandiao = next(c for c in stats["children"] if c["region"]["name"] == "南调街道")
    assert nandiao["counts"]["registered_workers"] == 1 and nandiao["counts"]["workers"] == 1


def test_registration__reject_without_reason__400_and_still_pending(client, city):
    worker = make_worker(city["haisheng"])
    client.force_login(staff(Role.COMMUNITY_STAFF, city["haisheng"]))
    reg = client.post(
        "/api/v1/registry/registrations",
        {"community_code": city["haisheng"].code, "worker_id": worker.pk},
        content_type="application/json",
    ).json()

    response = client.post(f"/api/v1/registry/registrations/{reg['id']}/reject",
                           {"reason": "  "}, content_type="application/json")  # fmt: skip

    assert response.status_code == 400 and response.json()["code"] == "registry.reason_required"
    assert Registration.objects.get(pk=reg["id"]).status == "submitted"


def test_import__upload_with_errors__all_or_nothing__report_downloadable(client, city, tmp_path):
    client.force_login(staff(Role.CITY_ADMIN, city["city"]))
    path = messy.build_messy_workbook(tmp_path / "台账.xlsx")

    with path.open("rb") as handle:
        response = client.post("/api/v1/registry/imports", {"file": handle})
    body = response.json()
    report = client.get(body["error_report_url"])

    assert response.status_code == 201 and body["status"] == "failed"
    assert body["error_count"] == len(messy.EXPECTED_ERRORS)
    assert Worker.objects.count() == 0
    sheet = load_workbook(io.BytesIO(report.content)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert {(r[0], r[1], r[2]) for r in rows} == messy.EXPECTED_ERRORS
    assert [c.value for c in sheet[3]][:4] == ["工作表", "行号", "列", "问题"]


def test_import__not_an_xlsx__400_bad_file(client, city):
    client.force_login(staff(Role.CITY_ADMIN, city["city"]))

    response = client.post(
        "/api/v1/registry/imports", {"file": io.BytesIO(b"name,phone\n")}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "registry.import_bad_file"
    assert not ImportJob.objects.exists()


def test_export_workers__masked_for_community_staff_full_for_county_admin(client, city):
    make_worker(city["haisheng"], name="张三", phone="13800001234")
    client.force_login(staff(Role.COMMUNITY_STAFF, city["haisheng"]))
    masked = client.get("/api/v1/registry/export/workers.xlsx")
    refused = client.get("/api/v1/registry/export/workers.xlsx?full=true")
    client.force_login(staff(Role.COUNTY_ADMIN, city["potou"]))
    full = client.get("/api/v1/registry/export/workers.xlsx?full=true")

    def cells(response):
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]

    assert cells(masked)[0][:2] == ["张三", "138****1234"]
    assert refused.status_code == 403
    assert refused.json()["code"] == "registry.full_numbers_not_allowed"
    assert cells(full)[0][:2] == ["张三", "13800001234"]
    assert AuditLog.objects.filter(action="registry.export_workers").count() == 2


def test_app_join__worker_scans_a_community_code_then_sees_it_pending(client, city):
    account = UserFactory(role=Role.WORKER, phone="13900000088", name="小陈")
    make_enterprise(city["haisheng"], name="美团外卖南调站")
    client.force_login(account)

    joined = client.post(
        "/api/v1/registry/me/join",
        {"community_code": city["haisheng"].code, "name": "陈一", "occupation": "骑手",
         "enterprise_name": "美团外卖南调站"},
        content_type="application/json",
    )  # fmt: skip
    again = client.post(
        "/api/v1/registry/me/join",
        {"community_code": city["nandiao_c"].code}, content_type="application/json",
    )  # fmt: skip
    mine = client.get("/api/v1/registry/me").json()

    assert joined.status_code == 201 and joined.json()["status"] == "submitted"
    assert again.status_code == 409 and again.json()["code"] == "registry.already_registered"
    assert mine["worker"]["name"] == "陈一" and mine["worker"]["phone"] == "139****0088"
    assert mine["worker"]["enterprises"][0]["name"] == "美团外卖南调站"
    assert [r["community"]["name"] for r in mine["registrations"]] == ["海盛社区"]
