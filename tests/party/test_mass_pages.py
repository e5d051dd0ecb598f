"""Staff pages and API for mass organisations (members from the registry, the union fed by
the registry's 工会会员 column), party-work instructors and the edits of an organisation."""

import datetime as dt

import pytest

from nuanxin.core.models import AuditLog
from nuanxin.party import services
from nuanxin.party.models import (
    InstructorAssignment,
    MassMembership,
    MassOrganisation,
    Officer,
    Organisation,
    OrgStatus,
)
from nuanxin.party.selectors.coverage import coverage_rates
from nuanxin.registry.models import Enterprise
from tests.factories import staff
from tests.helpers import send
from tests.party.factories import make_enterprise, org, party_staff
from tests.registry.factories import make_worker

pytestmark = pytest.mark.django_db
D = dt.date


def messages_of(response):
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


@pytest.fixture
def company(tree):
    enterprise = make_enterprise(tree["A1a"], name="甲快递公司")
    workers = [
        make_worker(tree["A1a"], enterprises=[enterprise], union_member=flag)
        for flag in (True, True, False)
    ]
    return enterprise, workers


def test_a_union_is_set_up_from_the_page_and_fed_by_the_registry(client, tree, company):
    enterprise, (u1, u2, other) = company
    client.force_login(party_staff(tree["A"]))
    response = client.post(
        "/party/staff/mass/new/",
        {
            "name": "甲快递公司工会",
            "kind": "union",
            "region": tree["A1a"].code,
            "enterprise": "甲快递公司",
            "founded_on": "2024-01-01",
        },
        follow=True,
    )
    assert messages_of(response)[0][0] == "success"
    body = MassOrganisation.objects.get(name="甲快递公司工会")
    # The enterprise was in the registry before the union was set up (coverage counts from then).
    Enterprise.objects.filter(pk=enterprise.pk).update(
        created_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    )
    assert body.enterprise == enterprise
    assert AuditLog.objects.filter(action="party.mass_organisation_create").count() == 1

    client.post(f"/party/staff/mass/{body.pk}/sync/", {"on": "2024-02-01"})
    members = MassMembership.objects.filter(organisation=body, left_on__isnull=True)
    assert set(members.values_list("worker_id", flat=True)) == {u1.pk, u2.pk}
    # The one not in the union is offered from the enterprise's ledger and can be added.
    page = client.get(f"/party/staff/mass/{body.pk}/")
    assert [w.pk for w in page.context["candidates"]] == [other.pk]
    client.post(f"/party/staff/mass/{body.pk}/members/", {"worker": other.pk, "on": "2024-02-02"})
    listing = client.get("/party/staff/mass/").content.decode()
    assert f'data-mass="{body.pk}"' in listing and '<td class="member-count">3</td>' in listing

    row = members.get(worker=u1)
    client.post(f"/party/staff/mass-member/{row.pk}/leave/", {"on": "2024-03-01"})
    assert members.count() == 2
    client.post(f"/party/staff/mass/{body.pk}/end/", {"on": "2024-04-01"})
    body.refresh_from_db()
    assert body.ended_on == D(2024, 4, 1) and not members.exists()
    _city, (county_a, _b) = coverage_rates(tree.city, on=D(2024, 3, 15))
    assert county_a.mass.get("union") == 1


def test_mass_pages_stay_in_the_callers_area(client, tree):
    other = services.mass_organisation_create(
        actor=None, name="乙区妇联", kind="women", region=tree["B1a"], founded_on=D(2022, 1, 1)
    )
    client.force_login(party_staff(tree["A"]))
    assert f'data-mass="{other.pk}"' not in client.get("/party/staff/mass/").content.decode()
    assert client.get(f"/party/staff/mass/{other.pk}/").status_code == 404
    response = client.post(
        "/party/staff/mass/new/",
        {
            "name": "越界工会",
            "kind": "union",
            "region": tree["B1a"].code,
            "founded_on": "2024-01-01",
        },
        follow=True,
    )
    assert messages_of(response)[0][0] == "error"
    assert not MassOrganisation.objects.filter(name="越界工会").exists()
    client.force_login(staff("county_admin", tree["A"]))
    assert client.get("/party/staff/mass/").status_code == 403


def test_instructors_are_assigned_and_ended_inside_the_area(client, tree, company):
    make_enterprise(tree["B1a"], name="乙区企业")
    client.force_login(party_staff(tree["A"]))
    response = client.post(
        "/party/staff/instructors/new/",
        {"enterprise": "甲快递公司", "name": "李指导", "on": "2024-01-01"}, follow=True,
    )  # fmt: skip
    assert messages_of(response)[0][0] == "success"
    row = InstructorAssignment.objects.get()
    assert f'data-instructor="{row.pk}"' in response.content.decode()
    response = client.post(
        "/party/staff/instructors/new/",
        {"enterprise": "乙区企业", "name": "王指导", "on": "2024-01-01"}, follow=True,
    )  # fmt: skip
    assert messages_of(response)[0][0] == "error"
    assert InstructorAssignment.objects.count() == 1
    client.post(f"/party/staff/instructors/{row.pk}/end/", {"on": "2024-06-01"})
    row.refresh_from_db()
    assert row.ended_on == D(2024, 6, 1)
    assert AuditLog.objects.filter(action="party.instructor_end").count() == 1


