"""The party admin: party-work staff only, inside their area; new organisations go through
the service (with its audit row)."""

import datetime as dt

import pytest

from nuanxin.core.models import AuditLog
from nuanxin.party import services
from nuanxin.party.models import Organisation
from tests.factories import staff
from tests.party.factories import org, party_staff

pytestmark = pytest.mark.django_db


def test_only_party_staff_see_their_area(client, tree):
    org(tree["A1"], name="甲支部")
    org(tree["B1"], name="乙支部")
    client.force_login(party_staff(tree["A"]))
    page = client.get("/admin/party/organisation/").content.decode()
    assert "甲支部" in page and "乙支部" not in page
    client.force_login(staff("county_admin", tree["A"]))
    assert client.get("/admin/party/organisation/").status_code == 403


def test_adding_an_organisation_goes_through_the_service(client, tree):
    client.force_login(party_staff(tree["A"]))
    response = client.post(
        "/admin/party/organisation/add/",
        {
            "name": "甲区新支部",
            "kind": "branch",
            "branch_type": "mobile",
            "attachment": "region",
            "region": tree["A1"].pk,
            "founded_on": "2024-05-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Organisation.objects.get(name="甲区新支部")
    assert AuditLog.objects.filter(action="party.organisation_create", object_id=str(created.pk))
    assert created.status_changes.count() == 1


def test_an_organisation_outside_the_area_is_refused_in_the_admin(client, tree):
    client.force_login(party_staff(tree["A"]))
    response = client.post(
        "/admin/party/organisation/add/",
        {
            "name": "越界支部",
            "kind": "branch",
            "branch_type": "regular",
            "attachment": "region",
            "region": tree["B1"].pk,
            "founded_on": "2024-05-01",
        },
    )
    assert response.status_code == 200
    assert not Organisation.objects.filter(name="越界支部").exists()


def test_the_records_of_an_organisation_are_listed_read_only_for_its_area(client, tree):
    ours, theirs = org(tree["A1"], name="甲支部"), org(tree["B1"], name="乙支部")
    for branch, name in ((ours, "甲书记"), (theirs, "乙书记")):
        services.officer_appoint(
            actor=None, organisation=branch, post="secretary", name=name, on=dt.date(2021, 1, 1)
        )
    other = services.officer_appoint(
        actor=None, organisation=theirs, post="deputy", name="乙副书记", on=dt.date(2021, 1, 1)
    )
    client.force_login(party_staff(tree["A"]))

    officers = client.get("/admin/party/officer/").content.decode()
    changes = client.get("/admin/party/orgstatuschange/").content.decode()

    assert "甲书记" in officers and "乙书记" not in officers
    assert "甲支部" in changes and "乙支部" not in changes
    assert client.get(f"/admin/party/officer/{other.pk}/change/").status_code in (302, 404)
    mine = ours.officers.get()
    form = client.get(f"/admin/party/officer/{mine.pk}/change/").content.decode()
    assert "甲书记" in form and 'name="name"' not in form  # shown, not editable
    for path in ("attendance", "badge", "industryfigure", "massmembership"):
        assert client.get(f"/admin/party/{path}/").status_code == 200, path
    client.force_login(staff("county_admin", tree["A"]))  # no party work
    assert client.get("/admin/party/officer/").status_code == 403
