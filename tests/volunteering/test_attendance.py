import datetime as dt
from decimal import Decimal

import pytest

from nuanxin.core.models import AuditLog
from nuanxin.geo.coords import wgs84_to_gcj02
from nuanxin.volunteering import services
from nuanxin.volunteering.models import Attendance, AttendanceStatus, CheckMethod, ProjectKind
from tests.volunteering.factories import (
    DAY,
    code_of,
    community_staff,
    make_project,
    only_session,
    seated,
    worker,
)

pytestmark = pytest.mark.django_db

PLACE = (110.05, 21.05)  # inside community A1a


@pytest.fixture
def session(tree, clock):
    return only_session(make_project(tree, place=PLACE))


@pytest.fixture
def claim(tree, session):
    return seated(tree, session)


def test_the_qr_token_names_its_session_and_cannot_be_forged(session):
    token = services.session_token(session)

    assert services.session_from_token(token) == session
    assert code_of(lambda: services.session_from_token(token[:-2] + "xx")) == (
        "volunteering.bad_token"
    )
    assert code_of(lambda: services.session_from_token("")) == "volunteering.bad_token"


def test_scan_checks_in_then_out_and_records_the_hours(clock, session, claim):
    token = services.session_token(session)
    clock.set(DAY, 8, 50)

    checked_in = services.attendance_check_in(token=token, worker=claim.worker)
    clock.set(DAY, 10, 35)
    checked_out = services.attendance_check_out(token=token, worker=claim.worker)

    assert checked_in.status == AttendanceStatus.CHECKED_IN
    assert checked_in.checkin_method == CheckMethod.QR
    assert checked_out.status == AttendanceStatus.CHECKED_OUT
    # Early arrival does not count: 09:00-10:35.
    assert checked_out.hours_recorded == Decimal("1.58")
    actions = AuditLog.objects.filter(
        object_type="volunteering.attendance", object_id=checked_in.pk
    ).values_list("action", flat=True)
    assert set(actions) == {"volunteer.check_in", "volunteer.check_out"}


def test_hours_stop_at_the_end_of_the_session(clock, session, claim):
    token = services.session_token(session)
    clock.set(DAY, 9, 0)
    services.attendance_check_in(token=token, worker=claim.worker)
    clock.set(DAY, 12, 30)

    attendance = services.attendance_check_out(token=token, worker=claim.worker)

    assert attendance.hours_recorded == Decimal("2.00")


def test_check_in_opens_half_an_hour_early_and_closes_at_the_end(clock, session, claim):
    token = services.session_token(session)

    clock.set(DAY, 8, 29)
    early = code_of(lambda: services.attendance_check_in(token=token, worker=claim.worker))
    clock.set(DAY, 11, 1)
    late = code_of(lambda: services.attendance_check_in(token=token, worker=claim.worker))

    assert (early, late) == ("volunteering.checkin_not_open", "volunteering.checkin_closed")
    assert not Attendance.objects.exists()


def test_check_out_closes_two_hours_after_the_end(clock, session, claim):
    token = services.session_token(session)
    clock.set(DAY, 9, 0)
    services.attendance_check_in(token=token, worker=claim.worker)
    clock.set(DAY, 13, 1)

    code = code_of(lambda: services.attendance_check_out(token=token, worker=claim.worker))

    assert code == "volunteering.checkout_closed"


def test_double_scans_are_refused_with_their_own_codes(clock, session, claim):
    token = services.session_token(session)
    clock.set(DAY, 9, 0)

    not_in = code_of(lambda: services.attendance_check_out(token=token, worker=claim.worker))
    services.attendance_check_in(token=token, worker=claim.worker)
    twice_in = code_of(lambda: services.attendance_check_in(token=token, worker=claim.worker))
    services.attendance_check_out(token=token, worker=claim.worker)
    twice_out = code_of(lambda: services.attendance_check_out(token=token, worker=claim.worker))

    assert (not_in, twice_in, twice_out) == (
        "volunteering.not_checked_in",
        "volunteering.already_checked_in",
        "volunteering.already_checked_out",
    )


def test_scanning_without_a_place_is_refused(tree, clock, session):
    clock.set(DAY, 9, 0)

    code = code_of(
        lambda: services.attendance_check_in(
            token=services.session_token(session), worker=worker(tree)
        )
    )

    assert code == "volunteering.no_claim"


def test_a_waiting_worker_who_turns_up_takes_a_freed_place(tree, clock):
    session = only_session(make_project(tree, places=1))
    holder = seated(tree, session)
    waiting = services.claim_create(session=session, worker=worker(tree))
    clock.set(DAY, 6, 0)
    services.claim_cancel(claim=holder, staff=community_staff(tree))
    waiting.refresh_from_db()
    assert waiting.status == "claimed"  # seated by the cancellation already
    clock.set(DAY, 9, 0)

    attendance = services.attendance_check_in(
        token=services.session_token(session), worker=waiting.worker
    )

    assert attendance.claim == waiting


