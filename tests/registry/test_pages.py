import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.registry.models import Enterprise, Registration, SurveyCampaign, Worker
from nuanxin.registry.services import enterprise_set_liaisons, registration_submit
from tests.factories import UserFactory, staff
from tests.registry import messy
from tests.registry.factories import make_enterprise, make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_admin(city, client):
    user = staff(Role.COUNTY_ADMIN, city["potou"])
    client.force_login(user)
    return user


def test_home__counts_by_region_and_drill_down_with_htmx(client, city, county_admin):
    make_enterprise(city["haisheng"])
    make_worker(city["haisheng"], political_status="党员")
    make_worker(city["potou_c"])

    page = client.get("/registry/").content.decode()
    street = client.get("/registry/?region=440804001", headers={"HX-Request": "true",
                                                                "HX-Target": "counts"})  # fmt: skip

    assert "坡头区 · 新业态台账" in page and 'href="?region=440804001"' in page
    html = street.content.decode()
    assert "<html" not in html and "海盛社区" in html and "南调社区" in html
    assert 'id="count-table"' in html


def test_home__a_worker_gets_a_polite_refusal(client, city):
    client.force_login(UserFactory(role=Role.WORKER))

    response = client.get("/registry/")

    assert response.status_code == 403
    assert 'data-code="registry.not_allowed"' in response.content.decode()


def test_workers_page__filters_with_htmx_and_masks_numbers(client, city, county_admin):
    make_worker(city["haisheng"], name="党员甲", phone="13800001111", political_status="党员")
    make_worker(city["haisheng"], name="群众乙", phone="13800002222")

    full = client.get("/registry/workers/").content.decode()
    partial = client.get("/registry/workers/?party_member=1", headers={"HX-Request": "true"})

    assert "138****1111" in full and "13800001111" not in full
    html = partial.content.decode()
    assert "党员甲" in html and "群众乙" not in html and "<html" not in html
    assert "full=1" in html  # a county admin may export full numbers


def test_worker_page__reveal_shows_full_numbers_once_and_is_audited(client, city, county_admin):
    worker = make_worker(city["haisheng"], phone="13800001111", id_number=messy.ID_ZHANG)
    url = f"/registry/workers/{worker.pk}/"

    before = client.get(url).content.decode()
    no_purpose = client.post(url, {"reveal": "1"})
    after = client.post(url, {"reveal": "1", "purpose": "联系本人"})

    assert "13800001111" not in before and messy.ID_ZHANG not in before
    assert no_purpose.status_code == 400
    assert 'data-code="registry.purpose_required"' in no_purpose.content.decode()
    assert "13800001111" not in no_purpose.content.decode()
    assert "13800001111" in after.content.decode() and messy.ID_ZHANG in after.content.decode()
    assert after["Cache-Control"] == "no-store"
    reveals = AuditLog.objects.filter(action="worker.reveal", actor=county_admin)
    assert list(reveals.values_list("note", flat=True)) == ["联系本人"]


def test_worker_page__community_staff_of_the_next_community_finds_no_such_worker(client, city):
    worker = make_worker(city["haisheng"])
    client.force_login(staff(Role.COMMUNITY_STAFF, city["nandiao_c"]))

    response = client.post(f"/registry/workers/{worker.pk}/", {"reveal": "1", "purpose": "核实"})

    assert response.status_code == 404
    assert 'data-code="registry.worker_not_found"' in response.content.decode()
    assert not AuditLog.objects.filter(action="worker.reveal").exists()


def test_enterprise_form__creates_through_the_service_with_the_region_picker(
    client, city, county_admin
):
    response = client.post("/registry/enterprises/new/", {
        "name": "顺丰速运坡头营业部", "kind": "station", "industry": "express",
        "region": ["440804100", "440804100001"], "status": "active", "coord_system": "wgs84",
    })  # fmt: skip

    enterprise = Enterprise.objects.get(name="顺丰速运坡头营业部")
    assert response.status_code == 302 and enterprise.region == city["potou_c"]
    assert AuditLog.objects.filter(action="enterprise.create", actor=county_admin).exists()


