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


@pytest.mark.django_db
def test_demo__every_drill_down_table_adds_up_to_its_total(demo_city, monkeypatch):
    """Every region's rows (its children, and the records on the region itself) sum to the
    region's total, in every region of the demo that has children."""
    import functools

    from nuanxin.geo.models import Region
    from nuanxin.registry import selectors

    # The per-region figures are the same for every table; read them once.
    monkeypatch.setattr(
        selectors, "_counts_by_region_id", functools.cache(selectors._counts_by_region_id)
    )
    parents = Region.objects.filter(children__isnull=False).distinct()
    checked = 0
    for parent in parents:
        totals, rows = selectors.counts_by_child(parent)
        summed = selectors.RegionCounts()
        for row in rows:
            summed.add(row.counts)
        assert summed == totals, parent.name
        checked += 1
    assert checked > 100


@pytest.mark.django_db
def test_demo__haisheng_table_on_the_page_adds_up(demo_city, client):
    import re

    from nuanxin.geo.models import Region

    staff = User.objects.get(role=Role.COMMUNITY_STAFF, name="海盛社区工作人员")
    client.force_login(staff)
    community = Region.objects.get(name="海盛社区")

    html = client.get("/registry/", {"region": community.code}).content.decode()

    table = re.search(r'<table class="list" id="count-table">(.*?)</table>', html, re.S)[1]
    rows = [
        [int(n) for n in re.findall(r'<td class="num">(?:<a[^>]*>)?(\d+)', tr)]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
        if "<td" in tr
    ]
    *body, total = rows
    assert any(total) and "未分网格" in html
    assert [sum(column) for column in zip(*body, strict=True)] == total
