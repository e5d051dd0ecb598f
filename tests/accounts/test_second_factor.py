"""Two-step login for staff: who needs it, enrolment, the verification step, backup codes, the
gate in front of pages and API operations, admin resets, API logins and tokens."""

import json
import re

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from nuanxin.accounts.models import LoginEvent, Role
from nuanxin.accounts.second_factor import (
    second_factor_required,
    second_factor_reset,
    totp_enrol_start,
)
from nuanxin.accounts.services import token_issue
from nuanxin.core.models import AuditLog
from nuanxin.party.services import party_work_grant
from tests.factories import TEST_PASSWORD, UserFactory, staff
from tests.helpers import Clock, authenticator_of, error_code, totp_code

pytestmark = pytest.mark.django_db

NEEDS_SECOND_FACTOR = {
    Role.WORKER: False,
    Role.ENTERPRISE_LIAISON: False,
    Role.STATION_KEEPER: True,
    Role.COMMUNITY_STAFF: True,
    Role.STREET_ADMIN: True,
    Role.COUNTY_ADMIN: True,
    Role.CITY_ADMIN: True,
}
REGION_OF_ROLE = {
    Role.COMMUNITY_STAFF: "A1a",
    Role.STREET_ADMIN: "A1",
    Role.COUNTY_ADMIN: "A",
    Role.CITY_ADMIN: "city",
    Role.STATION_KEEPER: "A1a",
    Role.WORKER: "A1a",
}


def _user(tree, role: str, **fields):
    region = REGION_OF_ROLE.get(role)
    return UserFactory(role=role, region=tree[region] if region else None, **fields)


def test_every_role_is_ruled_on():
    assert set(NEEDS_SECOND_FACTOR) == set(Role.values)


@pytest.mark.parametrize(("role", "needed"), NEEDS_SECOND_FACTOR.items())
def test_the_rule_for_each_role(tree, role, needed):
    assert second_factor_required(_user(tree, role)) is needed


def test_superusers_and_party_work_staff_need_it_and_visitors_do_not(tree):
    from django.contrib.auth.models import AnonymousUser

    party_staff = party_work_grant(actor=None, user=staff(Role.COUNTY_ADMIN, tree["A"]))

    assert second_factor_required(UserFactory(is_superuser=True))
    assert second_factor_required(party_staff)
    assert not second_factor_required(AnonymousUser())


# The gate -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/admin/", "/reports/queue/", "/registry/", "/", "/accounts/profile/"]
)
def test_an_unverified_staff_session_is_sent_to_the_second_step(tree, path):
    client = Client()
    client.one_factor_login(staff(Role.COMMUNITY_STAFF, tree["A1a"]))

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/second-factor/?next=")


def test_an_unverified_staff_session_cannot_post_or_call_the_api(tree):
    client = Client()
    client.one_factor_login(staff(Role.COUNTY_ADMIN, tree["A"]))

    api = client.get("/api/v1/auth/me")
    page = client.post("/reports/queue/1/accept/", {"note": ""})

    assert api.status_code == 403
    assert json.loads(api.content)["code"] == "auth.second_factor_required"
    assert page.status_code == 403
    assert 'data-code="auth.second_factor_required"' in page.content.decode()


def test_the_verification_page_explains_in_chinese(tree):
    user = staff(Role.COUNTY_ADMIN, tree["A"])
    authenticator_of(user)
    client = Client()
    client.one_factor_login(user)

    html = client.get("/accounts/second-factor/").content.decode()

    assert "两步验证" in html and 'data-code="auth.second_factor_required"' in html


@pytest.mark.parametrize("role", [Role.WORKER, Role.ENTERPRISE_LIAISON])
def test_roles_without_the_requirement_pass_the_gate(tree, role):
    client = Client()
    client.one_factor_login(_user(tree, role))

    assert client.get("/accounts/profile/").status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 200


# Logging in on the web ------------------------------------------------------------------


def _password_login(client: Client, phone: str, next_url: str = "/admin/"):
    return client.post(
        f"/accounts/login/?next={next_url}",
        {"mode": "password", "phone": phone, "password": TEST_PASSWORD},
    )


