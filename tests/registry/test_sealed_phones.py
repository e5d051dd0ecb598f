"""The registry's and the reports' phones sealed at rest (PII_SEAL_PHONES), like the accounts':
a worker's phone (what sheets match on and staff search by), an enterprise's contact phone, an
account-less reporter's phone and an Open311 client's contact phone are never in clear in their
tables, while everything that finds, exports or clears them still works. The station's service
phone and a department's phone are published numbers, not personal data, and stay in clear."""

import io

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from nuanxin.accounts.models import Role
from nuanxin.core import crypto
from nuanxin.core.errors import ApplicationError
from nuanxin.demo.scale.bulk import Table
from nuanxin.open311.models import ClientApplication
from nuanxin.open311.services import client_create
from nuanxin.registry.exporting import export_workers
from nuanxin.registry.importing.engine import registry_import, rows_workbook
from nuanxin.registry.models import Enterprise, Worker
from nuanxin.registry.personal import erase as erase_worker
from nuanxin.registry.selectors import WorkerFilter, worker_list
from nuanxin.registry.services import worker_self_register, worker_update
from nuanxin.reports.jobs import forget_reporter_contacts
from nuanxin.reports.models import Channel, Report
from nuanxin.reports.services import ReporterContact, report_submit
from tests.factories import UserFactory, staff
from tests.registry.factories import build_city, make_enterprise, make_worker
from tests.reports.factories import IN_A1A_1, category

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
OTHER = "13900001111"


@pytest.fixture
def sealed(settings):
    settings.PII_SEAL_PHONES = True
    return settings


@pytest.fixture
def city():
    return build_city()


def _column(table: str, column: str) -> list:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} ORDER BY id")
        return [value for (value,) in cursor.fetchall()]


def _in_clear(values: list, phone: str = PHONE) -> bool:
    return any(phone in str(v) or phone[3:] in str(v) for v in values)


def test_a_workers_phone_is_sealed_found_and_kept_unique(sealed, city):
    worker = make_worker(city["haisheng"], phone=PHONE)
    make_worker(city["haisheng"], phone=OTHER, name="李四")

    stored = _column("registry_worker", "phone")
    assert all(crypto.is_sealed(v) for v in stored) and not _in_clear(stored)
    assert _column("registry_worker", "phone_tail") == ["5678", "1111"]
    assert Worker.objects.get(pk=worker.pk).phone == PHONE
    assert Worker.objects.get(phone=PHONE) == worker
    assert list(Worker.objects.filter(phone__in=[PHONE, "13000000000"])) == [worker]
    with pytest.raises(ApplicationError) as error:
        make_worker(city["haisheng"], phone=PHONE, name="王五")
    assert error.value.code == "registry.duplicate_phone"
    with pytest.raises(FieldError, match="PII_SEAL_PHONES"):
        Worker.objects.filter(phone__startswith="139").exists()
    with pytest.raises(FieldError, match="PII_SEAL_PHONES"):
        Worker.objects.order_by("phone").first()


def test_staff_find_a_sealed_worker_by_whole_number_or_last_four_digits(sealed, city):
    worker = make_worker(city["haisheng"], phone=PHONE)
    make_worker(city["haisheng"], phone=OTHER, name="李四")
    boss = staff(Role.CITY_ADMIN, city["city"])

    assert list(worker_list(boss, WorkerFilter(q=PHONE))) == [worker]
    assert list(worker_list(boss, WorkerFilter(q="5678"))) == [worker]
    assert list(worker_list(boss, WorkerFilter(q="张三"))) == [worker]
    # other parts of a sealed number cannot be compared: nothing, and no error
    assert list(worker_list(boss, WorkerFilter(q="12345678"))) == []


def test_in_clear_a_worker_is_found_by_any_last_digits(settings, city):
    settings.PII_SEAL_PHONES = False
    worker = make_worker(city["haisheng"], phone=PHONE)
    boss = staff(Role.CITY_ADMIN, city["city"])

    assert _column("registry_worker", "phone") == [PHONE]
    assert list(worker_list(boss, WorkerFilter(q="12345678"))) == [worker]
    assert list(worker_list(boss, WorkerFilter(q="5678"))) == [worker]


def test_a_sheet_matches_sealed_workers_by_phone_and_writes_no_phone_in_clear(sealed, city):
    rider = {"name": "张三", "occupation": "骑手", "work_region": "海盛社区", "phone": PHONE}
    courier = {**rider, "name": "李四", "phone": OTHER}

    first = registry_import(workbook=rows_workbook([("worker", [rider, courier])]), actor=None)
    again = registry_import(
        workbook=rows_workbook([("worker", [{**rider, "name": "张三丰"}, courier])]), actor=None
    )

    assert first.job.counts["worker"]["created"] == 2
    assert again.job.counts["worker"]["updated"] == 1
    assert again.job.counts["worker"].get("created", 0) == 0
    assert Worker.objects.get(phone=PHONE).name == "张三丰"
    assert Worker.objects.count() == 2
    stored = _column("registry_worker", "phone")
    assert all(crypto.is_sealed(v) for v in stored)
    assert not _in_clear(stored) and not _in_clear(stored, OTHER)
    assert sorted(_column("registry_worker", "phone_tail")) == ["1111", "5678"]


def test_an_export_with_full_numbers_opens_sealed_phones(sealed, city):
    make_worker(city["haisheng"], phone=PHONE)

    full = export_workers(Worker.objects.all(), full_numbers=True)
    masked = export_workers(Worker.objects.all(), full_numbers=False)

    assert PHONE.encode() in _xlsx_text(full)
    assert PHONE.encode() not in _xlsx_text(masked)


