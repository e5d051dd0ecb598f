"""A worker's consent to location use: given and withdrawn through the services (audited),
shown and changed on the profile page, in the personal-data export, gone after erasure."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from nuanxin.accounts.consent import LOCATION_NOTICE_VERSION, location_consent_of
from nuanxin.accounts.models import LocationConsent, User
from nuanxin.accounts.services import location_consent_give, location_consent_withdraw
from nuanxin.core.models import AuditLog
from nuanxin.core.personal import personal_erase
from tests.helpers import give_location_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker():
    return User.objects.create_user("13800000071", name="李四")


def _audit(action: str) -> list[AuditLog]:
    return list(AuditLog.objects.filter(action=action).order_by("pk"))


def test_give__records_the_notice_and_is_audited_once(worker):
    assert location_consent_of(worker) is None

    consent = location_consent_give(user=worker)
    again = location_consent_give(user=worker)

    assert again.pk == consent.pk and consent.is_given
    assert consent.notice_version == LOCATION_NOTICE_VERSION
    assert "比较" in consent.notice_text
    [row] = _audit("location_consent.give")
    assert row.actor_id == worker.pk and row.object_id == str(consent.pk)
    assert row.after == {"given": True, "notice_version": LOCATION_NOTICE_VERSION}


def test_withdraw__ends_the_consent_and_giving_again_renews_it(worker):
    assert location_consent_withdraw(user=worker) is None
    assert not _audit("location_consent.withdraw")
    give_location_consent(worker)

    withdrawn = location_consent_withdraw(user=worker)
    location_consent_withdraw(user=worker)

    assert withdrawn.withdrawn_at is not None and not withdrawn.is_given
    assert not location_consent_of(worker).is_given
    [row] = _audit("location_consent.withdraw")
    assert row.before == {"given": True} and row.after == {"given": False}
    renewed = location_consent_give(user=worker)
    assert renewed.is_given and renewed.given_at >= withdrawn.withdrawn_at
    assert len(_audit("location_consent.give")) == 2
    assert LocationConsent.objects.filter(user=worker).count() == 1


def test_profile__shows_not_given_then_gives_and_withdraws(client, worker):
    client.force_login(worker)
    html = client.get("/accounts/profile/").content.decode()
    assert 'data-location-consent="none"' in html and "未同意" in html
    assert "不保存" in html

    response = client.post(
        "/accounts/profile/location-consent/", {"action": "give", "next": "/accounts/profile/"}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    consent = location_consent_of(worker)
    assert consent.is_given
    html = client.get("/accounts/profile/").content.decode()
    assert 'data-location-consent="given"' in html
    assert f"已于 {timezone.localtime(consent.given_at):%Y-%m-%d} 同意" in html
    assert 'value="withdraw"' in html

    client.post("/accounts/profile/location-consent/", {"action": "withdraw"})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    html = client.get("/accounts/profile/").content.decode()
    assert 'data-location-consent="withdrawn"' in html
    assert f"已于 {timezone.localtime(consent.withdrawn_at):%Y-%m-%d} 撤回" in html
    assert [r.action for r in AuditLog.objects.filter(object_type="accounts.locationconsent")
            .order_by("pk")] == ["location_consent.give", "location_consent.withdraw"]  # fmt: skip


def test_endpoint__answers_a_script_in_json_and_needs_post_and_csrf(client, worker):
    client.force_login(worker)
    assert client.get("/accounts/profile/location-consent/").status_code == 405
    response = client.post(
        "/accounts/profile/location-consent/", {"action": "give"}, HTTP_ACCEPT="application/json"
    )
    assert response.json() == {"given": True}

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(worker)
    refused = strict.post("/accounts/profile/location-consent/", {"action": "withdraw"})
    assert refused.status_code == 403
    assert location_consent_of(worker).is_given


def test_endpoint__an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.post("/accounts/profile/location-consent/", {"action": "give"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not LocationConsent.objects.exists()


def test_export_holds_the_consent_and_erase_removes_it(client, worker):
    consent = give_location_consent(worker)
    client.force_login(worker)

    data = json.loads(client.get("/accounts/profile/my-data.json").content)["tables"]

    [row] = data["location_consent"]["rows"]
    assert row["notice_version"] == consent.notice_version
    assert row["notice_text"] == consent.notice_text
    assert row["given_at"] and row["withdrawn_at"] is None

    forgotten = personal_erase(user=worker, actor=worker)

    assert forgotten["accounts"] >= 2
    assert not LocationConsent.objects.filter(user_id=worker.pk).exists()
