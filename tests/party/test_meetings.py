"""Branch meetings: the sign-in window, QR at the place, online for mobile members, absences,
minutes, figures per branch, reminders in the inbox."""

import datetime as dt

import pytest
from django.utils import timezone

from nuanxin.core.models import Notification
from nuanxin.party import services
from nuanxin.party.models import Attendance, MeetingStatus
from nuanxin.party.selectors.meetings import branch_life
from tests.helpers import error_code
from tests.party.conftest import MEETING_START
from tests.party.factories import member, org, party_staff, worker_account

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


@pytest.fixture
def branch(tree):
    return org(tree["A1"], branch_type="mobile")


def _member(tree, branch, *, mobile):
    user = worker_account(tree["A1a"])
    services.membership_join(
        actor=None, worker=member(tree["A1a"], user=user), organisation=branch, kind="formal",
        joined_on=dt.date(2021, 1, 1), mobile=mobile,
    )  # fmt: skip
    return user


def _meeting(branch, **fields):
    values = {
        "kind": "theme_day", "title": "主题党日：安全出行", "starts_at": MEETING_START,
        "ends_at": MEETING_START + 2 * H, "place": "沙湾街道党群服务中心",
        "online_link": "https://meet.example.cn/abc",
    } | fields  # fmt: skip
    return services.meeting_schedule(actor=None, organisation=branch, **values)


def test_scheduling_tells_the_members_in_their_inbox(
    tree, branch, clock, django_capture_on_commit_callbacks
):
    user = _member(tree, branch, mobile=True)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _meeting(branch)
    note = Notification.objects.get(user=user)
    assert note.kind == "party.meeting"
    assert str(meeting.pk) in note.url


@pytest.mark.parametrize(
    ("offset", "code"),
    [
        (-31 * 60, "party.signin_not_open"),  # more than 30 minutes before the start
        (-29 * 60, None),
        (0, None),
        (2 * 3600, None),  # the last moment of the meeting
        (2 * 3600 + 1, "party.signin_closed"),
    ],
)
def test_the_online_sign_in_window(tree, branch, clock, offset, code):
    user = _member(tree, branch, mobile=True)
    meeting = _meeting(branch)
    clock.at = MEETING_START + dt.timedelta(seconds=offset)

    def sign():
        return services.meeting_sign_in(user=user, meeting=meeting, method="online")

    if code is None:
        assert sign().method == "online"
    else:
        assert error_code(sign) == code
        assert not Attendance.objects.exists()


def test_online_sign_in_is_for_mobile_members_only(tree, branch, clock):
    fixed = _member(tree, branch, mobile=False)
    meeting = _meeting(branch)
    clock.at = MEETING_START
    assert (
        error_code(lambda: services.meeting_sign_in(user=fixed, meeting=meeting, method="online"))
        == "party.online_for_mobile_only"
    )
    row = services.meeting_sign_in(user=fixed, meeting=meeting, method="qr", token=meeting.qr_token)
    assert row.method == "qr"


def test_a_wrong_qr_code_is_refused(tree, branch, clock):
    user = _member(tree, branch, mobile=False)
    meeting = _meeting(branch)
    clock.at = MEETING_START
    assert (
        error_code(
            lambda: services.meeting_sign_in(
                user=user, meeting=meeting, method="qr", token="x" * 32
            )
        )
        == "party.bad_qr"
    )


def test_signing_in_twice_gives_one_row(tree, branch, clock):
    user = _member(tree, branch, mobile=True)
    meeting = _meeting(branch)
    clock.at = MEETING_START
    first = services.meeting_sign_in(user=user, meeting=meeting, method="online")
    again = services.meeting_sign_in(user=user, meeting=meeting, method="online")
    assert first.pk == again.pk
    assert Attendance.objects.count() == 1


def test_someone_outside_the_branch_is_told_there_is_no_such_meeting(tree, branch, clock):
    meeting = _meeting(branch)
    other_branch = org(tree["A2"])
    outsider = _member(tree, other_branch, mobile=True)
    clock.at = MEETING_START
    assert (
        error_code(
            lambda: services.meeting_sign_in(user=outsider, meeting=meeting, method="online")
        )
        == "party.meeting_not_found"
    )


def test_an_absence_needs_a_reason_and_a_later_sign_in_replaces_it(tree, branch, clock):
    user = _member(tree, branch, mobile=True)
    meeting = _meeting(branch)
    assert (
        error_code(lambda: services.meeting_absence(user=user, meeting=meeting, reason=" "))
        == "party.reason_required"
    )
    absence = services.meeting_absence(user=user, meeting=meeting, reason="跑长途在外地")
    assert (absence.method, absence.absence_reason) == ("absent", "跑长途在外地")
    clock.at = MEETING_START
    row = services.meeting_sign_in(user=user, meeting=meeting, method="online")
    assert (row.pk, row.method, row.absence_reason) == (absence.pk, "online", "")


def test_minutes_only_after_the_start_and_the_branch_figures(tree, branch, clock):
    a = _member(tree, branch, mobile=True)
    _member(tree, branch, mobile=True)
    meeting = _meeting(branch)
    staff = party_staff(tree["A"])
    assert (
        error_code(
            lambda: services.meeting_record_minutes(actor=staff, meeting=meeting, minutes="记录")
        )
        == "party.not_started"
    )
    clock.at = MEETING_START + H
    services.meeting_sign_in(user=a, meeting=meeting, method="online")
    held = services.meeting_record_minutes(
        actor=staff, meeting=meeting, minutes="学习安全出行规定", resolutions="每月开展一次"
    )
    assert held.status == MeetingStatus.HELD

    life = branch_life(branch, now=timezone.now())
    assert (life.members, life.meetings_held, life.attendance_rate) == (2, 1, 50.0)
    assert [m.worker.user_id for m in life.not_reached] != [a.pk]
    assert len(life.not_reached) == 1


def test_a_meeting_needs_a_place_or_a_link(tree, branch, clock):
    assert error_code(lambda: _meeting(branch, place="", online_link="")) == "party.place_required"
    assert error_code(lambda: _meeting(branch, ends_at=MEETING_START)) == "party.invalid_time"


def test_members_are_reminded_once_before_the_meeting(
    tree, branch, clock, django_capture_on_commit_callbacks
):
    from nuanxin.party.services.meetings import meetings_remind_due

    user = _member(tree, branch, mobile=True)
    meeting = _meeting(branch)
    assert meetings_remind_due() == 0  # 7 hours before: too early
    clock.at = MEETING_START - H
    with django_capture_on_commit_callbacks(execute=True):
        assert meetings_remind_due() == 1
        assert meetings_remind_due() == 0
    reminders = Notification.objects.filter(user=user, kind="party.meeting_reminder")
    assert reminders.count() == 1
    assert str(meeting.pk) in reminders.get().url
