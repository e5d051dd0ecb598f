import json

import pytest

from nuanxin.accounts.models import ApiToken, Role
from nuanxin.accounts.sms import MemorySmsBackend
from nuanxin.core.models import IdempotencyRecord
from nuanxin.points.models import Adjustment
from tests.factories import TEST_PASSWORD, UserFactory, staff
from tests.points.factories import funded_pool

LOGIN = "/api/v1/auth/login"
ADJUST = "/api/v1/points/adjustments"


@pytest.fixture
def officer(tree, client):
    """A community officer logged in, and a worker of the community to adjust."""
    officer = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    client.force_login(officer)
    return officer


@pytest.fixture
def person(tree):
    return UserFactory(role=Role.WORKER, region=tree["A1a"])


def _adjust(client, key, person, transfer_id="t-1", amount=5, reason="补发"):
    body = {"transfer_id": transfer_id, "worker_id": person.pk, "amount": amount, "reason": reason}
    return client.post(
        ADJUST,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_retried_write_with_same_key_replays_the_first_answer(client, tree, officer, person):
    funded_pool(tree, "A1a", 100)
    first = _adjust(client, "k-1", person)
    second = _adjust(client, "k-1", person)

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert Adjustment.objects.count() == 1


def test_same_key_with_different_request_is_refused(client, tree, officer, person):
    funded_pool(tree, "A1a", 100)
    _adjust(client, "k-2", person)

    response = _adjust(client, "k-2", person, transfer_id="t-2")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency.key_reused"
    assert Adjustment.objects.count() == 1


def test_failed_request_is_not_stored_and_may_be_retried(client, tree, officer, person):
    failed = _adjust(client, "k-3", person)
    assert failed.status_code == 409 and failed.json()["code"] == "points.budget_exhausted"
    assert not IdempotencyRecord.objects.filter(key="k-3").exists()

    funded_pool(tree, "A1a", 100)
    retried = _adjust(client, "k-3", person)

    assert retried.status_code == 200
    assert Adjustment.objects.count() == 1


def test_different_keys_create_different_results(client, tree, officer, person):
    funded_pool(tree, "A1a", 100)
    first = _adjust(client, "k-4", person, transfer_id="t-4")
    second = _adjust(client, "k-5", person, transfer_id="t-5")

    assert first.json()["id"] != second.json()["id"]
    assert Adjustment.objects.count() == 2


def test_overlong_key_is_a_clear_error(client, tree, officer, person):
    response = _adjust(client, "x" * 256, person)

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency.bad_key"
    assert not Adjustment.objects.exists()


def _post(client, url, body, key):
    return client.post(
        url,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def _stored_bodies() -> list[bytes]:
    return [bytes(body) for body in IdempotencyRecord.objects.values_list("body", flat=True)]


def test_no_login_answer_is_ever_stored_and_a_retry_gets_a_fresh_token(
    client, db, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "nuanxin.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    user = UserFactory(phone="13912345678")
    login = {"phone": "13912345678", "password": TEST_PASSWORD}

    first = _post(client, LOGIN, login, "login-1")
    retry = _post(client, LOGIN, login, "login-1")
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, "/api/v1/auth/sms/send", {"phone": "13912345679"}, "sms-1")
    code = "".join(c for c in MemorySmsBackend.outbox[-1][1] if c.isdigit())[:6]
    sms = _post(client, "/api/v1/auth/sms/login", {"phone": "13912345679", "code": code}, "sms-2")
    sms_retry = _post(
        client, "/api/v1/auth/sms/login", {"phone": "13912345679", "code": code}, "sms-2"
    )

    assert first.status_code == retry.status_code == sms.status_code == 200
    assert "no-store" in first["Cache-Control"] and "Idempotent-Replayed" not in retry
    tokens = [first.json()["token"], retry.json()["token"], sms.json()["token"]]
    assert len(set(tokens)) == 3
    assert ApiToken.objects.filter(user=user).count() == 2
    # the used code cannot log in twice: a clear refusal, not a replayed token
    assert sms_retry.status_code == 401 and sms_retry.json()["code"] == "accounts.bad_sms_code"
    assert not IdempotencyRecord.objects.filter(key__in=["login-1", "sms-2"]).exists()
    for body in _stored_bodies():
        assert b"nx_" not in body and not any(token.encode() in body for token in tokens)
    for token in tokens:
        me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
