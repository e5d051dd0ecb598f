import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.registry.models import Enterprise, ImportJob, Worker
from nuanxin.registry.services import enterprise_set_liaisons
from tests.factories import UserFactory, staff
from tests.registry import messy
from tests.registry.factories import make_enterprise, make_worker

pytestmark = pytest.mark.django_db


def test_admin_lists_are_scoped_and_numbers_masked(client, city):
    make_worker(city["haisheng"], name="本社区", phone="13800001111")
    make_worker(city["nandiao_c"], name="隔壁社区", phone="13800002222")
    client.force_login(staff(Role.COMMUNITY_STAFF, city["haisheng"]))

    html = client.get("/admin/registry/worker/").content.decode()

    assert "本社区" in html and "隔壁社区" not in html
    assert "138****1111" in html and "13800001111" not in html


def test_admin_enterprise_add_goes_through_the_service(client, city):
    admin = staff(Role.COUNTY_ADMIN, city["potou"])
    client.force_login(admin)

    response = client.post("/admin/registry/enterprise/add/", {
        "name": "美团外卖南调站", "kind": "station", "industry": "food_delivery",
        "region": city["haisheng"].pk, "status": "active", "contact_phone": "138 0000 1234",
    })  # fmt: skip

    enterprise = Enterprise.objects.get(name="美团外卖南调站")
    assert response.status_code == 302
    assert enterprise.contact_phone == "13800001234"
    assert AuditLog.objects.filter(action="enterprise.create", actor=admin).exists()


def test_admin_worker_change_never_prints_the_phone(client, city):
    worker = make_worker(city["haisheng"], phone="13800001111", id_number=messy.ID_ZHANG)
    client.force_login(staff(Role.COUNTY_ADMIN, city["potou"]))

    html = client.get(f"/admin/registry/worker/{worker.pk}/change/").content.decode()

    assert "13800001111" not in html and messy.ID_ZHANG not in html
    assert "138****1111" in html


def test_admin_liaison_edits_contact_details_of_their_enterprise_only(client, city):
    theirs = make_enterprise(city["haisheng"], name="美团外卖南调站")
    other = make_enterprise(city["haisheng"], name="饿了么南调站")
    liaison = UserFactory(role=Role.ENTERPRISE_LIAISON)
    enterprise_set_liaisons(enterprise=theirs, liaisons=[liaison], actor=None)
    client.force_login(liaison)

    listing = client.get("/admin/registry/enterprise/").content.decode()
    form = client.get(f"/admin/registry/enterprise/{theirs.pk}/change/").content.decode()
    foreign = client.get(f"/admin/registry/enterprise/{other.pk}/change/")

    assert "美团外卖南调站" in listing and "饿了么南调站" not in listing
    assert 'name="contact_name"' in form and 'name="name"' not in form
    assert foreign.status_code == 302


def test_admin_upload_imports_the_workbook(client, city, tmp_path):
    client.force_login(staff(Role.CITY_ADMIN, city["city"]))
    path = messy.build_messy_workbook(tmp_path / "台账.xlsx")

    with path.open("rb") as handle:
        response = client.post("/admin/registry/importjob/upload/",
                               {"file": handle, "mode": "rows"})  # fmt: skip

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.pk}/change/")
    assert Worker.objects.count() == messy.GOOD_WORKERS
    page = client.get(response["Location"]).content.decode()
    assert "下载错误报告" in page and "统一社会信用代码校验位错误" in page
