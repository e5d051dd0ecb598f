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


def test_a_token_is_audited_when_issued_and_revoked_by_logging_out(client, tree):
    from nuanxin.accounts.models import ApiToken
    from nuanxin.core.models import AuditLog
    from tests.factories import TEST_PASSWORD, UserFactory

    user = UserFactory(phone="13912340001", region=tree["A1a"])
    token = post(client, "/api/v1/auth/login", {"phone": user.phone, "password": TEST_PASSWORD})
    bearer = {"Authorization": f"Bearer {token.json()['token']}"}

    out = client.post("/api/v1/auth/logout", headers=bearer)
    again = client.get("/api/v1/auth/me", headers=bearer)

    assert out.json() == {"revoked": True}
    assert again.status_code == 401
    actions = list(
        AuditLog.objects.filter(actor=user).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["token.issue", "token.revoke"]
    assert ApiToken.objects.get(user=user).revoked_at is not None
    assert token.json()["token"] not in str(list(AuditLog.objects.values("before", "after")))