def test_an_organisation_is_set_up_given_officers_and_dissolved_from_the_pages(client, tree):
    client.force_login(party_staff(tree["A"]))
    response = client.post(
        "/party/staff/o/new/",
        {
            "name": "A区新支部",
            "kind": "branch",
            "branch_type": "mobile",
            "attachment": "region",
            "region": tree["A1"].code,
            "founded_on": "2024-01-01",
        },
        follow=True,
    )
    assert messages_of(response)[0][0] == "success"
    new = Organisation.objects.get(name="A区新支部")
    client.post(f"/party/staff/o/{new.pk}/officers/", {"post": "secretary", "name": "甲",
                                                       "on": "2024-01-02"})  # fmt: skip
    client.post(f"/party/staff/o/{new.pk}/officers/", {"post": "secretary", "name": "乙",
                                                       "on": "2024-05-01"})  # fmt: skip
    secretaries = Officer.objects.filter(organisation=new, post="secretary")
    assert list(secretaries.filter(ended_on__isnull=True).values_list("name", flat=True)) == ["乙"]
    member = secretaries.get(name="乙")
    client.post(f"/party/staff/officer/{member.pk}/end/", {"on": "2024-06-01"})
    assert not secretaries.filter(ended_on__isnull=True).exists()

    client.post(f"/party/staff/o/{new.pk}/end/", {"status": "dissolved", "on": "2024-07-01"})
    new.refresh_from_db()
    assert (new.status, new.ended_on) == (OrgStatus.DISSOLVED, D(2024, 7, 1))
    page = client.get(f"/party/staff/o/{new.pk}/").content.decode()
    assert "2024-07-01" in page


def test_merging_from_the_page_needs_a_target_in_reach(client, tree):
    a, b = org(tree["A1"], name="甲"), org(tree["B1"], name="乙")
    client.force_login(party_staff(tree["A"]))
    # A target out of reach is refused on the form exactly as a target that does not exist.
    answers = [
        client.post(
            f"/party/staff/o/{a.pk}/end/",
            {"status": "merged", "into": into, "on": "2024-07-01"},
            follow=True,
        )
        for into in (b.pk, 2**31 - 1)
    ]
    out_of_reach, missing = (messages_of(answer) for answer in answers)
    assert out_of_reach == missing and out_of_reach[0][0] == "error"
    a.refresh_from_db()
    assert a.status == OrgStatus.ACTIVE


def test_the_api_for_mass_organisations_and_instructors(client, tree, company):
    enterprise, (u1, _u2, _other) = company
    user = party_staff(tree["A"])
    r = send(client, "post", "/api/v1/party/mass-organisations", user=user, body={
        "name": "甲工会", "kind": "union", "region_code": tree["A1a"].code,
        "founded_on": "2024-01-01", "enterprise_id": enterprise.pk,
    })  # fmt: skip
    assert r.status_code == 201
    mass_id = r.json()["id"]
    r = send(client, "post", f"/api/v1/party/mass-organisations/{mass_id}/union-sync",
             user=user, body={"on": "2024-02-01"})  # fmt: skip
    assert r.json() == {"joined": 2}
    r = send(client, "get", f"/api/v1/party/mass-organisations/{mass_id}/members", user=user)
    assert {m["worker_id"] for m in r.json()} >= {u1.pk}
    body = {"enterprise_id": enterprise.pk, "name": "李指导", "on": "2024-01-01"}
    r = send(client, "post", "/api/v1/party/instructors", user=user, body=body)
    assert r.status_code == 201
    r = send(client, "get", "/api/v1/party/instructors", user=party_staff(tree["B"]))
    assert r.json() == []
    r = send(client, "post", "/api/v1/party/industry-figures", user=user, body={
        "theme": "ecommerce", "scope": "county", "region_code": tree["A"].code,
        "period_start": "2022-01-01", "period_end": "2022-12-31", "sales_yuan": 1380000000,
    })  # fmt: skip
    assert (r.status_code, r.json()["sales_yuan"]) == (201, 1_380_000_000)
    r = send(client, "post", "/api/v1/party/industry-figures", user=user, body={
        "theme": "ecommerce", "scope": "county", "region_code": tree["A"].code,
        "period_start": "2023-01-01", "period_end": "2023-12-31", "sales_yuan": 1.5,
    })  # fmt: skip
    assert r.status_code in (400, 422)
    r = send(client, "get", "/api/v1/party/industry-figures/series?figure=sales_yuan", user=user)
    assert r.json()["series"] == {"A区": {"2022": 1_380_000_000}}
