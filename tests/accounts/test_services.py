import base64
import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from nuanxin.accounts.models import ApiToken, Role, SmsCode, User
from nuanxin.accounts.services import (
    _code_digest,
    sms_code_login,
    sms_code_send,
    token_authenticate,
    token_issue,
    token_revoke,
    user_create,
    user_update,
)
from nuanxin.accounts.sms import MemorySmsBackend
from nuanxin.core.errors import ApplicationError
from nuanxin.core.models import AuditLog
from tests.factories import UserFactory, staff

pytestmark = pytest.mark.django_db(transaction=True)

IP = "203.0.113.7"


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "nuanxin.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


def _sent_code(outbox):
    phone, text = outbox[-1]
    return phone, "".join(ch for ch in text if ch.isdigit())[:6]


@pytest.mark.parametrize(
    "raw", ["138 1234 5678", "138-1234-5678", "+86 13812345678", "１３８１２３４５６７８"]
)
def test_phone_numbers_are_normalised(raw):
    assert user_create(phone=raw).phone == "13812345678"


@pytest.mark.parametrize("raw", ["", "12812345678", "1381234567", "138123456789", "abc"])
def test_invalid_phone_is_refused(raw):
    with pytest.raises(ApplicationError) as error:
        user_create(phone=raw)
    assert error.value.code == "accounts.invalid_phone"
    assert not User.objects.exists()


def test_phone_is_shown_masked():
    assert user_create(phone="13812345678").masked_phone == "138****5678"


def test_staff_role_must_be_bound_to_a_region_of_its_level(tree):
    for role, region in [
        (Role.COMMUNITY_STAFF, None),
        (Role.COMMUNITY_STAFF, tree["A1"]),
        (Role.COUNTY_ADMIN, tree["A1a"]),
    ]:
        with pytest.raises(ApplicationError) as error:
            user_create(phone="13800000001", role=role, region=region)
        assert error.value.code == "accounts.role_region_mismatch"
    assert user_create(phone="13800000001", role=Role.STREET_ADMIN, region=tree["A1"]).is_staff


def test_staff_cannot_create_staff_outside_their_jurisdiction(tree):
    admin = staff(Role.STREET_ADMIN, tree["A1"])

    with pytest.raises(ApplicationError) as error:
        user_create(phone="13800000001", role=Role.COMMUNITY_STAFF, region=tree["B1a"], actor=admin)

    assert error.value.code == "auth.out_of_jurisdiction"
    assert not User.objects.filter(phone="13800000001").exists()


def test_user_update_is_audited_and_scoped(tree):
    admin = staff(Role.COUNTY_ADMIN, tree["A"])
    user = UserFactory(region=tree["A1a"])

    user_update(user=user, actor=admin, role=Role.COMMUNITY_STAFF, region=tree["A1a"])

    row = AuditLog.objects.get(action="user.update")
    assert row.before["role"] == "worker" and row.after["role"] == "community_staff"
    outsider = UserFactory(region=tree["B1a"])
    with pytest.raises(ApplicationError) as error:
        user_update(user=outsider, actor=admin, name="x")
    assert error.value.code == "auth.out_of_jurisdiction"


def test_sms_login_creates_a_worker_on_first_use(outbox):
    sms_code_send(phone="13912345678", client_ip=IP)
    phone, code = _sent_code(outbox)

    user, created = sms_code_login(phone=phone, code=code, client_ip=IP)

    assert created and user.role == Role.WORKER and user.phone == "13912345678"
    assert not user.has_usable_password()


def test_sms_code_works_only_once(outbox):
    sms_code_send(phone="13912345678", client_ip=IP)
    _, code = _sent_code(outbox)
    sms_code_login(phone="13912345678", code=code, client_ip=IP)

    with pytest.raises(ApplicationError) as error:
        sms_code_login(phone="13912345678", code=code, client_ip=IP)
    assert error.value.code == "accounts.bad_sms_code"


def test_sms_code_wrong_tries_are_counted_and_capped(outbox, settings):
    sms_code_send(phone="13912345678", client_ip=IP)
    _, code = _sent_code(outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(settings.SMS_CODE_MAX_ATTEMPTS):
        with pytest.raises(ApplicationError):
            sms_code_login(phone="13912345678", code=wrong, client_ip=IP)

    assert SmsCode.objects.get().attempts == settings.SMS_CODE_MAX_ATTEMPTS
    with pytest.raises(ApplicationError) as error:
        sms_code_login(phone="13912345678", code=code, client_ip=IP)
    assert error.value.code == "accounts.bad_sms_code"
    assert not User.objects.exists()


def test_sms_code_expires(outbox):
    sms_code_send(phone="13912345678", client_ip=IP)
    _, code = _sent_code(outbox)
    SmsCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    with pytest.raises(ApplicationError):
        sms_code_login(phone="13912345678", code=code, client_ip=IP)


def test_sms_codes_are_rate_limited(outbox):
    sms_code_send(phone="13912345678", client_ip=IP)

    with pytest.raises(ApplicationError) as error:
        sms_code_send(phone="13912345678", client_ip=IP)

    assert error.value.code == "accounts.sms_too_soon"
    assert error.value.status == 429
    assert len(outbox) == 1


def test_sms_code_is_stored_only_as_a_keyed_digest(outbox, settings):
    sms_code_send(phone="13912345678", client_ip=IP)
    _, code = _sent_code(outbox)
    stored = SmsCode.objects.get().digest

    assert code not in stored
    # Not the plain SHA-256 of phone and code, which a dump would give up by trying a million
    # codes: a digest under PII_HASH_KEY, so another key gives another digest.
    assert stored != hashlib.sha256(f"13912345678:{code}".encode()).hexdigest()
    settings.PII_KEYS = "k2:" + base64.b64encode(b"k" * 32).decode()
    settings.PII_HASH_KEY = base64.b64encode(b"h" * 32).decode()
    assert _code_digest("13912345678", code) != stored


def test_tokens_are_stored_hashed_and_expire():
    user = UserFactory()
    secret, token = token_issue(user=user, ttl_days=1)

    assert secret not in token.digest and token.digest not in secret
    assert token_authenticate(secret) == user
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert token_authenticate(secret) is None


def test_revoked_token_and_inactive_user_are_refused():
    user = UserFactory()
    secret, token = token_issue(user=user)
    token_revoke(token=token, actor=user)
    assert token_authenticate(secret) is None

    secret2, _ = token_issue(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert token_authenticate(secret2) is None
    assert token_authenticate("nx_made_up") is None
    assert token_authenticate("") is None


def test_sms_login_tries_go_to_the_login_history(outbox):
    from nuanxin.accounts.models import LoginEvent

    phone = "13912340002"
    sms_code_send(phone=phone, client_ip=IP)
    with pytest.raises(ApplicationError):
        sms_code_login(phone=phone, code="000000", client_ip=IP)
    user, created = sms_code_login(phone=phone, code=_sent_code(outbox)[1], client_ip=IP)

    assert created
    assert list(LoginEvent.objects.order_by("pk").values_list("user", "method", "succeeded")) == [
        (None, "sms", False),
        (user.pk, "sms", True),
    ]
