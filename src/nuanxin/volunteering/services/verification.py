"""Verification by staff and the points that follow it through the ledger.

An attendance is verified once: full, partial (staff set the hours) or no-show. The decision
fixes the hours and quantity, the points follow from the project's rule and caps, and the award
goes to the ledger with a transfer id derived from the attendance and the decision's revision:

* revision 1 pays with ``volunteer:<attendance>:verify``;
* a correction (``attendance_correct``) reverses the current award with
  ``volunteer:<attendance>:reverse:<n>`` and pays revision n+1 with
  ``volunteer:<attendance>:verify:<n+1>``.

Verifying again with the same decision, or correcting to the decision already in force, changes
nothing and pays nothing; a different decision on a verified attendance is refused
(``volunteering.already_verified``) and must go through a correction with a written reason. The
ledger itself refuses to pay one transfer id twice, so a retry after a lost answer is safe too.

When the paying community's pool is empty the verification still stands and the award waits
(``AwardStatus.PENDING``, same transfer id) until staff retry it after the pool is funded.
"""

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.core.notifications import notification_send
from nuanxin.core.texts import text
from nuanxin.points.models import Entry
from nuanxin.points.reasons import VOLUNTEER_VERIFIED
from nuanxin.points.services import earn, reverse, volunteer_points
from nuanxin.volunteering.models import (
    Attendance,
    AttendanceStatus,
    Award,
    AwardRule,
    AwardStatus,
    Claim,
    ClaimStatus,
    Outcome,
    Project,
    Session,
)
from nuanxin.volunteering.services._common import (
    ATTENDANCE_AUDIT_FIELDS,
    HOURS_STEP,
    attendance_missing,
    award_missing,
    check_quantity,
    claim_missing,
    hours_in_session,
    lock_claim,
    lock_session_of,
    now,
    require_staff_for,
)
from nuanxin.volunteering.services.evidence import has_evidence

BUDGET_EXHAUSTED = "points.budget_exhausted"
MY_CLAIMS_URL = "/volunteer/mine/"


def award_transfer_id(attendance_id: int, revision: int) -> str:
    if revision == 1:
        return f"volunteer:{attendance_id}:verify"
    return f"volunteer:{attendance_id}:verify:{revision}"


def reversal_transfer_id(attendance_id: int, revision: int) -> str:
    return f"volunteer:{attendance_id}:reverse:{revision}"


def points_for(project: Project, session: Session, outcome: str, hours: Decimal) -> int:
    """Points a decision earns under the project's rule, before the worker's daily and monthly
    caps (which the ledger applies).

    Per hour: the city's volunteer rate (or the project's) times the verified hours, at most the
    project's cap (or the city's cap per activity). Per task: the project's points for a full
    attendance, pro rata to the verified hours for a partial one, at most the project's cap.
    """
    if outcome == Outcome.NO_SHOW or hours <= 0:
        return 0
    if project.award_rule == AwardRule.PER_HOUR:
        return volunteer_points(hours=hours, per_hour=project.points_per_hour, cap=project.cap)
    points = project.points_per_task or 0
    if outcome == Outcome.PARTIAL:
        points = math.floor(points * min(Decimal(1), hours / session.hours))
    return points if project.cap is None else min(points, project.cap)


def _hours_value(hours: Any) -> Decimal:
    try:
        value = Decimal(str(hours)).quantize(HOURS_STEP)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ApplicationError("volunteering.bad_hours", _("服务时长无效。")) from exc
    return value