def test_enterprise_form__service_error_is_shown_beside_the_field(client, city, county_admin):
    response = client.post("/registry/enterprises/new/", {
        "name": "某站", "kind": "station", "industry": "express", "region": "440804",
        "credit_code": "91440804MA00000011", "status": "active",
    })  # fmt: skip

    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_region_picker__redraws_the_chain_below_the_choice(client, city, county_admin):
    html = client.get(
        "/registry/region-picker/?field=region&parent=440804&region=440804001"
    ).content.decode()

    assert 'value="440804001" selected' in html and "海盛社区" in html


def test_registrations_page__accept_with_htmx_returns_the_row(client, city):
    registration = registration_submit(
        community=city["haisheng"], actor=None, worker=make_worker(city["haisheng"])
    )
    client.force_login(staff(Role.COMMUNITY_STAFF, city["haisheng"]))

    listing = client.get("/registry/registrations/").content.decode()
    response = client.post(f"/registry/registrations/{registration.pk}/accept/",
                           headers={"HX-Request": "true"})  # fmt: skip

    assert f'id="registration-{registration.pk}"' in listing
    assert response.content.decode().startswith(f'<li id="registration-{registration.pk}"')
    assert Registration.objects.get(pk=registration.pk).status == "accepted"


def test_registrations_page__reject_without_reason_shows_the_error_in_the_row(client, city):
    registration = registration_submit(
        community=city["haisheng"], actor=None, worker=make_worker(city["haisheng"])
    )
    client.force_login(staff(Role.COMMUNITY_STAFF, city["haisheng"]))

    response = client.post(f"/registry/registrations/{registration.pk}/reject/",
                           {"reason": ""}, headers={"HX-Request": "true"})  # fmt: skip

    assert 'data-code="registry.reason_required"' in response.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == "submitted"


def test_join__a_worker_without_a_record_fills_the_form_and_is_pending(client, city):
    make_enterprise(city["haisheng"], name="美团外卖南调站")
    client.force_login(UserFactory(role=Role.WORKER, phone="13900006666", name="小周"))

    form = client.get("/registry/join/440804001001/").content.decode()
    response = client.post("/registry/join/440804001001/", {
        "name": "周九", "occupation": "rider", "enterprise_name": "美团外卖南调站",
        "political_status": "masses",
    })  # fmt: skip

    worker = Worker.objects.get(phone="13900006666")
    assert "向海盛社区报到" in form
    assert response.status_code == 302 and response["Location"] == "/registry/me/"
    assert (worker.name, worker.work_region, worker.user.phone) == (
        "周九",
        city["haisheng"],
        "13900006666",
    )
    assert worker.registrations.get().status == "submitted"


def test_join__a_liaison_registers_their_enterprise(client, city):
    enterprise = make_enterprise(city["haisheng"])
    liaison = UserFactory(role=Role.ENTERPRISE_LIAISON)
    enterprise_set_liaisons(enterprise=enterprise, liaisons=[liaison], actor=None)
    client.force_login(liaison)

    client.post("/registry/join/440804001001/", {"enterprise": enterprise.pk})

    assert enterprise.registrations.get().community == city["haisheng"]


def test_join__the_qr_code_is_an_svg_for_staff_of_that_community(client, city):
    client.force_login(staff(Role.COMMUNITY_STAFF, city["haisheng"]))

    own = client.get("/registry/join/440804001001/qr.svg")
    other = client.get("/registry/join/440804001002/qr.svg")

    assert own["Content-Type"] == "image/svg+xml" and b"<svg" in own.content
    assert other.status_code == 404
    assert 'data-code="registry.not_a_community"' in other.content.decode()


def test_import_page__upload_shows_the_report_with_row_numbers(client, city, tmp_path):
    client.force_login(staff(Role.CITY_ADMIN, city["city"]))
    path = messy.build_messy_workbook(tmp_path / "台账.xlsx")

    with path.open("rb") as handle:
        response = client.post("/registry/import/", {"file": handle, "mode": "rows"}, follow=True)

    html = response.content.decode()
    assert "部分导入" in html and "下载错误报告" in html
    assert "统一社会信用代码校验位错误" in html and "与第 3 行的手机号重复。" in html
    assert Worker.objects.count() == messy.GOOD_WORKERS


