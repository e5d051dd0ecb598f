"""The demo city's registry matches the article's figures."""

import pytest

from nuanxin.accounts.models import Role, User
from nuanxin.demo import registry as demo_registry
from nuanxin.registry.models import (
    PARTY_STATUSES,
    Enterprise,
    Registration,
    SurveyCampaign,
    Worker,
)
from nuanxin.registry.selectors import counts_for


@pytest.mark.django_db
def test_demo__figures_of_the_article(demo_city):
    from nuanxin.geo.models import Region

    city = Region.objects.get(code="440800")
    counts = counts_for([city])[city.pk]

    assert Enterprise.objects.count() == 213 and counts.enterprises == 213
    assert counts.workers >= 20_000
    assert counts.party_members == 165
    assert counts.registered_enterprises == 53
    assert 380 <= counts.registered_workers <= 420


@pytest.mark.django_db
def test_demo__the_didi_mobile_branch_has_27_party_members_in_shawan(demo_city):
    drivers = Worker.objects.filter(
        enterprises__platform_brand="滴滴",
        political_status__in=PARTY_STATUSES,
        work_region__parent__name="沙湾街道",
        work_region__parent__parent__name="赤坎区",
    ).distinct()

    assert drivers.count() == 27


@pytest.mark.django_db
def test_demo__worker_accounts_are_linked_and_no_accounts_were_made(demo_city):
    accounts = User.objects.filter(role=Role.WORKER)

    assert User.objects.count() < 1000
    assert all(Worker.objects.filter(user=user, phone=user.phone).exists() for user in accounts)


@pytest.mark.django_db
def test_demo__the_campaign_found_enterprises_and_members(demo_city):
    campaign = SurveyCampaign.objects.get(name=demo_registry.CAMPAIGN_NAME)
    before = sum(v["enterprises"] for v in campaign.baseline.values())
    after = sum(v["enterprises"] for v in campaign.final.values())

    assert campaign.is_closed
    assert after - before == demo_registry.FOUND_BY_CAMPAIGN
    assert campaign.findings.filter(kind="member", outcome="updated").count() == (
        demo_registry.REVEALED_MEMBERS
    )
    assert campaign.findings.filter(kind="organisation").count() == 5


@pytest.mark.django_db
def test_demo__staff_have_something_to_review_and_the_liaison_an_enterprise(
    demo_city,
):
    pending = Registration.objects.filter(status="submitted", community__name="海盛社区")
    liaison = User.objects.get(role=Role.ENTERPRISE_LIAISON)

    assert pending.count() >= 4
    assert liaison.liaison_enterprises.exists()
    assert set(liaison.liaison_enterprises.values_list("platform_brand", flat=True)) == {"美团"}