def test_first_login_enrols_an_authenticator_and_hands_out_backup_codes(tree):
    user = staff(Role.STREET_ADMIN, tree["A1"], phone="13700000011")
    client = Client()

    login = _password_login(client, user.phone)
    assert login.status_code == 302 and login["Location"].startswith("/accounts/second-factor/")
    to_setup = client.get(login["Location"])
    assert to_setup["Location"].startswith("/accounts/second-factor/setup/")
    setup = client.get(to_setup["Location"]).content.decode()
    assert 'src="data:image/png;base64,' in setup
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    shown = re.search(r"data-secret>([A-Z2-7 ]+)<", setup).group(1).replace(" ", "")
    import base64

    assert base64.b32decode(shown + "=" * (-len(shown) % 8)) == device.bin_key

    wrong = client.post("/accounts/second-factor/setup/?next=/admin/", {"code": "000000"})
    assert wrong.status_code == 400 and "accounts.bad_second_factor" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302

    from django_otp.oath import TOTP

    code = f"{TOTP(device.bin_key).token():06d}"
    done = client.post("/accounts/second-factor/setup/?next=/admin/", {"code": code})
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())

    assert done.status_code == 200 and len(codes) == 10
    assert client.get("/admin/").status_code == 200
    assert TOTPDevice.objects.get(user=user).confirmed
    assert AuditLog.objects.filter(action="second_factor.enrol", actor=user).count() == 1


def test_the_second_step_slows_down_after_a_wrong_code_then_accepts_and_logs_it(tree, monkeypatch):
    user = staff(Role.CITY_ADMIN, tree["city"], phone="13700000012")
    code = totp_code(user)
    client = Client()
    _password_login(client, user.phone)
    clock = Clock(monkeypatch, timezone.now())

    bad = client.post("/accounts/second-factor/?next=/admin/", {"code": "123456"})
    too_soon = client.post("/accounts/second-factor/?next=/admin/", {"code": code})
    clock.advance(seconds=2)
    good = client.post("/accounts/second-factor/?next=/admin/", {"code": code})

    assert bad.status_code == 401 and "accounts.bad_second_factor" in bad.content.decode()
    assert too_soon.status_code == 401
    assert good.status_code == 302 and good["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    steps = list(
        LoginEvent.objects.filter(user=user).order_by("pk").values_list("method", "succeeded")
    )
    assert steps == [("password", True), ("totp", False), ("totp", False), ("totp", True)]


def test_a_code_works_once(tree):
    user = staff(Role.CITY_ADMIN, tree["city"])
    code = totp_code(user)
    first, second = Client(), Client()
    for client in (first, second):
        client.one_factor_login(user)

    assert first.post("/accounts/second-factor/", {"code": code}).status_code == 302
    assert second.post("/accounts/second-factor/", {"code": code}).status_code == 401


def test_a_backup_code_stands_in_once(tree):
    user = staff(Role.COUNTY_ADMIN, tree["A"])
    totp_enrol_start(user=user)
    from nuanxin.accounts.second_factor import totp_enrol_confirm

    device = TOTPDevice.objects.get(user=user)
    from django_otp.oath import TOTP

    _device, codes = totp_enrol_confirm(user=user, code=f"{TOTP(device.bin_key).token():06d}")
    first, second = Client(), Client()
    for client in (first, second):
        client.one_factor_login(user)

    assert first.post("/accounts/second-factor/", {"code": codes[0]}).status_code == 302
    assert second.post("/accounts/second-factor/", {"code": codes[0]}).status_code == 401
    assert StaticToken.objects.filter(device__user=user).count() == 9
    assert LoginEvent.objects.filter(user=user, method="backup_code", succeeded=True).count() == 1


