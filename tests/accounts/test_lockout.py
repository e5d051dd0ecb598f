"""Password login locks out after repeated failures, per account and per client address."""

import datetime as dt
import json

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

from nuanxin.accounts.models import Role, SmsCode, SmsLoginFailure
from nuanxin.accounts.services import sms_code_send
from nuanxin.core.models import AuditLog
from tests.factories import TEST_PASSWORD, UserFactory, staff

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"
PHONE = "13912345678"


def api_login(client, phone=PHONE, password="wrong-password", ip="203.0.113.7", **headers):
    return client.post(
        LOGIN,
        data=json.dumps({"phone": phone, "password": password}),
        content_type="application/json",
        headers=headers,
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def worker(db):
    return UserFactory(phone=PHONE)


def _lock_account(client, failures=5):
    # Each try from its own address, so only the account's count can lock.
    return [api_login(client, ip=f"198.51.100.{i}").status_code for i in range(failures)]


def test_thirty_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused(client, worker):
    statuses = [api_login(client, ip=f"198.51.100.{i}").status_code for i in range(30)]

    right = api_login(client, password=TEST_PASSWORD, ip="192.0.2.99")

    assert statuses == [401] * 4 + [429] * 26
    assert right.status_code == 429
    body = right.json()
    assert body["code"] == "accounts.locked_out"
    assert 0 < body["extra"]["retry_after_seconds"] <= 15 * 60
    assert right["Retry-After"] == str(body["extra"]["retry_after_seconds"])
    assert "短信验证码登录" in body["message"]
    assert "token" not in body


def test_a_lockout_reveals_nothing_about_whether_the_phone_is_registered(client, worker):
    _lock_account(client)
    unknown = [api_login(client, phone="13700000000", ip=f"192.0.2.{i}") for i in range(5)]

    known = api_login(client, ip="192.0.2.200")

    assert [r.status_code for r in unknown] == [401] * 4 + [429]
    assert unknown[-1].json()["code"] == known.json()["code"] == "accounts.locked_out"


def test_phone_spellings_count_as_one_account(client, worker):
    spellings = ["139 1234 5678", "+86 13912345678", "139-1234-5678", "１３９１２３４５６７８"]
    for i, spelling in enumerate(spellings):
        assert api_login(client, phone=spelling, ip=f"198.51.100.{i}").status_code == 401

    assert api_login(client, ip="198.51.100.50").json()["code"] == "accounts.locked_out"


def test_wrong_passwords_across_many_accounts_lock_the_address(client, worker, settings):
    statuses = [
        api_login(client, phone=f"137000000{i:02d}", ip="203.0.113.7").status_code
        for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT)
    ]

    from_there = api_login(client, password=TEST_PASSWORD, ip="203.0.113.7")
    from_elsewhere = api_login(client, password=TEST_PASSWORD, ip="203.0.113.8")

    assert statuses == [401] * (settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1) + [429]
    assert from_there.status_code == 429
    assert from_there.json()["code"] == "accounts.locked_out"
    assert from_elsewhere.status_code == 200


