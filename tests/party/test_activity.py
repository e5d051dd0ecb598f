"""What badge-holders and grid members do, counted per branch and per grid member."""

import datetime as dt

import pytest

from nuanxin.party import services
from nuanxin.party.selectors.staff import grid_members_for, organisation_tree
from nuanxin.reports.services import report_accept
from tests.party.factories import member, org, party_staff, worker_account
from tests.reports.factories import community_staff, submitted
from tests.volunteering.factories import fund

pytestmark = pytest.mark.django_db


def _member(tree, branch):
    user = worker_account(tree["A1a"])
    services.membership_join(
        actor=None, worker=member(tree["A1a"], user=user), organisation=branch, kind="formal",
        joined_on=dt.date(2021, 1, 1),
    )  # fmt: skip
    return user


def test_a_branch_counts_the_accepted_reports_of_its_badge_holders_only(tree):
    fund(tree)
    branch = org(tree["A1"])
    shown, hidden = _member(tree, branch), _member(tree, branch)
    services.badge_set(user=shown, shown=True)
    clerk = community_staff(tree, "A1a")
    for person in (shown, shown, hidden):
        report_accept(report=submitted(tree, reporter=person), reviewer=clerk, note="")
    submitted(tree, reporter=shown)  # not yet accepted

    (node,) = organisation_tree(party_staff(tree["A"]))
    assert (node.badges, node.badge_reports) == (1, 2)


def test_grid_members_with_their_accepted_reports(client, tree):
    fund(tree)
    user = worker_account(tree["A1a"])
    services.grid_member_enrol(actor=None, user=user, grid=tree["A1a-1"], on=dt.date(2024, 1, 1))
    report_accept(report=submitted(tree, reporter=user), reviewer=community_staff(tree), note="")
    viewer = party_staff(tree["A"])
    assert [(r.member.user_id, r.reports_accepted) for r in grid_members_for(viewer)] == [
        (user.pk, 1)
    ]
    assert grid_members_for(party_staff(tree["B"])) == []
    client.force_login(viewer)
    assert "party-grid-row" in client.get("/party/staff/grid/").content.decode()
