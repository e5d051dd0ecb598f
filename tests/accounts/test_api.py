import json

import pytest

from nuanxin.accounts.sms import MemorySmsBackend
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_password_login_issues_a_token_that_opens_me(client, tree):
    UserFactory(phone="13912345678", name="骑手小李", region=tree["A1a"])

    login = post(
        client, "/api/v1/auth/login", {"phone": "139 1234 5678", "password": TEST_PASSWORD}
    )
    token = login.json()["token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})

    assert login.status_code == 200
    assert me.status_code == 200
    body = me.json()
    assert body["phone"] == "139****5678"
    assert body["role"] == "worker" and body["role_label"] == "新就业群体劳动者"
    assert body["region"]["code"] == tree["A1a"].code


def test_wrong_password_gets_the_error_shape(client):
    UserFactory(phone="13912345678")

    response = post(client, "/api/v1/auth/login", {"phone": "13912345678", "password": "nope"})

    assert response.status_code == 401
    assert response.json() == {
        "code": "accounts.bad_credentials",
        "message": "手机号或密码不正确。",
        "extra": {},
    }


def test_sms_login_over_http(client, settings):
    settings.SMS_BACKEND = "nuanxin.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()

    sent = post(client, "/api/v1/auth/sms/send", {"phone": "13912345678"})
    code = "".join(c for c in MemorySmsBackend.outbox[-1][1] if c.isdigit())[:6]
    login = post(client, "/api/v1/auth/sms/login", {"phone": "13912345678", "code": code})

    assert sent.status_code == 200
    assert login.status_code == 200
    assert login.json()["created"] is True


def test_me_without_credentials_is_401_with_code(client):
    response = client.get("/api/v1/auth/me")

    assert response.status_code == 401
    assert response.json()["code"] == "auth.unauthenticated"


def test_bad_body_is_a_validation_error_with_code(client):
    response = post(client, "/api/v1/auth/login", {"phone": "13912345678"})

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert response.json()["extra"]["errors"][0]["loc"][-1] == "password"
