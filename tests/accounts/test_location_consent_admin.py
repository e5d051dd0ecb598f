"""Consent to location use in the admin: listed for the staff of the worker's region only, and
read-only, because only the worker gives or withdraws it (``location_consent_give`` /
``location_consent_withdraw``)."""

import pytest

from nuanxin.accounts.models import LocationConsent, Role
from nuanxin.accounts.services import location_consent_withdraw
from tests.factories import UserFactory, staff
from tests.helpers import give_location_consent

pytestmark = pytest.mark.django_db

LIST = "/admin/accounts/locationconsent/"


@pytest.fixture
def consents(tree):
    """One worker in county A who consented, one in county B who consented and withdrew."""
    inside = UserFactory(phone="13911110001", name="甲区骑手", region=tree["A1a"])
    outside = UserFactory(phone="13911110002", name="乙区骑手", region=tree["B1a"])
    give_location_consent(inside)
    give_location_consent(outside)
    location_consent_withdraw(user=outside)
    return {
        "inside": LocationConsent.objects.get(user=inside),
        "outside": LocationConsent.objects.get(user=outside),
    }


def test_a_city_admin_sees_every_consent_with_its_state_and_masked_phones(client, tree, consents):
    client.force_login(staff(Role.CITY_ADMIN, tree.city))

    index = client.get("/admin/").content.decode()
    html = client.get(LIST).content.decode()

    assert "位置信息使用同意" in index and LIST in index
    assert "甲区骑手" in html and "乙区骑手" in html
    assert "已同意" in html and "已撤回" in html
    assert "139****0001" in html and "13911110001" not in html


def test_a_county_admin_sees_only_the_consents_of_their_county(client, tree, consents):
    client.force_login(staff(Role.COUNTY_ADMIN, tree["A"]))

    html = client.get(LIST).content.decode()
    own = client.get(f"{LIST}{consents['inside'].pk}/change/")
    other = client.get(f"{LIST}{consents['outside'].pk}/change/")

    assert "甲区骑手" in html and "乙区骑手" not in html
    assert own.status_code == 200
    assert other.status_code == 302  # the admin answers an object out of scope like a missing one


def test_a_worker_does_not_see_the_consents(client, consents):
    client.force_login(consents["inside"].user)

    assert client.get(LIST).status_code == 302


def test_no_one_adds_changes_or_deletes_a_consent_in_the_admin(client, tree, consents):
    """Consent is the worker's own act: the record changes only through the worker's give and
    withdraw, so the admin shows it and offers no way to write it, even to a superuser."""
    consent = consents["inside"]
    superuser = UserFactory(phone="13911110009", is_superuser=True, role=Role.CITY_ADMIN)
    client.force_login(superuser)
    url = f"{LIST}{consent.pk}/change/"

    page = client.get(url).content.decode()
    posted = client.post(url, {"withdrawn_at_0": "2026-12-01", "withdrawn_at_1": "10:00:00"})
    added = client.get(f"{LIST}add/")
    deleted = client.post(f"{LIST}{consent.pk}/delete/", {"post": "yes"})

    assert "说明内容" in page and consent.notice_text in page
    assert 'name="_save"' not in page and 'name="withdrawn_at_0"' not in page
    assert posted.status_code == 403 and added.status_code == 403
    assert deleted.status_code == 403
    consent.refresh_from_db()
    assert consent.is_given and LocationConsent.objects.count() == 2
