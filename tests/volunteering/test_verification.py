import datetime as dt
from decimal import Decimal

import pytest

from nuanxin.core.models import AuditLog, Notification
from nuanxin.points import services as points
from nuanxin.points.models import Entry, EntryKind
from nuanxin.points.selectors import balance_of
from nuanxin.volunteering import services
from nuanxin.volunteering.models import (
    Attendance,
    AttendanceStatus,
    Award,
    AwardRule,
    AwardStatus,
    Outcome,
    ProjectKind,
)
from tests.points.factories import assert_ledger_clean
from tests.volunteering.factories import (
    DAY,
    code_of,
    community_staff,
    fund,
    make_project,
    only_session,
    seated,
    worker,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def verifier(tree):
    return community_staff(tree)


def attended(tree, clock, session, start=(9, 0), end=(11, 0), quantity=None):
    """A seated claim that checked in and out by QR at the given local times (claimed the day
    before); the clock is left at the check-out time."""
    clock.set(DAY - dt.timedelta(days=1), 9)
    claim = seated(tree, session)
    token = services.session_token(session)
    clock.set(DAY, *start)
    services.attendance_check_in(token=token, worker=claim.worker)
    clock.set(DAY, *end)
    services.attendance_check_out(token=token, worker=claim.worker, quantity=quantity)
    return claim


def test_full_attendance_pays_ten_points_an_hour_from_the_community_pool(
    tree, clock, verifier, django_capture_on_commit_callbacks
):
    fund(tree, amount=500)
    session = only_session(make_project(tree))
    claim = attended(tree, clock, session, (9, 0), (10, 30))

    with django_capture_on_commit_callbacks(execute=True):
        attendance = services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.FULL)

    award = Award.objects.get(attendance=attendance)
    entry = Entry.objects.get(transfer_id=f"volunteer:{attendance.pk}:verify")
    assert attendance.status == AttendanceStatus.VERIFIED
    assert (attendance.hours_verified, attendance.points_awarded) == (Decimal("1.50"), 15)
    assert (award.status, award.points_granted, award.transfer_id) == (
        AwardStatus.AWARDED,
        15,
        entry.transfer_id,
    )
    assert (entry.kind, entry.reason, entry.reference) == (
        EntryKind.EARN,
        "volunteer.verified",
        f"volunteer:{attendance.pk}",
    )
    assert entry.debit == points.community_pool(tree["A1a"])
    assert balance_of(claim.worker).available == 15
    assert Notification.objects.get(user=claim.worker).kind == "volunteer.verified"
    assert AuditLog.objects.filter(action="volunteer.verify", object_id=attendance.pk).count() == 1
    assert_ledger_clean()


def test_verifying_again_pays_nothing_more(tree, clock, verifier):
    fund(tree)
    claim = attended(tree, clock, only_session(make_project(tree)))

    first = services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.FULL)
    second = services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.FULL)

    assert first.pk == second.pk
    assert Entry.objects.filter(kind=EntryKind.EARN).count() == 1
    assert balance_of(claim.worker).available == 20
    assert AuditLog.objects.filter(action="volunteer.verify").count() == 1


def test_a_different_second_decision_is_refused(tree, clock, verifier):
    fund(tree)
    claim = attended(tree, clock, only_session(make_project(tree)))
    services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.FULL)

    code = code_of(
        lambda: services.attendance_verify(
            claim=claim, staff=verifier, outcome=Outcome.PARTIAL, hours="1"
        )
    )

    assert code == "volunteering.already_verified"
    assert balance_of(claim.worker).available == 20


def test_partial_attendance_pays_for_the_hours_staff_set(tree, clock, verifier):
    fund(tree)
    claim = attended(tree, clock, only_session(make_project(tree)))

    attendance = services.attendance_verify(
        claim=claim, staff=verifier, outcome=Outcome.PARTIAL, hours="0.75", note="提前离开"
    )

    assert (attendance.hours_verified, attendance.points_awarded) == (Decimal("0.75"), 7)
    assert attendance.verify_note == "提前离开"


