"""What badge-holders and grid members do, counted per branch and per grid member."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from nuanxin.party import services
from nuanxin.party.selectors.staff import grid_members_for, organisation_tree
from nuanxin.reports.services import report_accept
from nuanxin.volunteering import services as volunteering
from nuanxin.volunteering.models import Attendance as VolunteerAttendance
from nuanxin.volunteering.models import Outcome
from tests.helpers import send
from tests.party.factories import member, org, party_staff, worker_account
from tests.reports.factories import community_staff, submitted
from tests.volunteering.conftest import Clock as VolunteerClock
from tests.volunteering.factories import DAY, TZ, fund, make_project, only_session
from tests.volunteering.factories import community_staff as vstaff

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


@pytest.fixture
def vclock(monkeypatch):
    return VolunteerClock(monkeypatch, dt.datetime(2031, 1, 1, 9, tzinfo=TZ))


_days = itertools.count(0)


def _volunteered(tree, clock, user, hours: tuple[int, int], outcome=Outcome.FULL, verified=None):
    """One session of ``user`` on a day of its own from 09:00 to 11:00, checked in at 09:00 and
    out after ``hours`` (h, min), verified with ``outcome``."""
    day = DAY + dt.timedelta(days=next(_days))
    clock.set(day - dt.timedelta(days=3), 9)
    session = only_session(make_project(tree, places=5, first_date=day))
    clock.set(day - dt.timedelta(days=1), 9)
    claim = volunteering.claim_create(session=session, worker=user)
    token = volunteering.session_token(session)
    clock.set(day, 9, 0)
    volunteering.attendance_check_in(token=token, worker=user)
    clock.set(day, 9 + hours[0], hours[1])
    volunteering.attendance_check_out(token=token, worker=user)
    volunteering.attendance_verify(claim=claim, staff=vstaff(tree), outcome=outcome, hours=verified)
    return claim


def test_badge_holders_volunteer_hours_per_branch_from_verified_attendance(tree, vclock):
    fund(tree, amount=5000)
    first, second = org(tree["A1"]), org(tree["A1"])
    a, b, hidden = _member(tree, first), _member(tree, first), _member(tree, first)
    c = _member(tree, second)
    for person in (a, b, c):
        services.badge_set(user=person, shown=True)
    _volunteered(tree, vclock, a, (1, 30))
    _volunteered(tree, vclock, a, (2, 0))
    _volunteered(tree, vclock, b, (0, 45))
    _volunteered(tree, vclock, b, (2, 0), outcome=Outcome.NO_SHOW)
    _volunteered(tree, vclock, hidden, (2, 0))
    _volunteered(tree, vclock, c, (1, 0))
    unverified = only_session(make_project(tree, places=5, first_date=DAY + dt.timedelta(days=400)))
    volunteering.claim_create(session=unverified, worker=c)

    # Expected from the records themselves: verified hours of served attendances of the
    # badge-holders of each branch.
    expected = {}
    for branch, people in ((first, (a, b)), (second, (c,))):
        rows = VolunteerAttendance.objects.filter(
            worker__in=people, outcome__in=[Outcome.FULL, Outcome.PARTIAL]
        )
        expected[branch.pk] = sum((r.hours_verified for r in rows), Decimal(0))
    assert expected == {first.pk: Decimal("4.25"), second.pk: Decimal("1.00")}

    nodes = {n.organisation.pk: n for n in organisation_tree(party_staff(tree["A"]))}
    got = {pk: nodes[pk].badge_hours for pk in expected}
    assert got == expected
    assert (nodes[first.pk].badges, nodes[second.pk].badges) == (2, 1)

    services.badge_set(user=a, shown=False)
    (node,) = [n for n in organisation_tree(party_staff(tree["A"])) if n.organisation == first]
    assert (node.badges, node.badge_hours) == (1, Decimal("0.75"))


def test_badge_holders_figures_in_the_api(client, tree, vclock):
    fund(tree, amount=5000)
    branch = org(tree["A1"])
    a = _member(tree, branch)
    services.badge_set(user=a, shown=True)
    _volunteered(tree, vclock, a, (1, 15))
    _volunteered(tree, vclock, a, (0, 30), outcome=Outcome.PARTIAL, verified=Decimal("0.40"))
    report_accept(
        report=submitted(tree, reporter=a), reviewer=community_staff(tree, "A1a"), note=""
    )

    response = send(client, "get", "/api/v1/party/organisations", user=party_staff(tree["A"]))
    (row,) = response.json()
    served = VolunteerAttendance.objects.filter(worker=a).values_list("hours_verified", flat=True)
    assert (row["badges"], row["badge_reports"]) == (1, 1)
    assert Decimal(str(row["badge_hours"])) == sum(served, Decimal(0)) == Decimal("1.65")
