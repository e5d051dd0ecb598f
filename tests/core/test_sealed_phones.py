"""Accounts' phones sealed at rest (PII_SEAL_PHONES): the login name and SMS codes' phones are
stored encrypted, found by their keyed hash, never in clear in the accounts' tables, django-axes'
records or the audit log; and `nuanxin rotate-keys` seals (or opens) the rows already stored
when the setting is switched."""

import io
import json

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from nuanxin.accounts.models import Role, SmsCode, User, login_account
from nuanxin.accounts.services import user_create
from nuanxin.accounts.sms import ConsoleSmsBackend, MemorySmsBackend
from nuanxin.core import crypto
from nuanxin.core.errors import ApplicationError
from nuanxin.registry.importing.engine import registry_import, rows_workbook
from nuanxin.registry.models import Worker
from nuanxin.registry.selectors import WorkerFilter, worker_list
from tests.factories import TEST_PASSWORD, UserFactory, staff
from tests.registry.factories import build_city, make_worker

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
DIGITS = ("13912345678", "12345678", "912345678")  # the number, and its parts past the mask
AXES_TABLES = (AccessAttempt, AccessLog, AccessFailureLog)


@pytest.fixture
def sealed(settings):
    settings.PII_SEAL_PHONES = True
    return settings


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "nuanxin.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def _rows(table: str, *columns: str) -> list[tuple]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")
        return cursor.fetchall()