@pytest.mark.parametrize("hours", [None, "0", "2.5", "abc"])
def test_partial_needs_hours_within_the_session(tree, clock, verifier, hours):
    claim = attended(tree, clock, only_session(make_project(tree)))

    code = code_of(
        lambda: services.attendance_verify(
            claim=claim, staff=verifier, outcome=Outcome.PARTIAL, hours=hours
        )
    )

    assert code == "volunteering.bad_hours"
    assert Attendance.objects.get(claim=claim).status == AttendanceStatus.CHECKED_OUT


def test_a_no_show_is_recorded_and_pays_nothing(tree, clock, verifier):
    fund(tree)
    claim = seated(tree, only_session(make_project(tree)))
    clock.set(DAY, 12)

    attendance = services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.NO_SHOW)

    assert (attendance.outcome, attendance.hours_verified, attendance.points_awarded) == (
        Outcome.NO_SHOW,
        0,
        0,
    )
    assert attendance.checked_in_at is None
    assert not Award.objects.exists() and not Entry.objects.filter(kind=EntryKind.EARN).exists()


def test_staff_confirm_presence_without_any_scan_for_the_whole_session(tree, clock, verifier):
    fund(tree)
    claim = seated(tree, only_session(make_project(tree)))
    clock.set(DAY, 12)

    bare = code_of(
        lambda: services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.FULL)
    )
    attendance = services.attendance_verify(
        claim=claim, staff=verifier, outcome=Outcome.FULL, note="纸质签到表"
    )

    assert bare == "volunteering.hours_reason_required"
    assert (attendance.hours_verified, attendance.points_awarded) == (Decimal("2.00"), 20)
    assert attendance.hours_beyond_scans and attendance.verify_note == "纸质签到表"


def test_hours_beyond_the_scans_need_a_written_basis_and_are_flagged(tree, clock, verifier):
    fund(tree)
    # scanned in and out at the same minute: the scans show 0 hours
    claim = attended(tree, clock, only_session(make_project(tree)), start=(9, 0), end=(9, 0))

    bare = code_of(
        lambda: services.attendance_verify(
            claim=claim, staff=verifier, outcome=Outcome.PARTIAL, hours="1.5"
        )
    )
    assert bare == "volunteering.hours_reason_required"
    assert Attendance.objects.get(claim=claim).status == AttendanceStatus.CHECKED_OUT
    attendance = services.attendance_verify(
        claim=claim, staff=verifier, outcome=Outcome.PARTIAL, hours="1.5", note="忘记签退"
    )

    assert attendance.hours_beyond_scans and attendance.hours_verified == Decimal("1.50")


def test_hours_within_the_scans_and_the_tolerance_need_no_note(tree, clock, verifier):
    fund(tree)
    claim = attended(tree, clock, only_session(make_project(tree)), start=(9, 0), end=(10, 0))

    attendance = services.attendance_verify(
        claim=claim, staff=verifier, outcome=Outcome.PARTIAL, hours="1.25"
    )

    assert not attendance.hours_beyond_scans


def test_verification_waits_for_the_session_to_start(tree, clock, verifier):
    claim = seated(tree, only_session(make_project(tree)))

    code = code_of(
        lambda: services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.NO_SHOW)
    )

    assert code == "volunteering.session_not_started" and not Attendance.objects.exists()


def test_bad_outcome_and_inactive_claims_are_refused(tree, clock, verifier):
    session = only_session(make_project(tree, places=1))
    claim = seated(tree, session)
    waiting = services.claim_create(session=session, worker=worker(tree))
    clock.set(DAY, 12)

    bad = code_of(lambda: services.attendance_verify(claim=claim, staff=verifier, outcome="x"))
    inactive = code_of(
        lambda: services.attendance_verify(claim=waiting, staff=verifier, outcome=Outcome.FULL)
    )

    assert (bad, inactive) == ("volunteering.bad_outcome", "volunteering.claim_not_active")