def test_a_scan_far_from_the_meeting_place_is_refused(clock, session, claim):
    token = services.session_token(session)
    clock.set(DAY, 9, 0)

    far = code_of(
        lambda: services.attendance_check_in(
            token=token, worker=claim.worker, location=(110.3, 21.3)
        )
    )
    near = services.attendance_check_in(
        token=token,
        worker=claim.worker,
        location=wgs84_to_gcj02(*PLACE),
        coord_system="gcj02",
    )

    assert far == "volunteering.too_far" and near.status == AttendanceStatus.CHECKED_IN


def test_leaflet_task_reports_its_quantity_at_check_out_and_after(tree, clock):
    session = only_session(make_project(tree, kind=ProjectKind.LEAFLETS, quantity_target=100))
    claim = seated(tree, session)
    token = services.session_token(session)
    clock.set(DAY, 9, 0)
    services.attendance_check_in(token=token, worker=claim.worker)
    clock.set(DAY, 10, 0)

    attendance = services.attendance_check_out(token=token, worker=claim.worker, quantity=18)
    corrected = services.attendance_report_quantity(
        attendance=attendance, worker=claim.worker, quantity=20
    )
    bad = code_of(
        lambda: services.attendance_report_quantity(
            attendance=attendance, worker=claim.worker, quantity=-1
        )
    )
    other = code_of(
        lambda: services.attendance_report_quantity(
            attendance=attendance, worker=worker(tree), quantity=5
        )
    )

    assert (attendance.quantity_reported, corrected.quantity_reported) == (18, 20)
    assert (bad, other) == ("volunteering.bad_quantity", "volunteering.attendance_not_found")


def test_staff_mark_presence_by_claim_with_a_time_they_enter(clock, session, claim):
    staff_user = community_staff_for(session)
    clock.set(DAY, 14, 0)

    services.attendance_staff_check_in(
        claim=claim,
        staff=staff_user,
        at=dt.datetime.combine(DAY, dt.time(9, 15), tzinfo=clock.at.tzinfo),
    )
    attendance = services.attendance_staff_check_out(
        claim=claim,
        staff=staff_user,
        at=dt.datetime.combine(DAY, dt.time(10, 45), tzinfo=clock.at.tzinfo),
    )

    assert attendance.checkin_method == attendance.checkout_method == CheckMethod.STAFF
    assert attendance.hours_recorded == Decimal("1.50")


def test_staff_times_in_the_future_or_before_check_in_are_refused(clock, session, claim):
    staff_user = community_staff_for(session)
    clock.set(DAY, 9, 30)
    future = code_of(
        lambda: services.attendance_staff_check_in(
            claim=claim, staff=staff_user, at=clock.at + dt.timedelta(minutes=1)
        )
    )
    services.attendance_staff_check_in(claim=claim, staff=staff_user)
    before = code_of(
        lambda: services.attendance_staff_check_out(
            claim=claim, staff=staff_user, at=clock.at - dt.timedelta(minutes=1)
        )
    )

    assert (future, before) == ("volunteering.bad_time", "volunteering.bad_time")


def test_staff_of_the_next_community_cannot_mark_presence(tree, clock, session, claim):
    clock.set(DAY, 9, 30)

    code = code_of(
        lambda: services.attendance_staff_check_in(claim=claim, staff=community_staff(tree, "A1b"))
    )

    assert code == "volunteering.claim_not_found" and not Attendance.objects.exists()


def test_a_checked_in_claim_cannot_be_withdrawn_or_cancelled(tree, clock, session, claim):
    clock.set(DAY, 9, 0)
    services.attendance_check_in(token=services.session_token(session), worker=claim.worker)

    code = code_of(lambda: services.claim_cancel(claim=claim, staff=community_staff_for(session)))

    assert code == "volunteering.already_checked_in"


def community_staff_for(session):
    from nuanxin.accounts.models import Role
    from tests.factories import staff

    return staff(Role.COMMUNITY_STAFF, session.project.region)


def test_the_qr_token_of_a_session_never_changes(session, monkeypatch):
    import time

    first = services.session_token(session)
    monkeypatch.setattr(time, "time", lambda: 4_000_000_000.0)

    assert services.session_token(session) == first


def test_a_scan_with_a_broken_position_is_refused(clock, session, claim):
    clock.set(DAY, 9, 0)

    code = code_of(
        lambda: services.attendance_check_in(
            token=services.session_token(session), worker=claim.worker, location=(500.0, 21.0)
        )
    )

    assert code == "geo.bad_coordinates" and not Attendance.objects.exists()
