"""Staff sessions expire when idle, passwords follow the policy and are hashed with Argon2
(older PBKDF2 hashes upgrade at login), and every login step lands in the user's history."""

import json

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from nuanxin.accounts.models import LoginEvent, Role, User
from nuanxin.accounts.services import user_create
from tests.factories import TEST_PASSWORD, UserFactory, staff
from tests.helpers import error_code

pytestmark = pytest.mark.django_db

PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]


def test_a_staff_session_lasts_only_the_idle_time_and_a_worker_keeps_the_long_one(tree, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    county, worker = Client(), Client()
    county.force_login(staff(Role.COUNTY_ADMIN, tree["A"]))
    worker.force_login(UserFactory(role=Role.WORKER, region=tree["A1a"]))

    county.get("/accounts/profile/")
    worker.get("/accounts/profile/")

    assert county.session.get_expiry_age() == 30 * 60
    assert worker.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_COOKIE_AGE >= 7 * 24 * 3600


def test_an_idle_staff_session_is_gone_and_the_next_request_must_log_in(tree, settings):
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = Client()
    client.force_login(staff(Role.COUNTY_ADMIN, tree["A"]))
    assert client.get("/accounts/profile/").status_code == 200
    key = client.session.session_key
    # 31 minutes later: what the session store holds has expired.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1)
    )

    response = client.get("/accounts/profile/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "password", ["short-1", "1234567890123", "password123", "13912345678"], ids=str
)
def test_weak_passwords_are_refused(tree, password):
    code = error_code(lambda: user_create(phone="13912345678", password=password))

    assert code == "accounts.weak_password"
    assert not User.objects.filter(phone="13912345678").exists()


def test_new_passwords_are_hashed_with_argon2(tree, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS

    user = user_create(phone="13912345679", password=TEST_PASSWORD)

    assert user.password.startswith("argon2$")


def test_an_old_pbkdf2_hash_still_logs_in_and_is_upgraded_to_argon2(tree, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    user = UserFactory(role=Role.WORKER)
    User.objects.filter(pk=user.pk).update(
        password=make_password(TEST_PASSWORD, hasher="pbkdf2_sha256")
    )

    response = Client().post(
        "/api/v1/auth/login",
        json.dumps({"phone": user.phone, "password": TEST_PASSWORD}),
        content_type="application/json",
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


def test_login_steps_go_to_the_history_with_address_and_browser(tree):
    user = UserFactory(role=Role.WORKER, phone="13912340001")
    client = Client(HTTP_USER_AGENT="TestPhone/1.0", REMOTE_ADDR="203.0.113.9")
    form = {"mode": "password", "phone": user.phone}

    client.post("/accounts/login/", {**form, "password": "wrong-password"})
    client.post("/accounts/login/", {**form, "password": TEST_PASSWORD})

    rows = list(LoginEvent.objects.filter(user=user).order_by("pk"))
    assert [(r.method, r.succeeded, r.reason) for r in rows] == [
        ("password", False, "accounts.bad_credentials"),
        ("password", True, ""),
    ]
    assert {r.client_ip for r in rows} == {"203.0.113.9"}
    assert {r.user_agent for r in rows} == {"TestPhone/1.0"}


def test_the_profile_shows_my_logins_and_only_mine(tree):
    me = UserFactory(role=Role.WORKER, phone="13912340003")
    other = UserFactory(role=Role.WORKER, phone="13912340004")
    Client(REMOTE_ADDR="198.51.100.7").post(
        "/accounts/login/", {"mode": "password", "phone": other.phone, "password": "nope-nope"}
    )
    client = Client(REMOTE_ADDR="198.51.100.8")
    client.post(
        "/accounts/login/", {"mode": "password", "phone": me.phone, "password": TEST_PASSWORD}
    )

    html = client.get("/accounts/profile/").content.decode()

    assert 'data-login-event="password-ok"' in html and "198.51.100.8" in html
    assert "198.51.100.7" not in html


def test_admins_see_the_login_history_of_their_jurisdiction_only(tree):
    inside = staff(Role.COMMUNITY_STAFF, tree["A1a"], phone="13912340005")
    outside = staff(Role.COMMUNITY_STAFF, tree["B1a"], phone="13912340006")
    for user in (inside, outside):
        LoginEvent.objects.create(user=user, method="password", succeeded=True)
    client = Client()
    client.force_login(staff(Role.COUNTY_ADMIN, tree["A"]))

    listing = client.get("/admin/accounts/loginevent/").content.decode()

    assert str(inside) in listing and str(outside) not in listing
