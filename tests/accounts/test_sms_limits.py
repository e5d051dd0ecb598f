"""SMS codes are limited per phone, per client address and in all, and say when to come back."""

import json

import pytest
from django.utils import timezone

from nuanxin.accounts.models import SmsCode, SmsLoginFailure, User
from nuanxin.accounts.services import sms_code_login, sms_code_send
from nuanxin.accounts.sms import MemorySmsBackend
from nuanxin.core.errors import ApplicationError
from tests.helpers import Clock, error_code, race

SEND = "/api/v1/auth/sms/send"
SMS_LOGIN = "/api/v1/auth/sms/login"
IP = "203.0.113.7"

# Real commits: the message goes out on commit, and the races need them.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "nuanxin.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, timezone.now())


def api_send(client, phone, ip=IP):
    return client.post(
        SEND, data=json.dumps({"phone": phone}), content_type="application/json", REMOTE_ADDR=ip
    )


def phones(n, start=0):
    return [f"1370000{i:04d}" for i in range(start, start + n)]


def _code_for(outbox, phone):
    text = next(text for to, text in reversed(outbox) if to == phone)
    return "".join(ch for ch in text if ch.isdigit())[:6]


def test_thirty_phones_from_one_address_in_one_second_send_only_the_limit(client, outbox, settings):
    limit = settings.SMS_CLIENT_LIMIT_PER_MINUTE

    answers = [api_send(client, phone) for phone in phones(30)]

    assert [a.status_code for a in answers] == [200] * limit + [429] * (30 - limit)
    assert [to for to, _ in outbox] == phones(limit)
    assert SmsCode.objects.count() == limit
    for refused in answers[limit:]:
        assert refused.json()["code"] == "accounts.sms_client_limit"
        assert 0 < int(refused["Retry-After"]) <= 60
        assert refused["Retry-After"] == str(refused.json()["extra"]["retry_after_seconds"])
    assert api_send(client, "13999999999", ip="203.0.113.8").status_code == 200


def test_the_address_limit_reopens_when_the_oldest_code_leaves_the_minute(outbox, settings, clock):
    settings.SMS_CLIENT_LIMIT_PER_MINUTE = 2
    sms_code_send(phone=phones(1)[0], client_ip=IP)
    clock.advance(seconds=20)
    sms_code_send(phone=phones(1, 1)[0], client_ip=IP)
    clock.advance(seconds=10)

    with pytest.raises(ApplicationError) as refused:
        sms_code_send(phone=phones(1, 2)[0], client_ip=IP)
    clock.advance(seconds=31)
    sms_code_send(phone=phones(1, 3)[0], client_ip=IP)

    assert refused.value.code == "accounts.sms_client_limit"
    assert refused.value.extra["retry_after_seconds"] == 30
    assert len(outbox) == 3


def test_the_hourly_address_limit_holds_past_the_minute(outbox, settings, clock):
    settings.SMS_CLIENT_LIMIT_PER_MINUTE = 2
    settings.SMS_CLIENT_LIMIT_PER_HOUR = 3
    for phone in phones(3):
        sms_code_send(phone=phone, client_ip=IP)
        clock.advance(minutes=2)

    assert error_code(lambda: sms_code_send(phone="13999999999", client_ip=IP)) == (
        "accounts.sms_client_limit"
    )
    clock.advance(minutes=55)
    sms_code_send(phone="13999999999", client_ip=IP)
    assert len(outbox) == 4


def test_the_global_limit_holds_across_addresses(client, outbox, settings, clock):
    settings.SMS_GLOBAL_LIMIT_PER_MINUTE = 3

    answers = [api_send(client, phone, ip=f"198.51.100.{i}") for i, phone in enumerate(phones(5))]
    clock.advance(seconds=61)
    later = api_send(client, "13999999999", ip="198.51.100.99")

    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert {a.json()["code"] for a in answers[3:]} == {"accounts.sms_global_limit"}
    assert all(0 < int(a["Retry-After"]) <= 60 for a in answers[3:])
    assert later.status_code == 200
    assert len(outbox) == 4


def test_one_phone_gets_one_code_a_minute_and_a_few_a_day(client, outbox, settings, clock):
    settings.SMS_PHONE_LIMIT_PER_DAY = 3
    first = api_send(client, "13912345678")
    clock.advance(seconds=20)
    too_soon = api_send(client, "13912345678", ip="198.51.100.1")
    for _ in range(2):
        clock.advance(minutes=5)
        api_send(client, "13912345678")
    clock.advance(minutes=5)
    daily = api_send(client, "13912345678", ip="198.51.100.2")

    assert first.status_code == 200
    assert too_soon.status_code == 429
    assert too_soon.json()["code"] == "accounts.sms_too_soon"
    assert too_soon["Retry-After"] == "40"
    assert daily.json()["code"] == "accounts.sms_phone_limit"
    assert int(daily["Retry-After"]) == 24 * 3600 - (15 * 60 + 20)
    assert len(outbox) == 3