def test_regenerating_backup_codes_voids_the_old_ones(tree):
    user = staff(Role.COUNTY_ADMIN, tree["A"])
    authenticator_of(user)
    StaticDevice.objects.create(user=user, name="backup").token_set.create(token="oldcode1")
    client = Client()
    client.force_login(user)

    page = client.post("/accounts/second-factor/backup-codes/").content.decode()

    assert len(re.findall(r"<li><code>(\w+)</code></li>", page)) == 10
    assert not StaticToken.objects.filter(token="oldcode1").exists()


def test_an_enrolled_user_cannot_swap_in_another_authenticator(tree):
    user = staff(Role.COUNTY_ADMIN, tree["A"])
    authenticator_of(user)

    assert error_code(lambda: totp_enrol_start(user=user)) == "accounts.second_factor_enrolled"


# Resets ---------------------------------------------------------------------------------


def test_a_county_admin_resets_a_lost_phone_in_their_county_with_audit(tree):
    county = staff(Role.COUNTY_ADMIN, tree["A"])
    member = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    authenticator_of(member)

    assert second_factor_reset(user=member, actor=county) == 1
    assert not TOTPDevice.objects.filter(user=member).exists()
    row = AuditLog.objects.get(action="second_factor.reset")
    assert row.actor == county and row.before == {"devices": 1}


def test_resets_outside_the_jurisdiction_or_of_oneself_look_like_a_missing_user(tree):
    county_a = staff(Role.COUNTY_ADMIN, tree["A"])
    member_b = staff(Role.COMMUNITY_STAFF, tree["B1a"])
    authenticator_of(member_b)
    authenticator_of(county_a)

    assert error_code(lambda: second_factor_reset(user=member_b, actor=county_a)) == (
        "accounts.user_not_found"
    )
    assert error_code(lambda: second_factor_reset(user=county_a, actor=county_a)) == (
        "accounts.user_not_found"
    )
    assert TOTPDevice.objects.count() == 2


def test_the_admin_action_resets_and_the_user_enrols_again(tree):
    admin = staff(Role.CITY_ADMIN, tree["city"])
    member = staff(Role.COMMUNITY_STAFF, tree["A1a"], phone="13700000013")
    authenticator_of(member)
    client = Client()
    client.force_login(admin)

    client.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [member.pk]},
    )
    login = Client()
    _password_login(login, member.phone)

    assert not TOTPDevice.objects.filter(user=member, confirmed=True).exists()
    assert login.get("/accounts/second-factor/")["Location"].startswith(
        "/accounts/second-factor/setup/"
    )


# The API --------------------------------------------------------------------------------


def _api_login(client: Client, phone: str, **extra: str):
    body = {"phone": phone, "password": TEST_PASSWORD, **extra}
    return client.post("/api/v1/auth/login", json.dumps(body), content_type="application/json")


def test_an_api_login_of_staff_needs_the_code_and_its_token_then_works(tree, monkeypatch):
    user = staff(Role.COUNTY_ADMIN, tree["A"], phone="13700000014")
    client = Client()
    clock = Clock(monkeypatch, timezone.now())

    without_device = _api_login(client, user.phone)
    authenticator_of(user)
    without_code = _api_login(client, user.phone)
    wrong = _api_login(client, user.phone, otp="000000")
    clock.advance(seconds=2)
    right = _api_login(client, user.phone, otp=totp_code(user))

    assert without_device.status_code == 403
    assert json.loads(without_device.content)["extra"] == {"enrolled": False}
    assert without_code.status_code == 401
    assert json.loads(without_code.content)["code"] == "auth.second_factor_required"
    assert json.loads(wrong.content)["code"] == "accounts.bad_second_factor"
    token = json.loads(right.content)["token"]
    me = Client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200


def test_a_token_issued_without_the_second_factor_does_not_act_for_staff(tree):
    user = staff(Role.COUNTY_ADMIN, tree["A"])
    secret, _token = token_issue(user=user)

    me = Client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"})

    assert me.status_code == 403
    assert json.loads(me.content)["code"] == "auth.second_factor_required"


def test_workers_log_in_to_the_api_with_one_factor(tree):
    worker = _user(tree, Role.WORKER, phone="13700000015")

    assert _api_login(Client(), worker.phone).status_code == 200