def _decision(
    attendance: Attendance,
    session: Session,
    outcome: str,
    hours: Any,
    quantity: int | None,
) -> tuple[Decimal, int | None]:
    """The (hours, quantity) that ``outcome`` fixes for this attendance."""
    if outcome not in Outcome.values:
        raise ApplicationError(
            "volunteering.bad_outcome",
            _("核验结果必须是全程、部分或未到。"),
            extra={"outcome": outcome},
        )
    if outcome == Outcome.NO_SHOW:
        return Decimal("0.00"), None
    if outcome == Outcome.FULL:
        if attendance.checked_out_at is not None:
            value = attendance.hours_recorded or Decimal("0.00")
        elif attendance.checked_in_at is not None:
            value = hours_in_session(session, attendance.checked_in_at, min(now(), session.ends_at))
        else:
            # Staff confirm presence without any check-in: the whole session.
            value = session.hours
    else:
        if hours is None:
            raise ApplicationError("volunteering.bad_hours", _("部分参加请填写核定时长。"))
        value = _hours_value(hours)
        if not Decimal("0") < value <= session.hours:
            raise ApplicationError(
                "volunteering.bad_hours",
                _("核定时长必须大于 0 且不超过场次时长 %(h)s 小时。") % {"h": session.hours},
                extra={"hours": str(value), "max": str(session.hours)},
            )
    if quantity is None:
        quantity = attendance.quantity_reported
    return value, None if quantity is None else check_quantity(quantity)


def scanned_hours(attendance: Attendance, session: Session) -> Decimal:
    """The time the scans prove: check-in to check-out, or to now (at most the session's end)
    while still checked in; 0 without any check-in."""
    if attendance.checked_out_at is not None:
        return attendance.hours_recorded or Decimal("0.00")
    if attendance.checked_in_at is not None:
        return hours_in_session(session, attendance.checked_in_at, min(now(), session.ends_at))
    return Decimal("0.00")


def _check_evidence(claim: Claim, project: Project, outcome: str) -> None:
    """An online kind (随手办, 随时推) is verified on what the worker reported: served without
    it is refused."""
    if outcome != Outcome.NO_SHOW and not has_evidence(claim, project):
        raise conflict(
            "volunteering.evidence_required",
            _("该劳动者尚未上报服务记录（代办件数或直播情况），不能核验为已参加。"),
        )


def _beyond_scans(attendance: Attendance, session: Session, hours: Decimal, note: str) -> bool:
    """Whether ``hours`` exceed what the scans prove by more than the tolerance; such a
    decision needs a written basis (a paper sign-in sheet, a colleague's word) and is flagged.
    Online work has no place to scan at: its reported evidence is the basis."""
    if session.project.needs_evidence:
        return False
    tolerance = Decimal(settings.VOLUNTEER_HOURS_TOLERANCE_MINUTES) / 60
    scanned = scanned_hours(attendance, session)
    if hours <= scanned + tolerance:
        return False
    if not note:
        raise ApplicationError(
            "volunteering.hours_reason_required",
            _("核定时长 %(hours)s 小时超过扫码记录的 %(scanned)s 小时，请填写核验说明。")
            % {"hours": hours, "scanned": scanned.quantize(Decimal("0.01"))},
            extra={"hours": str(hours), "scanned": str(scanned.quantize(Decimal("0.01")))},
        )
    return True


def _same_decision(attendance: Attendance, outcome: str, hours: Decimal, qty: int | None) -> bool:
    return (
        attendance.outcome == outcome
        and attendance.hours_verified == hours
        and attendance.quantity_verified == qty
    )


def _settle(award: Award, attendance: Attendance, project: Project, staff: Any) -> Award:
    """Pay ``award`` through the ledger (idempotent by its transfer id); an empty pool leaves
    it pending instead of undoing the verification."""
    try:
        result = earn(
            transfer_id=award.transfer_id,
            worker=attendance.worker,
            community=project.pool_region,
            source=VOLUNTEER_VERIFIED,
            points=award.points_requested,
            reference=f"volunteer:{attendance.pk}",
            actor=staff,
            note=project.title[:100],
        )
    except ApplicationError as exc:
        if exc.code != BUDGET_EXHAUSTED:
            raise
        award.status = AwardStatus.PENDING
        award.last_error = exc.code
        award.save(update_fields=["status", "last_error"])
        return award
    award.status = AwardStatus.AWARDED
    award.points_granted = result.granted
    award.limited_by = result.limited_by or ""
    award.last_error = ""
    award.settled_at = now()
    award.save()
    attendance.points_awarded = result.granted
    attendance.save(update_fields=["points_awarded"])
    return award