def test_liaison_home__shows_only_their_enterprises(client, city):
    theirs = make_enterprise(city["haisheng"], name="美团外卖南调站")
    make_enterprise(city["haisheng"], name="饿了么南调站")
    make_worker(city["haisheng"], enterprises=[theirs])
    liaison = UserFactory(role=Role.ENTERPRISE_LIAISON)
    enterprise_set_liaisons(enterprise=theirs, liaisons=[liaison], actor=None)
    client.force_login(liaison)

    html = client.get("/registry/").content.decode()
    edit = client.get(f"/registry/enterprises/{theirs.pk}/edit/").content.decode()

    assert "美团外卖南调站" in html and "饿了么南调站" not in html
    assert 'name="contact_phone"' in edit and 'name="credit_code"' not in edit


def test_campaign_pages__create_record_and_compare(client, city, county_admin):
    make_enterprise(city["potou_c"], name="顺丰坡头营业部")
    client.post("/registry/campaigns/", {
        "name": "坡头区三找", "start_date": "2024-03-01", "end_date": "2099-06-30",
        "targets": [city["nandiao"].pk, city["potou_town"].pk],
    })  # fmt: skip
    campaign = SurveyCampaign.objects.get(name="坡头区三找")
    client.post(f"/registry/campaigns/{campaign.pk}/find/", {
        "form": "organisation", "organisation_name": "坡头镇快递员党支部",
        "organisation_kind": "party", "region": "440804100",
    })  # fmt: skip
    client.post(f"/registry/campaigns/{campaign.pk}/find/", {
        "form": "subject", "enterprise_name": "顺丰坡头营业部",
    })  # fmt: skip

    html = client.get(f"/registry/campaigns/{campaign.pk}/").content.decode()
    assert "坡头镇快递员党支部" in html and "顺丰坡头营业部" in html
    assert campaign.findings.count() == 2
    assert 'id="comparison"' in html and "1 → 1" in html


def test_pages_in_english_keep_chinese_file_headers(client, city, county_admin):
    make_worker(city["haisheng"], name="张三", occupation="骑手")
    client.post("/i18n/setlang/", {"language": "en", "next": "/registry/"})

    page = client.get("/registry/workers/").content.decode()
    export = client.get("/registry/workers.xlsx")

    import io

    from openpyxl import load_workbook

    header = [c.value for c in load_workbook(io.BytesIO(export.content)).active[2]]
    assert "Worker ledger" in page and "Food-delivery rider" in page
    assert header[:3] == ["姓名", "手机号", "身份证号"]


def test_done_when__import_fix_reimport_filter_export_through_the_pages(client, city, tmp_path):
    """The issue's acceptance path, by a staff member using only the pages."""
    import io

    from openpyxl import load_workbook

    from nuanxin.registry.models import ImportJob

    client.force_login(staff(Role.CITY_ADMIN, city["city"]))
    path = messy.build_messy_workbook(tmp_path / "台账.xlsx")
    with path.open("rb") as handle:
        client.post("/registry/import/", {"file": handle, "mode": "rows"})
    job = ImportJob.objects.get()
    report = load_workbook(io.BytesIO(client.get(f"/registry/import/{job.pk}/errors.xlsx").content))
    reported = [
        {"sheet": sheet, "row": row, "column": column}
        for sheet, row, column, *_rest in report.active.iter_rows(min_row=4, values_only=True)
    ]

    messy.apply_fixes(path, reported)
    for _ in range(2):
        with path.open("rb") as handle:
            client.post("/registry/import/", {"file": handle, "mode": "atomic"})
    listing = client.get("/registry/workers/?party_member=1").content.decode()
    export = client.get("/registry/workers.xlsx?party_member=1")

    statuses = list(ImportJob.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["partial", "succeeded", "succeeded"]
    assert Worker.objects.count() == 11 and Enterprise.objects.count() == 6
    assert "张三" in listing and "周九" in listing and "李四" not in listing
    rows = list(
        load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=3, values_only=True)
    )
    assert sorted(r[0] for r in rows) == ["周九", "张三"]
    assert all("****" in r[1] for r in rows)