def _xlsx_text(content: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return b"".join(book.read(name) for name in book.namelist() if name.endswith(".xml"))


def test_an_account_links_to_its_sealed_worker_record_by_phone(sealed, city):
    worker = make_worker(city["haisheng"], phone=PHONE)
    account = UserFactory(phone=PHONE, role=Role.WORKER)

    linked = worker_self_register(user=account, name="张三", occupation="rider", work_region=None)

    assert linked == worker
    worker.refresh_from_db()
    assert worker.user == account


def test_changing_and_erasing_a_sealed_phone_keeps_hash_and_tail_in_step(sealed, city):
    worker = make_worker(city["haisheng"], phone=PHONE)
    user = UserFactory(phone=PHONE, role=Role.WORKER)
    worker.user = user
    worker.save()

    worker_update(actor=None, worker=worker, changes={"phone": OTHER})
    assert Worker.objects.get(phone=OTHER) == worker
    assert not Worker.objects.filter(phone=PHONE).exists()
    assert _column("registry_worker", "phone_tail") == ["1111"]

    erase_worker(user)
    worker.refresh_from_db()
    assert not Worker.objects.filter(phone=OTHER).exists()
    assert _column("registry_worker", "phone_tail") == [worker.phone[-4:]]
    assert Worker.objects.get(phone=worker.phone) == worker


def _open311_report(phone: str, email: str = "") -> Report:
    """A report an Open311 client files for a citizen without an account, who leaves contacts."""
    return report_submit(
        reporter=None,
        category=category(),
        lon=IN_A1A_1[0],
        lat=IN_A1A_1[1],
        description="路口的消防通道被占",
        contact=ReporterContact(name="李小明", phone=phone, email=email),
        channel=Channel.OPEN311,
        client_id="open311:hotline",
    )


def test_contact_phones_are_sealed_and_read_back(sealed, city, tree):
    enterprise = make_enterprise(city["haisheng"], contact_phone="0759-2345678")
    app, _key = client_create(actor=None, code="hotline", name="12345 热线", contact_phone=PHONE)
    report = _open311_report(OTHER)

    for table, column in (
        ("registry_enterprise", "contact_phone"),
        ("open311_clientapplication", "contact_phone"),
        ("reports_report", "contact_phone"),
    ):
        assert all(crypto.is_sealed(v) for v in _column(table, column)), table
    assert not _in_clear(_column("registry_enterprise", "contact_phone"), "0759-2345678")
    assert Enterprise.objects.get(pk=enterprise.pk).contact_phone == "0759-2345678"
    assert ClientApplication.objects.get(pk=app.pk).contact_phone == PHONE
    assert Report.objects.get(pk=report.pk).contact_phone == OTHER
    # a contact phone keeps no keyed hash: it can be compared with "" only
    with pytest.raises(FieldError, match="keeps no keyed hash"):
        Report.objects.filter(contact_phone=OTHER).exists()


def test_the_retention_job_clears_sealed_reporter_contacts(sealed, settings, tree):
    report = _open311_report(OTHER, email="li@example.com")
    settings.REPORT_CONTACT_RETENTION_DAYS = -1

    assert forget_reporter_contacts() == 1
    report.refresh_from_db()
    assert (report.contact_name, report.contact_phone, report.contact_email) == ("", "", "")
    assert forget_reporter_contacts() == 0


def test_generated_rows_are_sealed_with_hash_and_tail(sealed, city):
    table = Table(Worker)
    table.add(name="王五", phone=PHONE, occupation="rider", region_id=city["haisheng"].pk)
    table.flush()

    worker = Worker.objects.get(phone=PHONE)
    assert worker.phone_tail == "5678"
    assert crypto.is_sealed(_column("registry_worker", "phone")[0])
    boss = staff(Role.CITY_ADMIN, city["city"])
    assert list(worker_list(boss, WorkerFilter(q="5678"))) == [worker]


def test_switching_on_seals_stored_workers_and_contacts(settings, city):
    settings.PII_SEAL_PHONES = False
    make_worker(city["haisheng"], phone=PHONE)
    make_enterprise(city["haisheng"], contact_phone=OTHER)
    assert _column("registry_worker", "phone") == [PHONE]

    settings.PII_SEAL_PHONES = True
    assert Worker.objects.get(phone=PHONE)  # the hash was kept all along
    call_command("rotate_keys", stdout=(out := io.StringIO()))

    assert crypto.is_sealed(_column("registry_worker", "phone")[0])
    assert crypto.is_sealed(_column("registry_enterprise", "contact_phone")[0])
    assert "registry.worker.phone: 共 1 行，重新加密 1 行" in out.getvalue()
    assert Enterprise.objects.get().contact_phone == OTHER

    settings.PII_SEAL_PHONES = False
    call_command("rotate_keys", stdout=io.StringIO())
    assert _column("registry_worker", "phone") == [PHONE]
    assert _column("registry_enterprise", "contact_phone") == [OTHER]


@pytest.mark.parametrize("seal", [True, False])
def test_the_admin_finds_a_worker_by_whole_number_or_tail(settings, city, client, seal):
    settings.PII_SEAL_PHONES = seal
    make_worker(city["haisheng"], phone=PHONE, name="骑手甲")
    make_worker(city["haisheng"], phone=OTHER, name="骑手乙")
    client.force_login(staff(Role.CITY_ADMIN, city["city"]))

    pages = {q: client.get("/admin/registry/worker/", {"q": q}) for q in (PHONE, "5678", "骑手乙")}

    assert all(page.status_code == 200 for page in pages.values())
    by_number, by_tail, by_name = (page.content.decode() for page in pages.values())
    assert "骑手甲" in by_number and "骑手乙" not in by_number
    assert "骑手甲" in by_tail and "骑手乙" not in by_tail
    assert "骑手乙" in by_name and "骑手甲" not in by_name