def _award(attendance: Attendance, project: Project, session: Session, staff: Any) -> Award | None:
    points = points_for(project, session, attendance.outcome, attendance.hours_verified)
    attendance.points_awarded = 0
    attendance.save(update_fields=["points_awarded"])
    if points <= 0:
        return None
    award = Award.objects.create(
        attendance=attendance,
        revision=attendance.revision,
        transfer_id=award_transfer_id(attendance.pk, attendance.revision),
        points_requested=points,
        status=AwardStatus.PENDING,
        created_by=staff if getattr(staff, "pk", None) else None,
    )
    return _settle(award, attendance, project, staff)


def _tell_worker(attendance: Attendance, project: Project, award: Award | None) -> None:
    if attendance.outcome == Outcome.NO_SHOW:
        body = text(gettext_noop("本场次记录为未到。"))
    elif award is None:
        body = text(gettext_noop("核定时长 %(h)s 小时。"), h=attendance.hours_verified)
    elif award.status == AwardStatus.PENDING:
        body = text(
            gettext_noop("核定时长 %(h)s 小时，%(p)s 积分待社区积分池补足后发放。"),
            h=attendance.hours_verified,
            p=award.points_requested,
        )
    else:
        body = text(
            gettext_noop("核定时长 %(h)s 小时，获得 %(p)s 积分。"),
            h=attendance.hours_verified,
            p=award.points_granted,
        )
    notification_send(
        user=attendance.worker,
        kind="volunteer.verified",
        title=text(gettext_noop("志愿服务已核验：%(title)s"), title=project.title),
        body=body,
        url=MY_CLAIMS_URL,
    )


def _lock_for_staff(
    claim: Claim, staff: Any, missing: ApplicationError
) -> tuple[Project, Session, Claim]:
    project, session = lock_session_of(claim.session_id)
    require_staff_for(staff, project, missing)
    locked = lock_claim(claim.pk)
    locked.session, locked.project = session, project
    return project, session, locked


@transaction.atomic
def attendance_verify(
    *,
    claim: Claim,
    staff: Any,
    outcome: str,
    hours: Any = None,
    quantity: int | None = None,
    note: str = "",
) -> Attendance:
    """Verify a seated claim's attendance and award its points once.

    Raises volunteering.claim_not_active, volunteering.session_not_started,
    volunteering.bad_outcome, volunteering.bad_hours, volunteering.bad_quantity,
    volunteering.hours_reason_required (hours beyond the scans without a note),
    volunteering.evidence_required (an online kind served without the worker's evidence),
    volunteering.already_verified, volunteering.claim_not_found (also outside the staff
    member's area).
    """
    project, session, locked = _lock_for_staff(claim, staff, claim_missing())
    if locked.status != ClaimStatus.CLAIMED:
        raise conflict(
            "volunteering.claim_not_active", _("该认领没有名额，无需核验。"), status=locked.status
        )
    if now() < session.starts_at:
        raise conflict("volunteering.session_not_started", _("活动尚未开始，不能核验。"))
    attendance = Attendance.objects.select_for_update().filter(claim=locked).first()
    if attendance is None:
        attendance = Attendance(
            claim=locked,
            session=session,
            project=project,
            worker_id=locked.worker_id,
            status=AttendanceStatus.CHECKED_IN,
        )
    value, qty = _decision(attendance, session, outcome, hours, quantity)
    _check_evidence(locked, project, outcome)
    if attendance.status == AttendanceStatus.VERIFIED:
        if _same_decision(attendance, outcome, value, qty):
            return attendance
        raise conflict(
            "volunteering.already_verified",
            _("该记录已核验；如需更改请使用更正并填写原因。"),
            outcome=attendance.outcome,
            hours=str(attendance.hours_verified),
        )
    note = (note or "").strip()[:300]
    beyond = _beyond_scans(attendance, session, value, note)
    before = snapshot(attendance, ATTENDANCE_AUDIT_FIELDS) if attendance.pk else None
    attendance.status = AttendanceStatus.VERIFIED
    attendance.outcome = outcome
    attendance.hours_verified = value
    attendance.quantity_verified = qty
    attendance.verified_by = staff
    attendance.verified_at = now()
    attendance.verify_note = note
    attendance.hours_beyond_scans = beyond
    attendance.revision = 1
    attendance.save()
    award = _award(attendance, project, session, staff)
    audit_record(
        actor=staff,
        action="volunteer.verify",
        obj=attendance,
        before=before,
        after={
            **snapshot(attendance, ATTENDANCE_AUDIT_FIELDS),
            "award": award.transfer_id if award else None,
            "award_status": award.status if award else None,
        },
        note=attendance.verify_note,
        region_path=project.region.path,
    )
    _tell_worker(attendance, project, award)
    return attendance


