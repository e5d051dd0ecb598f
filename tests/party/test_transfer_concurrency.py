"""Transfers racing each other and retried: never two open memberships (real commits)."""

import datetime as dt

import pytest

from nuanxin.party import services
from nuanxin.party.models import Membership
from tests.helpers import race
from tests.party.factories import member, org

pytestmark = pytest.mark.django_db(transaction=True)


def test_eight_transfers_of_one_member_at_once_leave_one_open_membership(tree):
    start = org(tree["A1"])
    targets = [org(tree["A2"]) for _ in range(8)]
    worker = member(tree["A1a"])
    first = services.membership_join(
        actor=None, worker=worker, organisation=start, kind="formal", joined_on=dt.date(2021, 1, 1)
    )

    results = race([
        lambda t=t: services.membership_transfer(
            actor=None, membership=first, to_organisation=t, on=dt.date(2023, 1, 1)
        )
        for t in targets
    ])  # fmt: skip

    assert sum(isinstance(r, Membership) for r in results) == 1
    assert results.count("party.membership_closed") == 7
    rows = Membership.objects.filter(worker=worker)
    assert rows.count() == 2
    assert rows.filter(left_on__isnull=True).count() == 1


def test_joins_racing_for_one_person_open_one_membership(tree):
    orgs = [org(tree["A1"]) for _ in range(6)]
    worker = member(tree["A1a"])

    results = race([
        lambda o=o: services.membership_join(
            actor=None, worker=worker, organisation=o, kind="formal", joined_on=dt.date(2021, 1, 1)
        )
        for o in orgs
    ])  # fmt: skip

    assert sum(isinstance(r, Membership) for r in results) == 1
    assert results.count("party.already_member") == 5
    assert Membership.objects.filter(worker=worker).count() == 1
