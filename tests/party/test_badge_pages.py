"""The badge is the only sign of membership other pages show: next to a report on the review
page once the member chose to show it, and gone when withdrawn."""

import datetime as dt

import pytest
from django.urls import reverse

from nuanxin.party import services
from tests.party.factories import member, org, worker_account
from tests.reports.factories import community_staff, submitted

pytestmark = pytest.mark.django_db
BADGE = 'class="badge badge-pioneer"'


def test_the_review_page_shows_the_badge_only_while_the_member_shows_it(client, tree):
    user = worker_account(tree["A1a"])
    services.membership_join(
        actor=None, worker=member(tree["A1a"], user=user), organisation=org(tree["A1"]),
        kind="formal", joined_on=dt.date(2021, 1, 1),
    )  # fmt: skip
    report = submitted(tree, reporter=user)
    client.force_login(community_staff(tree, "A1a"))
    url = reverse("reports:staff_detail", args=[report.pk])

    assert BADGE not in client.get(url).content.decode()
    services.badge_set(user=user, shown=True)
    page = client.get(url).content.decode()
    assert BADGE in page and "先锋" in page
    services.badge_set(user=user, shown=False)
    assert BADGE not in client.get(url).content.decode()