def test_staff_of_the_next_community_cannot_verify(tree, clock):
    fund(tree)
    claim = attended(tree, clock, only_session(make_project(tree)))

    code = code_of(
        lambda: services.attendance_verify(
            claim=claim, staff=community_staff(tree, "A1b"), outcome=Outcome.FULL
        )
    )

    assert code == "volunteering.claim_not_found"
    assert Attendance.objects.get(claim=claim).status == AttendanceStatus.CHECKED_OUT


def test_the_project_cap_limits_one_activity(tree, clock, verifier):
    fund(tree)
    claim = attended(tree, clock, only_session(make_project(tree, points_per_hour=30, cap=45)))

    attendance = services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.FULL)

    assert attendance.points_awarded == 45


def test_the_workers_daily_cap_grants_less_and_says_why(tree, clock, verifier):
    fund(tree)
    admin_actor = community_staff(tree)
    points.policy_update(actor=_city_admin(tree), daily_cap=12)
    claim = attended(tree, clock, only_session(make_project(tree, actor=admin_actor)))

    attendance = services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.FULL)

    award = Award.objects.get(attendance=attendance)
    assert (award.points_requested, award.points_granted, award.limited_by) == (20, 12, "daily_cap")
    assert attendance.points_awarded == 12


def test_per_task_pays_its_points_and_pro_rata_when_partial(tree, clock, verifier):
    fund(tree)
    project = make_project(
        tree,
        kind=ProjectKind.LEAFLETS,
        award_rule=AwardRule.PER_TASK,
        points_per_task=30,
        quantity_target=200,
        places=5,
    )
    session = only_session(project)
    full = attended(tree, clock, session, quantity=25)
    partial = attended(tree, clock, session, quantity=10)

    a = services.attendance_verify(claim=full, staff=verifier, outcome=Outcome.FULL)
    b = services.attendance_verify(
        claim=partial, staff=verifier, outcome=Outcome.PARTIAL, hours="1", quantity=12
    )

    assert (a.points_awarded, a.quantity_verified) == (30, 25)
    assert (b.points_awarded, b.quantity_verified) == (15, 12)


def test_an_empty_pool_leaves_the_award_pending_until_retried(tree, clock, verifier):
    claim = attended(tree, clock, only_session(make_project(tree)))

    attendance = services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.FULL)
    award = Award.objects.get(attendance=attendance)
    assert (attendance.status, award.status, award.last_error) == (
        AttendanceStatus.VERIFIED,
        AwardStatus.PENDING,
        "points.budget_exhausted",
    )
    assert balance_of(claim.worker).available == 0

    fund(tree)
    retried = services.award_retry(award=award, staff=verifier)
    again = code_of(lambda: services.award_retry(award=award, staff=verifier))

    attendance.refresh_from_db()
    assert (retried.status, retried.points_granted, retried.transfer_id) == (
        AwardStatus.AWARDED,
        20,
        f"volunteer:{attendance.pk}:verify",
    )
    assert attendance.points_awarded == 20 and balance_of(claim.worker).available == 20
    assert again == "volunteering.award_not_pending"


def test_a_correction_reverses_the_award_and_pays_the_new_decision(tree, clock, verifier):
    fund(tree)
    claim = attended(tree, clock, only_session(make_project(tree)))
    attendance = services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.FULL)

    corrected = services.attendance_correct(
        attendance=attendance,
        staff=verifier,
        outcome=Outcome.PARTIAL,
        hours="1",
        reason="核对签到表，实际服务 1 小时",
    )

    pk = attendance.pk
    first, second = Award.objects.filter(attendance=attendance).order_by("revision")
    assert (first.status, first.reversal_transfer_id) == (
        AwardStatus.REVERSED,
        f"volunteer:{pk}:reverse:1",
    )
    assert (second.transfer_id, second.status, second.points_granted) == (
        f"volunteer:{pk}:verify:2",
        AwardStatus.AWARDED,
        10,
    )
    assert Entry.objects.get(transfer_id=f"volunteer:{pk}:reverse:1").kind == EntryKind.REVERSAL
    assert (corrected.revision, corrected.points_awarded) == (2, 10)
    assert balance_of(claim.worker).available == 10
    log = AuditLog.objects.get(action="volunteer.correct")
    assert log.before["hours_verified"] == "2.00" and log.after["hours_verified"] == "1.00"
    assert log.note == "核对签到表，实际服务 1 小时"
    assert_ledger_clean()