def _retire_current_award(attendance: Attendance, staff: Any, reason: str) -> None:
    award = (
        Award.objects.select_for_update()
        .filter(attendance=attendance, status__in=[AwardStatus.AWARDED, AwardStatus.PENDING])
        .order_by("-revision")
        .first()
    )
    if award is None:
        return
    if award.status == AwardStatus.AWARDED and award.points_granted > 0:
        entry = Entry.objects.get(transfer_id=award.transfer_id)
        reversal_id = reversal_transfer_id(attendance.pk, award.revision)
        reverse(transfer_id=reversal_id, entry=entry, actor=staff, reason=reason)
        award.status = AwardStatus.REVERSED
        award.reversal_transfer_id = reversal_id
    else:
        # Nothing reached the worker (pending, or capped to zero): the old id is simply retired.
        award.status = AwardStatus.VOID
    award.save(update_fields=["status", "reversal_transfer_id"])


@transaction.atomic
def attendance_correct(
    *,
    attendance: Attendance,
    staff: Any,
    outcome: str,
    reason: str,
    hours: Any = None,
    quantity: int | None = None,
) -> Attendance:
    """Change a verified decision: reverse what was paid, then pay the new decision under a new
    transfer id. A worker who has already spent the points makes the reversal fail with
    points.insufficient_balance, and nothing changes."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("volunteering.reason_required", _("更正必须填写原因。"))
    project, session, locked_claim = _lock_for_staff(attendance.claim, staff, attendance_missing())
    locked = Attendance.objects.select_for_update().select_related("worker").get(pk=attendance.pk)
    if locked.status != AttendanceStatus.VERIFIED:
        raise conflict("volunteering.not_verified", _("尚未核验，请直接核验。"))
    value, qty = _decision(locked, session, outcome, hours, quantity)
    _check_evidence(locked_claim, project, outcome)
    if _same_decision(locked, outcome, value, qty):
        return locked
    beyond = _beyond_scans(locked, session, value, reason)
    before = snapshot(locked, ATTENDANCE_AUDIT_FIELDS)
    _retire_current_award(locked, staff, reason)
    locked.outcome = outcome
    locked.hours_verified = value
    locked.hours_beyond_scans = beyond
    locked.quantity_verified = qty
    locked.verified_by = staff
    locked.verified_at = now()
    locked.revision += 1
    locked.save()
    award = _award(locked, project, session, staff)
    audit_record(
        actor=staff,
        action="volunteer.correct",
        obj=locked,
        before=before,
        after={
            **snapshot(locked, ATTENDANCE_AUDIT_FIELDS),
            "award": award.transfer_id if award else None,
        },
        note=reason,
        region_path=project.region.path,
    )
    _tell_worker(locked, project, award)
    return locked


@transaction.atomic
def award_retry(*, award: Award, staff: Any) -> Award:
    """Try a pending award again (same transfer id) once the pool has been funded."""
    attendance = Attendance.objects.select_related("claim").get(pk=award.attendance_id)
    project, _session, _claim = _lock_for_staff(attendance.claim, staff, award_missing())
    locked = Award.objects.select_for_update().get(pk=award.pk)
    if locked.status != AwardStatus.PENDING:
        raise conflict(
            "volunteering.award_not_pending", _("该积分不在待发放状态。"), status=locked.status
        )
    attendance = (
        Attendance.objects.select_for_update().select_related("worker").get(pk=attendance.pk)
    )
    settled = _settle(locked, attendance, project, staff)
    audit_record(
        actor=staff,
        action="volunteer.award_retry",
        obj=settled,
        after={"status": settled.status, "granted": settled.points_granted},
        region_path=project.region.path,
    )
    if settled.status == AwardStatus.AWARDED:
        _tell_worker(attendance, project, settled)
    return settled
