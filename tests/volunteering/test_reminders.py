"""Volunteers hear of their session once, a few hours before it starts."""

import datetime as dt

import pytest

from nuanxin.core.models import Notification
from nuanxin.volunteering import services
from nuanxin.volunteering.services.reminders import claims_remind_due
from tests.volunteering.factories import DAY, make_project, only_session, worker

pytestmark = pytest.mark.django_db


def reminders(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind="volunteer.reminder"))


def test_a_seated_volunteer_is_reminded_once_within_the_window(
    tree, clock, settings, django_capture_on_commit_callbacks
):
    settings.VOLUNTEER_REMINDER_HOURS = 3
    project = make_project(tree, places=1)
    session = only_session(project)
    seated, waiting = worker(tree), worker(tree)
    claim = services.claim_create(session=session, worker=seated)
    services.claim_create(session=session, worker=waiting)

    with django_capture_on_commit_callbacks(execute=True):
        clock.set(DAY, 5, 59)
        assert claims_remind_due() == 0  # more than three hours before 09:00
        clock.set(DAY, 6, 30)
        assert claims_remind_due() == 1
        assert claims_remind_due() == 0  # once

    (note,) = reminders(seated)
    assert "楼道巡查" in note.title and claim.code in note.body and "2031-03-03 09:00" in note.body
    assert note.url == "/volunteer/mine/"
    assert reminders(waiting) == []


def test_no_reminder_for_a_withdrawn_claim_or_a_started_session(
    tree, clock, settings, django_capture_on_commit_callbacks
):
    settings.VOLUNTEER_REMINDER_HOURS = 3
    session = only_session(make_project(tree))
    gone, late = worker(tree), worker(tree)
    services.claim_withdraw(claim=services.claim_create(session=session, worker=gone), worker=gone)
    services.claim_create(session=session, worker=late)

    with django_capture_on_commit_callbacks(execute=True):
        clock.at = dt.datetime.combine(DAY, dt.time(9, 1), clock.at.tzinfo)
        assert claims_remind_due() == 0

    assert reminders(gone) == [] and reminders(late) == []