def test_refused_requests_use_up_no_allowance(client, outbox, settings):
    settings.SMS_CLIENT_LIMIT_PER_MINUTE = 1
    api_send(client, "13912345678")
    for _ in range(10):
        api_send(client, "13912345678", ip="198.51.100.1")

    assert api_send(client, "13900000001", ip="198.51.100.1").status_code == 200


def test_the_login_page_says_when_to_ask_for_a_code_again(client, outbox, settings):
    settings.SMS_CLIENT_LIMIT_PER_MINUTE = 1
    form = {"mode": "sms", "action": "send", "phone": "13912345678"}
    client.post("/accounts/login/", form, REMOTE_ADDR=IP)

    response = client.post("/accounts/login/", {**form, "phone": "13900000001"}, REMOTE_ADDR=IP)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    html = response.content.decode()
    assert 'data-code="accounts.sms_client_limit"' in html
    assert "您所在的网络获取验证码过于频繁" in html
    assert len(outbox) == 1


def test_the_address_sending_a_code_is_recorded(client, outbox):
    api_send(client, "13912345678")

    assert SmsCode.objects.get().client_ip == IP


def test_an_address_guessing_codes_for_many_phones_is_stopped(client, outbox, settings):
    settings.SMS_LOGIN_CLIENT_FAILURE_LIMIT = 3
    victim = "13912345678"
    api_send(client, victim, ip="198.51.100.1")
    code = _code_for(outbox, victim)

    def login(phone, code, ip=IP):
        return client.post(
            SMS_LOGIN,
            data=json.dumps({"phone": phone, "code": code}),
            content_type="application/json",
            REMOTE_ADDR=ip,
        )

    wrong = [login(phone, "000000").status_code for phone in phones(3)]
    refused = login(victim, code)
    elsewhere = login(victim, code, ip="198.51.100.1")

    assert wrong == [401, 401, 401]
    assert refused.status_code == 429
    assert refused.json()["code"] == "accounts.sms_login_client_limit"
    assert int(refused["Retry-After"]) > 0
    assert elsewhere.status_code == 200
    assert SmsLoginFailure.objects.filter(client_ip=IP).count() == 3
    assert SmsCode.objects.get(phone=victim).attempts == 0


def test_the_address_limit_holds_under_concurrency(outbox, settings):
    settings.SMS_CLIENT_LIMIT_PER_MINUTE = 3

    results = race([lambda p=phone: sms_code_send(phone=p, client_ip=IP) for phone in phones(8)])

    refused = [r for r in results if isinstance(r, str)]
    assert refused == ["accounts.sms_client_limit"] * 5
    assert SmsCode.objects.filter(client_ip=IP).count() == 3
    assert len(outbox) == 3


def test_the_global_limit_holds_under_concurrency(outbox, settings):
    settings.SMS_GLOBAL_LIMIT_PER_MINUTE = 2

    results = race(
        [
            lambda p=phone, i=i: sms_code_send(phone=p, client_ip=f"198.51.100.{i}")
            for i, phone in enumerate(phones(8))
        ]
    )

    assert sorted(r for r in results if isinstance(r, str)) == ["accounts.sms_global_limit"] * 6
    assert SmsCode.objects.count() == 2
    assert len(outbox) == 2


def test_the_wrong_code_limit_holds_under_concurrency(settings):
    settings.SMS_LOGIN_CLIENT_FAILURE_LIMIT = 3

    results = race(
        [
            lambda p=phone: sms_code_login(phone=p, code="000000", client_ip=IP)
            for phone in phones(8)
        ]
    )

    assert (
        sorted(results) == ["accounts.bad_sms_code"] * 3 + ["accounts.sms_login_client_limit"] * 5
    )
    assert SmsLoginFailure.objects.count() == 3
    assert not User.objects.exists()


def test_a_request_without_an_address_is_still_limited(outbox, settings):
    settings.SMS_CLIENT_LIMIT_PER_MINUTE = 1
    sms_code_send(phone="13912345678", client_ip=None)

    assert error_code(lambda: sms_code_send(phone="13900000001", client_ip=None)) == (
        "accounts.sms_client_limit"
    )


def test_a_limit_set_to_zero_is_off(outbox, settings):
    settings.SMS_CLIENT_LIMIT_PER_MINUTE = 0
    settings.SMS_CLIENT_LIMIT_PER_HOUR = 0
    for phone in phones(8):
        sms_code_send(phone=phone, client_ip=IP)

    assert len(outbox) == 8