def test_repeating_a_correction_changes_nothing(tree, clock, verifier):
    fund(tree)
    claim = attended(tree, clock, only_session(make_project(tree)))
    attendance = services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.FULL)
    kwargs = {"staff": verifier, "outcome": Outcome.NO_SHOW, "reason": "误核"}

    services.attendance_correct(attendance=attendance, **kwargs)
    services.attendance_correct(attendance=attendance, **kwargs)

    assert Award.objects.filter(attendance=attendance).count() == 1
    assert Entry.objects.filter(kind=EntryKind.REVERSAL).count() == 1
    assert balance_of(claim.worker).available == 0


def test_correction_needs_a_reason_and_a_verified_attendance(tree, clock, verifier):
    claim = attended(tree, clock, only_session(make_project(tree)))
    attendance = Attendance.objects.get(claim=claim)

    no_reason = code_of(
        lambda: services.attendance_correct(
            attendance=attendance, staff=verifier, outcome=Outcome.FULL, reason=" "
        )
    )
    unverified = code_of(
        lambda: services.attendance_correct(
            attendance=attendance, staff=verifier, outcome=Outcome.FULL, reason="x"
        )
    )

    assert (no_reason, unverified) == ("volunteering.reason_required", "volunteering.not_verified")


def test_a_correction_after_the_points_were_spent_changes_nothing(tree, clock, verifier):
    fund(tree)
    claim = attended(tree, clock, only_session(make_project(tree)))
    attendance = services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.FULL)
    points.transfer(
        transfer_id="spend-1",
        debit=points.worker_account(claim.worker),
        credit=points.shop_sink(),
        amount=15,
        reason="store.redemption",
    )

    code = code_of(
        lambda: services.attendance_correct(
            attendance=attendance, staff=verifier, outcome=Outcome.NO_SHOW, reason="误核"
        )
    )

    attendance.refresh_from_db()
    assert code == "points.insufficient_balance"
    assert (attendance.outcome, attendance.revision, attendance.points_awarded) == ("full", 1, 20)
    assert Award.objects.get(attendance=attendance).status == AwardStatus.AWARDED


def test_correcting_a_pending_award_voids_it_without_touching_the_ledger(tree, clock, verifier):
    claim = attended(tree, clock, only_session(make_project(tree)))
    attendance = services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.FULL)
    fund(tree)

    services.attendance_correct(
        attendance=attendance, staff=verifier, outcome=Outcome.PARTIAL, hours="1", reason="核减"
    )

    first, second = Award.objects.filter(attendance=attendance).order_by("revision")
    assert (first.status, second.status, second.points_granted) == ("void", "awarded", 10)
    assert not Entry.objects.filter(kind=EntryKind.REVERSAL).exists()


def test_replaying_the_award_transfer_id_in_the_ledger_pays_nothing_twice(tree, clock, verifier):
    """The award's transfer id is derived from the attendance: even a second Award row for the
    same revision could not pay twice (the ledger returns the first result)."""
    fund(tree)
    claim = attended(tree, clock, only_session(make_project(tree)))
    attendance = services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.FULL)

    replay = points.earn(
        transfer_id=f"volunteer:{attendance.pk}:verify",
        worker=claim.worker,
        community=tree["A1a"],
        source="volunteer.verified",
        points=20,
        reference=f"volunteer:{attendance.pk}",
    )

    assert replay.replayed and balance_of(claim.worker).available == 20


def _city_admin(tree):
    from nuanxin.accounts.models import Role
    from tests.factories import staff

    return staff(Role.CITY_ADMIN, tree.city)
