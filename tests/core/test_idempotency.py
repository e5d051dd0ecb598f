import json

import pytest

from nuanxin.accounts.models import ApiToken
from nuanxin.core.models import IdempotencyRecord
from tests.factories import TEST_PASSWORD, UserFactory

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def worker(db):
    return UserFactory(phone="13912345678")


def _login(client, key, password=TEST_PASSWORD):
    return client.post(
        LOGIN,
        data=json.dumps({"phone": "13912345678", "password": password}),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_retried_write_with_same_key_replays_the_first_answer(client, worker):
    first = _login(client, "k-1")
    second = _login(client, "k-1")

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert ApiToken.objects.filter(user=worker).count() == 1


def test_same_key_with_different_request_is_refused(client, worker):
    _login(client, "k-2")

    response = _login(client, "k-2", password="another-password")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency.key_reused"
    assert ApiToken.objects.filter(user=worker).count() == 1


def test_failed_request_is_not_stored_and_may_be_retried(client, worker):
    failed = _login(client, "k-3", password="wrong")
    assert failed.status_code == 401
    assert not IdempotencyRecord.objects.filter(key="k-3").exists()

    retried = _login(client, "k-3")

    assert retried.status_code == 200
    assert ApiToken.objects.filter(user=worker).count() == 1


def test_different_keys_create_different_results(client, worker):
    assert _login(client, "k-4").json()["token"] != _login(client, "k-5").json()["token"]
    assert ApiToken.objects.filter(user=worker).count() == 2


def test_overlong_key_is_a_clear_error(client, worker):
    response = _login(client, "x" * 256)

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency.bad_key"
    assert not ApiToken.objects.exists()
