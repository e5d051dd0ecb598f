import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.registry.models import Enterprise, Worker
from nuanxin.registry.services import (
    enterprise_create,
    enterprise_set_liaisons,
    enterprise_update,
    worker_create,
    worker_self_register,
    worker_update,
)
from tests.factories import UserFactory, staff
from tests.helpers import error_code
from tests.registry.factories import credit_code, id_number, make_enterprise, make_worker

pytestmark = pytest.mark.django_db


def test_enterprise_create__writes_an_audit_entry_with_the_phone_masked(city):
    admin = staff(Role.STREET_ADMIN, city["nandiao"])

    enterprise = enterprise_create(
        actor=admin, name="美团外卖南调站", kind="站点", industry="外卖",
        region=city["haisheng"], contact_phone="13800001234",
    )  # fmt: skip

    entry = AuditLog.objects.get(action="enterprise.create", object_id=str(enterprise.pk))
    assert entry.actor == admin and entry.region_path == city["haisheng"].path
    assert entry.after["contact_phone"] == "138****1234"
    assert entry.after["kind"] == "station"


def test_enterprise_create__region_from_location_when_none_given(city, settings):
    from nuanxin.geo.services import region_save

    region_save(
        code="440804001003", name="测试社区", level="community", parent=city["nandiao"],
        boundary={"type": "Polygon", "coordinates": [[[110.0, 21.0], [110.1, 21.0],
                  [110.1, 21.1], [110.0, 21.1], [110.0, 21.0]]]},
    )  # fmt: skip

    enterprise = enterprise_create(
        actor=None, name="某站", kind="station", industry="express", lon=110.05, lat=21.05
    )

    assert enterprise.region.code == "440804001003"


def test_enterprise_create__duplicates_are_refused(city):
    code = credit_code()
    make_enterprise(city["haisheng"], name="美团外卖南调站", credit_code=code)

    same_name = error_code(lambda: make_enterprise(city["potou_c"], name="美团外卖南调站"))
    same_code = error_code(lambda: make_enterprise(city["potou_c"], name="别的", credit_code=code))

    assert (same_name, same_code) == ("registry.duplicate_name", "registry.duplicate_credit_code")
    assert Enterprise.objects.count() == 1


def test_enterprise_create__community_staff_cannot_register_in_the_next_community(city):
    clerk = staff(Role.COMMUNITY_STAFF, city["haisheng"])

    code = error_code(lambda: enterprise_create(
        actor=clerk, name="某站", kind="station", industry="express", region=city["nandiao_c"]
    ))  # fmt: skip

    assert code == "auth.out_of_jurisdiction" and not Enterprise.objects.exists()


def test_enterprise_create__city_is_too_coarse(city):
    code = error_code(lambda: enterprise_create(
        actor=None, name="某站", kind="station", industry="express", region=city["city"]
    ))  # fmt: skip

    assert code == "registry.region_too_coarse"


def test_enterprise_update__audits_only_what_changed(city):
    enterprise = make_enterprise(city["haisheng"], worker_count=10)

    enterprise_update(enterprise=enterprise, actor=None, changes={"worker_count": "１２"})
    enterprise_update(enterprise=enterprise, actor=None, changes={"worker_count": 12})

    entries = AuditLog.objects.filter(action="enterprise.update")
    assert [(e.before, e.after) for e in entries] == [({"worker_count": 10}, {"worker_count": 12})]


def test_enterprise_set_liaisons__only_users_with_the_liaison_role(city):
    enterprise = make_enterprise(city["haisheng"])
    worker_user = UserFactory(role=Role.WORKER)

    code = error_code(lambda: enterprise_set_liaisons(
        enterprise=enterprise, liaisons=[worker_user], actor=None
    ))  # fmt: skip

    assert code == "registry.not_a_liaison" and not enterprise.liaisons.exists()


def test_worker_create__id_number_decides_gender_and_birth_year(city):
    number = id_number(birth="19920601", seq=12)

    worker = make_worker(city["haisheng"], id_number=number)
    mismatch = error_code(lambda: make_worker(
        city["haisheng"], id_number=id_number(birth="19920601", seq=14), gender="男"
    ))  # fmt: skip

    assert (worker.gender, worker.birth_year) == ("F", 1992)
    assert mismatch == "registry.id_mismatch"


def test_worker_create__links_the_worker_account_with_the_same_phone(city):
    account = UserFactory(role=Role.WORKER, phone="13900001111")
    UserFactory(role=Role.COMMUNITY_STAFF, phone="13900002222", region=city["haisheng"])

    linked = make_worker(city["haisheng"], phone="13900001111")
    staff_phone = make_worker(city["haisheng"], phone="13900002222")

    assert linked.user == account and staff_phone.user is None


def test_worker_create__duplicate_phone_or_id_is_refused(city):
    number = id_number()
    make_worker(city["haisheng"], phone="13900001111", id_number=number)

    phone = error_code(lambda: make_worker(city["haisheng"], phone="139 0000 1111"))
    same_id = error_code(lambda: make_worker(city["haisheng"], id_number=number))

    assert (phone, same_id) == ("registry.duplicate_phone", "registry.duplicate_id_number")


def test_worker_create__region_from_the_enterprise_when_no_place_is_given(city):
    enterprise = make_enterprise(city["potou_c"])

    worker = worker_create(
        actor=None, name="李四", phone="13900003333", occupation="courier", enterprises=[enterprise]
    )
    nowhere = error_code(lambda: worker_create(
        actor=None, name="王五", phone="13900004444", occupation="courier"
    ))  # fmt: skip

    assert worker.region == city["potou_c"] and worker.work_region is None
    assert nowhere == "registry.region_required"


def test_worker_update__blank_gender_keeps_the_one_from_the_id_number(city):
    worker = make_worker(city["haisheng"], id_number=id_number(birth="19900101", seq=13))

    worker_update(worker=worker, actor=None, changes={"gender": "", "birth_year": None})

    worker.refresh_from_db()
    assert (worker.gender, worker.birth_year) == ("M", 1990)


def test_worker_update__liaison_moves_only_their_own_enterprise_links(city):
    theirs = make_enterprise(city["haisheng"], name="美团外卖南调站")
    also_theirs = make_enterprise(city["haisheng"], name="美团外卖海盛站")
    other = make_enterprise(city["haisheng"], name="饿了么南调站")
    liaison = UserFactory(role=Role.ENTERPRISE_LIAISON)
    for enterprise in (theirs, also_theirs):
        enterprise_set_liaisons(enterprise=enterprise, liaisons=[liaison], actor=None)
    worker = make_worker(city["haisheng"], enterprises=[theirs, other])

    worker_update(worker=worker, actor=liaison, changes={}, enterprises=[also_theirs])
    refused = error_code(lambda: worker_update(
        worker=worker, actor=liaison, changes={}, enterprises=[other]
    ))  # fmt: skip

    assert set(worker.enterprises.all()) == {also_theirs, other}
    assert refused == "registry.not_your_enterprise"


def test_worker_self_register__links_the_office_record_instead_of_duplicating(city):
    office = make_worker(city["haisheng"], name="张三", phone="13900005555", occupation="courier")
    Worker.objects.filter(pk=office.pk).update(user=None)
    account = UserFactory(role=Role.WORKER, phone="13900005555", name="小张")

    worker = worker_self_register(
        user=account, name="小张", occupation="rider", work_region=city["nandiao_c"]
    )

    assert worker.pk == office.pk and worker.user == account
    assert (worker.name, worker.occupation) == ("张三", "courier")
    assert Worker.objects.count() == 1