def _raw_text(table: str) -> str:
    """Every value of every row of ``table``, as text, as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return "\n".join(" ".join(str(v) for v in row) for row in cursor.fetchall())


def _no_phone_in(text: str, phone: str = PHONE) -> bool:
    return phone not in text and phone[3:] not in text and phone[:7] not in text


def api(client, url, body, ip="203.0.113.7"):
    return client.post(url, data=json.dumps(body), content_type="application/json", REMOTE_ADDR=ip)


def test_user_phone__stored_sealed_read_in_clear_found_by_hash(sealed):
    user = UserFactory(phone=PHONE)
    other = UserFactory(phone="13800000001")

    ((stored, digest, tail),) = [
        r[1:] for r in _rows("accounts_user", "id", "phone", "phone_hash", "phone_tail")
        if r[0] == user.pk
    ]  # fmt: skip
    assert crypto.is_sealed(stored) and _no_phone_in(stored + digest)
    assert tail == "5678"
    assert User.objects.get(pk=user.pk).phone == PHONE
    assert User.objects.get(phone=PHONE) == user
    assert User.objects.get(phone__iexact=PHONE) == user
    assert User.objects.get_by_natural_key(PHONE) == user
    assert set(User.objects.filter(phone__in=[PHONE, "13800000001", "13700000000"])) == {
        user,
        other,
    }
    assert not User.objects.filter(phone__in=[]).exists()
    assert not User.objects.filter(phone="13700000000").exists()
    assert User.objects.filter(phone__isnull=False).count() == 2
    assert dict(User.objects.filter(phone__in=[PHONE]).values_list("phone", "pk")) == {
        PHONE: user.pk
    }


@pytest.mark.parametrize(
    "query",
    [
        lambda: User.objects.filter(phone__contains="1234").exists(),
        lambda: User.objects.filter(phone__icontains="1234").exists(),
        lambda: User.objects.filter(phone__startswith="139").exists(),
        lambda: User.objects.filter(phone__endswith="5678").exists(),
        lambda: User.objects.filter(phone__gt="139").exists(),
        lambda: User.objects.order_by("phone").first(),
        lambda: User.objects.order_by("-phone").first(),
        lambda: User.objects.filter(phone__in=User.objects.values("phone")).exists(),
        lambda: SmsCode.objects.filter(phone__startswith="139").exists(),
    ],
)
def test_lookups_that_cannot_compare_a_sealed_phone_are_errors(sealed, query):
    UserFactory(phone=PHONE)

    with pytest.raises(FieldError, match="PII_SEAL_PHONES"):
        query()


def test_the_same_lookups_work_in_clear_with_the_setting_off(settings):
    settings.PII_SEAL_PHONES = False
    user = UserFactory(phone=PHONE)

    assert _rows("accounts_user", "phone") == [(PHONE,)]
    assert User.objects.filter(phone__startswith="139").get() == user
    assert User.objects.order_by("phone").first() == user
    # the hash and tail are kept either way, so switching on later finds the row
    assert User.objects.get(phone_hash=crypto.blind_index(PHONE, purpose="accounts.user.phone"))
    assert User.objects.get(phone_tail="5678") == user


def test_a_phone_stays_unique_when_sealed(sealed):
    UserFactory(phone=PHONE)

    with pytest.raises(ApplicationError) as error:
        user_create(phone=PHONE)
    assert error.value.code == "accounts.phone_taken"
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(PHONE, "another-password-1")
    assert User.objects.count() == 1


def test_password_and_sms_login_by_phone_when_sealed(
    sealed, client, outbox, django_capture_on_commit_callbacks
):
    UserFactory(phone=PHONE)

    login = api(client, "/api/v1/auth/login", {"phone": "139 1234 5678", "password": TEST_PASSWORD})
    assert login.status_code == 200

    newcomer = "13700001111"
    with django_capture_on_commit_callbacks(execute=True):
        sent = api(client, "/api/v1/auth/sms/send", {"phone": newcomer})
    code = "".join(c for c in outbox[-1][1] if c.isdigit())[:6]
    sms = api(client, "/api/v1/auth/sms/login", {"phone": newcomer, "code": code})

    assert sent.status_code == 200 and outbox[-1][0] == newcomer  # the gateway gets the number
    assert sms.status_code == 200 and sms.json()["created"] is True
    assert User.objects.get(phone=newcomer).role == Role.WORKER
    assert SmsCode.objects.get(phone=newcomer).used_at is not None
    ((stored, digest),) = _rows("accounts_smscode", "phone", "phone_hash")
    assert crypto.is_sealed(stored) and _no_phone_in(stored + digest, newcomer)
    assert _no_phone_in(_raw_text("accounts_user"), newcomer)


def test_sms_limits_count_per_phone_when_sealed(sealed, client, outbox):
    first = api(client, "/api/v1/auth/sms/send", {"phone": PHONE})
    again = api(client, "/api/v1/auth/sms/send", {"phone": PHONE})

    assert first.status_code == 200
    assert again.json()["code"] == "accounts.sms_too_soon"


def test_the_console_sms_log_masks_a_sealed_phone(sealed, capsys):
    ConsoleSmsBackend().send(phone=PHONE, text="验证码 123456")

    out = capsys.readouterr().out
    assert "139****5678" in out and PHONE not in out


def test_login_records_and_lockouts_hold_no_phone_in_clear(sealed, client, tree):
    UserFactory(phone=PHONE)
    for i in range(5):  # each try from its own address: only the account's count locks
        api(client, "/api/v1/auth/login", {"phone": PHONE, "password": "wrong"}, f"198.51.100.{i}")
    locked = api(client, "/api/v1/auth/login", {"phone": PHONE, "password": TEST_PASSWORD})
    assert locked.status_code == 429 and locked.json()["code"] == "accounts.locked_out"

    AccessAttempt.objects.all().delete()  # lifted (by the command below, in the admin)
    client.post("/accounts/login/", {"mode": "password", "phone": PHONE, "password": TEST_PASSWORD})
    client.post("/accounts/logout/")

    names = {m.objects.values_list("username", flat=True).first() for m in AXES_TABLES[1:]}
    assert names == {login_account(PHONE)} and login_account(PHONE).startswith("139****5678#")
    for model in AXES_TABLES:
        assert _no_phone_in(_raw_text(model._meta.db_table))


def test_the_admin_shows_finds_and_lifts_sealed_lockouts(sealed, client, tree):
    UserFactory(phone=PHONE)
    for i in range(5):
        api(client, "/api/v1/auth/login", {"phone": PHONE, "password": "wrong"}, f"198.51.100.{i}")
    admin_user = staff(Role.CITY_ADMIN, tree.city)
    client.force_login(admin_user)

    listing = client.get("/admin/accounts/loginattempt/?q=139%201234%205678").content.decode()
    missing = client.get("/admin/accounts/loginattempt/?q=13800000000").content.decode()
    client.post(
        "/admin/accounts/loginattempt/",
        {"action": "lift_accounts", "_selected_action": [AccessAttempt.objects.first().pk]},
    )

    assert "139****5678" in listing and _no_phone_in(listing.replace("139 1234 5678", ""))
    assert "139****5678" not in missing
    assert not AccessAttempt.objects.exists()
    assert _no_phone_in(_raw_text("core_auditlog"))
    relogin = api(client, "/api/v1/auth/login", {"phone": PHONE, "password": TEST_PASSWORD})
    assert relogin.status_code == 200


def test_audit_rows_hold_no_phone_in_clear(sealed, client, tree, outbox):
    admin_user = staff(Role.CITY_ADMIN, tree.city)
    client.force_login(admin_user)
    client.post(
        "/admin/accounts/user/add/",
        {"phone": PHONE, "name": "李四", "role": Role.WORKER, "password": "Pw-for-test-12"},
    )
    client.logout()
    api(client, "/api/v1/auth/login", {"phone": PHONE, "password": "Pw-for-test-12"})
    api(client, "/api/v1/auth/sms/send", {"phone": "13700001111"})

    assert User.objects.filter(phone=PHONE).exists()
    assert _no_phone_in(_raw_text("core_auditlog"))
    assert _no_phone_in(_raw_text("accounts_loginevent"))


def test_admin_finds_users_by_whole_number_and_tail_when_sealed(sealed, client, tree):
    UserFactory(phone=PHONE, name="骑手甲", region=tree["A1a"])
    UserFactory(phone="13800001111", name="骑手乙", region=tree["A1a"])
    client.force_login(staff(Role.CITY_ADMIN, tree.city))

    by_number = client.get("/admin/accounts/user/", {"q": PHONE}).content.decode()
    by_tail = client.get("/admin/accounts/user/", {"q": "5678"}).content.decode()
    by_name = client.get("/admin/accounts/user/", {"q": "骑手乙"}).content.decode()
    events = client.get("/admin/accounts/loginevent/", {"q": "5678"})

    assert "骑手甲" in by_number and "骑手乙" not in by_number
    assert "骑手甲" in by_tail and "骑手乙" not in by_tail
    assert "骑手乙" in by_name and "骑手甲" not in by_name
    assert events.status_code == 200


def test_sheet_import_links_an_account_by_phone_and_staff_find_it_by_tail(sealed):
    city = build_city()
    account = UserFactory(phone=PHONE, role=Role.WORKER)
    rider = {"name": "张三", "occupation": "骑手", "work_region": "海盛社区", "phone": PHONE}

    job = registry_import(workbook=rows_workbook([("worker", [rider])]), actor=None).job
    worker = Worker.objects.get()
    again = registry_import(
        workbook=rows_workbook([("worker", [{**rider, "name": "张三丰"}])]), actor=None
    ).job

    assert job.counts["worker"]["created"] == 1 and again.counts["worker"]["updated"] == 1
    assert worker.user == account
    boss = staff(Role.CITY_ADMIN, city["city"])
    assert list(worker_list(boss, WorkerFilter(q="5678"))) == [worker]
    assert list(worker_list(boss, WorkerFilter(q=PHONE))) == [worker]
    assert make_worker(city["haisheng"], phone="13700002222").user is None


def test_rotate_keys_reseals_sealed_phones(sealed):
    UserFactory(phone=PHONE)
    before = _rows("accounts_user", "phone")[0][0]
    sealed.PII_CIPHER = "sm4-gcm"

    call_command("rotate_keys", stdout=(out := io.StringIO()))

    after = _rows("accounts_user", "phone")[0][0]
    assert crypto.sealed_with(before) == ("a", "dev") and crypto.sealed_with(after) == ("s", "dev")
    assert "accounts.user.phone: 共 1 行，重新加密 1 行" in out.getvalue()
    assert User.objects.get(phone=PHONE).phone == PHONE


def test_switching_on_seals_existing_rows_and_switching_off_opens_them(settings, client, outbox):
    settings.PII_SEAL_PHONES = False
    users = [UserFactory(phone=f"1390000{i:04d}") for i in range(5)]
    api(client, "/api/v1/auth/sms/send", {"phone": "13900000001"})
    api(client, "/api/v1/auth/login", {"phone": "13900000002", "password": "wrong"})
    api(client, "/api/v1/auth/login", {"phone": "13600000000", "password": "wrong"}, "192.0.2.9")
    assert {u for (u,) in _rows("axes_accessattempt", "username")} == {
        "13900000002",
        "13600000000",
    }

    settings.PII_SEAL_PHONES = True
    assert User.objects.get(phone="13900000003") == users[3]  # hashes were kept all along
    call_command("rotate_keys", "--batch", "2", stdout=(out := io.StringIO()))

    assert all(crypto.is_sealed(v) for (v,) in _rows("accounts_user", "phone"))
    assert all(crypto.is_sealed(v) for (v,) in _rows("accounts_smscode", "phone"))
    names = {u for (u,) in _rows("axes_accessattempt", "username")}
    assert names == {login_account("13900000002"), login_account("13600000000")}
    for table in ("accounts_user", "accounts_smscode", "axes_accessattempt"):
        for user in users:
            assert _no_phone_in(_raw_text(table), user.phone)
    assert "accounts.user.phone: 共 5 行，重新加密 5 行" in out.getvalue()
    assert "axes.accessattempt.username: 共 2 行，重新加密 2 行" in out.getvalue()
    for i in range(4):  # with the try made before the switch, five: the account locks
        api(client, "/api/v1/auth/login", {"phone": "13900000002", "password": "x"}, f"10.0.0.{i}")
    right = {"phone": "13900000002", "password": TEST_PASSWORD}
    assert api(client, "/api/v1/auth/login", right, "10.0.1.1").status_code == 429
    call_command("rotate_keys", stdout=(again := io.StringIO()))
    assert "accounts.user.phone: 共 5 行，重新加密 0 行" in again.getvalue()

    settings.PII_SEAL_PHONES = False
    call_command("rotate_keys", stdout=io.StringIO())

    assert sorted(v for (v,) in _rows("accounts_user", "phone")) == [u.phone for u in users]
    assert [v for (v,) in _rows("accounts_smscode", "phone")] == ["13900000001"]
    names = {u for (u,) in _rows("axes_accessattempt", "username")}
    # an account's rows are named by its phone again; a phone with no account stays masked
    assert names == {"13900000002", login_account("13600000000", sealed=True)}
    assert User.objects.filter(phone__startswith="139").count() == 5


def test_erasure_forgets_a_sealed_phone_and_its_login_records(sealed, client):
    from nuanxin.core.personal import personal_erase

    user = UserFactory(phone=PHONE)
    api(client, "/api/v1/auth/login", {"phone": PHONE, "password": "wrong"})
    client.post("/accounts/login/", {"mode": "password", "phone": PHONE, "password": TEST_PASSWORD})
    assert AccessAttempt.objects.exists() and AccessLog.objects.exists()

    personal_erase(user=user, actor=user)

    assert not User.objects.filter(phone=PHONE).exists()
    assert not any(m.objects.exists() for m in AXES_TABLES)
    erased = User.objects.get(pk=user.pk)
    assert User.objects.get(phone=erased.phone) == erased  # its hash follows the new value
    assert _no_phone_in(_raw_text("accounts_user")) and _no_phone_in(_raw_text("core_auditlog"))