def test_addresses_behind_a_trusted_proxy_are_counted_apart(client, worker, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for i in range(3):
        api_login(client, phone=f"137000000{i:02d}", ip="10.0.0.2", X_Forwarded_For="203.0.113.7")

    other = api_login(client, password=TEST_PASSWORD, ip="10.0.0.2", X_Forwarded_For="203.0.113.8")
    same = api_login(client, password=TEST_PASSWORD, ip="10.0.0.2", X_Forwarded_For="203.0.113.7")

    assert other.status_code == 200
    assert same.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_a_forged_forwarded_for_does_not_escape_the_address_count(client, worker, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for i in range(3):
        api_login(client, phone=f"137000000{i:02d}", X_Forwarded_For=f"192.0.2.{i}")

    response = api_login(client, password=TEST_PASSWORD, X_Forwarded_For="192.0.2.77")

    assert response.status_code == 429


def test_the_lockout_ends_after_the_cool_off(client, worker, settings):
    _lock_account(client)
    cool_off = settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - cool_off
        )

    assert api_login(client, password=TEST_PASSWORD).status_code == 200


def test_a_success_does_not_reset_the_address_count(client, worker, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    api_login(client, phone="13700000001")
    api_login(client, phone="13700000002")
    assert api_login(client, password=TEST_PASSWORD).status_code == 200

    api_login(client, phone="13700000003")

    assert api_login(client, password=TEST_PASSWORD).status_code == 429


def test_the_login_page_shows_when_to_try_again(client, worker):
    for i in range(5):
        client.post(
            "/accounts/login/",
            {"mode": "password", "phone": PHONE, "password": "x"},
            REMOTE_ADDR=f"198.51.100.{i}",
        )

    response = client.post(
        "/accounts/login/",
        {"mode": "password", "phone": PHONE, "password": TEST_PASSWORD},
        REMOTE_ADDR="198.51.100.9",
    )

    html = response.content.decode()
    assert response.status_code == 429
    assert 'data-code="accounts.locked_out"' in html
    assert "登录已暂时锁定" in html and "以后）再试" in html
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert "_auth_user_id" not in client.session


def test_the_admin_login_locks_out_too(client, tree):
    staff(Role.CITY_ADMIN, tree.city, phone="13800000009")
    for i in range(5):
        client.post(
            "/admin/login/",
            {"username": "13800000009", "password": "x"},
            REMOTE_ADDR=f"198.51.100.{i}",
        )

    response = client.post(
        "/admin/login/",
        {"username": "13800000009", "password": TEST_PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="198.51.100.9",
    )

    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_a_city_admin_lifts_an_account_lockout_in_the_admin(client, worker, tree):
    _lock_account(client)
    admin_user = staff(Role.CITY_ADMIN, tree.city)
    client.force_login(admin_user)
    listing = client.get("/admin/accounts/loginattempt/?locked=yes").content.decode()
    attempt_ids = list(AccessAttempt.objects.values_list("pk", flat=True))

    response = client.post(
        "/admin/accounts/loginattempt/",
        {"action": "lift_accounts", "_selected_action": attempt_ids[:1]},
    )
    client.logout()

    assert "139****5678" in listing and PHONE not in listing
    assert "账号已锁定" in listing
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=PHONE).exists()
    assert AuditLog.objects.filter(action="accounts.lockout_lift", actor=admin_user).count() == 5
    assert api_login(client, password=TEST_PASSWORD).status_code == 200


def test_lifting_an_address_lockout_in_the_admin(client, worker, tree, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for i in range(3):
        api_login(client, phone=f"137000000{i:02d}")
    client.force_login(staff(Role.CITY_ADMIN, tree.city))
    one = AccessAttempt.objects.first()

    client.post(
        "/admin/accounts/loginattempt/",
        {"action": "lift_addresses", "_selected_action": [one.pk]},
    )
    client.logout()

    assert not AccessAttempt.objects.exists()
    assert api_login(client, password=TEST_PASSWORD).status_code == 200


def test_only_city_admins_see_the_login_records(client, worker, tree):
    _lock_account(client)
    client.force_login(staff(Role.CITY_ADMIN, tree.city))
    city_index = client.get("/admin/").content.decode()
    client.force_login(staff(Role.COUNTY_ADMIN, tree["A"]))
    county_index = client.get("/admin/").content.decode()
    county_list = client.get("/admin/accounts/loginattempt/")
    county_lift = client.post(
        "/admin/accounts/loginattempt/",
        {"action": "lift_accounts", "_selected_action": [AccessAttempt.objects.first().pk]},
    )

    for name in ["登录失败与锁定", "登录记录", "登录失败日志"]:
        assert name in city_index
        assert name not in county_index
    assert county_list.status_code == 403
    assert county_lift.status_code == 403
    assert AccessAttempt.objects.count() == 5


def test_successful_and_failed_logins_are_visible_in_the_admin(client, worker, tree):
    client.post("/accounts/login/", {"mode": "password", "phone": PHONE, "password": "x"})
    client.post("/accounts/login/", {"mode": "password", "phone": PHONE, "password": TEST_PASSWORD})
    client.force_login(staff(Role.CITY_ADMIN, tree.city))

    records = client.get("/admin/accounts/loginrecord/").content.decode()
    failures = client.get("/admin/accounts/loginfailurerecord/").content.decode()

    assert "139****5678" in records and "/accounts/login/" in records
    assert "139****5678" in failures
    assert PHONE not in records + failures


def test_the_attempt_record_keeps_no_password_or_phone_in_its_form_data(client, worker):
    client.post("/accounts/login/", {"mode": "password", "phone": PHONE, "password": "secret-1"})

    attempt = AccessAttempt.objects.get()

    assert attempt.username == PHONE
    assert "secret-1" not in attempt.post_data and PHONE not in attempt.post_data


@pytest.mark.parametrize(
    "command,args",
    [("axes_reset", []), ("axes_reset_username", [PHONE])],
)
def test_the_reset_commands_lift_a_lockout(client, worker, command, args):
    _lock_account(client)

    call_command(command, *args, stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert api_login(client, password=TEST_PASSWORD).status_code == 200


def test_the_address_reset_command_lifts_an_address_lockout(client, worker, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for i in range(3):
        api_login(client, phone=f"137000000{i:02d}")

    call_command("axes_reset_ip", "203.0.113.7", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert api_login(client, password=TEST_PASSWORD).status_code == 200


# IdempotencyMiddleware runs a keyed request in one transaction; a failed login's records
# (axes' attempt, the SMS code's wrong try) must survive it, or an Idempotency-Key would buy
# unlimited guesses.


@pytest.mark.django_db(transaction=True)
def test_idempotency_keys_do_not_buy_more_password_guesses(client, worker, settings):
    answers = [
        api_login(client, ip=f"198.51.100.{i}", **{"Idempotency-Key": f"k-{i}"}) for i in range(8)
    ]

    guesses = [a for a in answers if a.json().get("code") == "accounts.bad_credentials"]
    assert len(guesses) <= settings.LOGIN_FAILURE_LIMIT - 1


@pytest.mark.django_db(transaction=True)
def test_idempotency_keys_do_not_buy_more_sms_code_guesses(client, settings):
    sms_code_send(phone=PHONE, client_ip="192.0.2.1")
    answers = [
        client.post(
            "/api/v1/auth/sms/login",
            data=json.dumps({"phone": PHONE, "code": "000000"}),
            content_type="application/json",
            headers={"Idempotency-Key": f"k-{i}"},
        )
        for i in range(8)
    ]

    guesses = [a for a in answers if a.json().get("code") == "accounts.bad_sms_code"]
    assert len(guesses) == SmsLoginFailure.objects.count()
    assert SmsCode.objects.get().attempts == min(len(guesses), settings.SMS_CODE_MAX_ATTEMPTS)
