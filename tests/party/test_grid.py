"""Part-time grid members: a new report in a grid reaches its grid members and community staff
in the inbox, through the pluggable delivery; their own reports carry the 网格员 mark."""

import datetime as dt

import pytest

from nuanxin.core.badges import badges_of
from nuanxin.core.models import Notification
from nuanxin.party import services
from tests.helpers import error_code
from tests.party.factories import worker_account
from tests.reports.factories import IN_A1B_1, community_staff, submitted

pytestmark = pytest.mark.django_db
DELIVERED = []


def record_delivery(**message):
    DELIVERED.append(message)


@pytest.fixture
def grid_member(tree):
    user = worker_account(tree["A1a"])
    services.grid_member_enrol(actor=None, user=user, grid=tree["A1a-1"], on=dt.date(2024, 1, 1))
    return user


def test_a_report_in_the_grid_reaches_its_members_and_community_staff(
    tree, grid_member, django_capture_on_commit_callbacks
):
    clerk = community_staff(tree, "A1a")
    other_clerk = community_staff(tree, "A1b")
    with django_capture_on_commit_callbacks(execute=True):
        report = submitted(tree)
    told = set(
        Notification.objects.filter(kind="reports.new_in_grid").values_list("user", flat=True)
    )
    assert told == {grid_member.pk, clerk.pk}
    assert other_clerk.pk not in told
    assert report.reporter_id not in told


def test_the_grid_members_own_report_does_not_tell_themselves(
    tree, grid_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted(tree, reporter=grid_member)
    assert not Notification.objects.filter(user=grid_member, kind="reports.new_in_grid").exists()


def test_a_report_in_another_grid_does_not_reach_them(
    tree, grid_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted(tree, point=IN_A1B_1)
    assert not Notification.objects.filter(user=grid_member).exists()


def test_delivery_is_pluggable(tree, grid_member, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_DELIVERY = "tests.party.test_grid.record_delivery"
    DELIVERED.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submitted(tree)
    assert [m["user"].pk for m in DELIVERED if m["kind"] == "reports.new_in_grid"] == [
        grid_member.pk
    ]
    assert not Notification.objects.filter(kind="reports.new_in_grid").exists()


def test_grid_members_are_marked_and_enrolled_once(tree, grid_member):
    assert badges_of(grid_member) == ["网格员"]
    assert (
        error_code(
            lambda: services.grid_member_enrol(
                actor=None, user=grid_member, grid=tree["A1a-1"], on=dt.date(2024, 2, 1)
            )
        )
        == "party.already_grid_member"
    )
    assert (
        error_code(
            lambda: services.grid_member_enrol(
                actor=None, user=grid_member, grid=tree["A1a"], on=dt.date(2024, 2, 1)
            )
        )
        == "party.not_a_grid"
    )
