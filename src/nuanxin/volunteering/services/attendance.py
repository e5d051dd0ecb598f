"""Attendance: check-in and check-out by the session's QR code or by staff, reported quantities.

The QR code of a session carries a signed token (``django.core.signing``) naming the session, so
it can be printed once and cannot be forged for another session. Scanning proves nothing about
who scans: the worker must be logged in and hold a seated claim. When the worker's phone sends
its position and the project has a meeting point, a scan from farther than
``VOLUNTEER_SCAN_MAX_METERS`` is refused; the position is only compared, never stored (PIPL).
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.geo.coords import CoordSystem, haversine_m, pair, point_to_wgs84
from nuanxin.volunteering.models import (
    Attendance,
    AttendanceStatus,
    CheckMethod,
    Claim,
    ClaimStatus,
    Project,
    Session,
)
from nuanxin.volunteering.services._common import (
    ATTENDANCE_AUDIT_FIELDS,
    CHECKIN_EARLY,
    CHECKOUT_LATE,
    attendance_missing,
    check_quantity,
    claim_missing,
    hours_in_session,
    lock_claim,
    lock_session_of,
    now,
    require_staff_for,
    require_worker,
)
from nuanxin.volunteering.services.claims import promote_waitlist

TOKEN_SALT = "nuanxin.volunteering.session-qr"


def session_token(session: Session) -> str:
    """The token printed in the session's QR code."""
    # No timestamp: the poster is printed once and the same session always has the same code.
    return signing.Signer(salt=TOKEN_SALT).sign_object({"s": session.pk}, compress=True)


def session_from_token(token: str) -> Session:
    try:
        data = signing.Signer(salt=TOKEN_SALT).unsign_object(token or "")
        session = Session.objects.select_related("project").filter(pk=int(data["s"])).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        session = None
    if session is None:
        raise ApplicationError("volunteering.bad_token", _("二维码无效，请扫描活动现场的二维码。"))
    return session


def scan_max_meters() -> float:
    return float(getattr(settings, "VOLUNTEER_SCAN_MAX_METERS", 1000))


def _check_distance(
    project: Project, location: tuple[float, float] | None, coord_system: str
) -> None:
    if location is None or project.place_lon is None or project.place_lat is None:
        return
    lon, lat = point_to_wgs84(*pair(location), coord_system)
    distance = haversine_m(lon, lat, project.place_lon, project.place_lat)
    if distance > scan_max_meters():
        raise ApplicationError(
            "volunteering.too_far",
            _("您距离集合地点约 %(m)s 米，请到现场扫码。") % {"m": int(distance)},
            extra={"distance_m": int(distance)},
        )


def _seated_claim_of(project: Project, session: Session, worker: Any) -> Claim:
    claim = (
        Claim.objects.select_for_update()
        .filter(
            session=session,
            worker=worker,
            status__in=[ClaimStatus.CLAIMED, ClaimStatus.WAITLISTED],
        )
        .first()
    )
    if claim is not None and claim.status == ClaimStatus.WAITLISTED:
        # A waiting worker who turns up takes a place someone gave back, if there is one now.
        promote_waitlist(project, session)
        claim.refresh_from_db()
    if claim is None or claim.status != ClaimStatus.CLAIMED:
        raise conflict(
            "volunteering.no_claim",
            _("您没有该场次的名额，请先认领或联系现场工作人员。"),
            session=session.pk,
        )
    return claim


def _check_in(
    project: Project, session: Session, claim: Claim, at: dt.datetime, method: str, actor: Any
) -> Attendance:
    if at < session.starts_at - CHECKIN_EARLY:
        raise conflict(
            "volunteering.checkin_not_open",
            _("签到将在活动开始前 30 分钟开放。"),
            opens_at=(session.starts_at - CHECKIN_EARLY).isoformat(),
        )
    if at > session.ends_at:
        raise conflict("volunteering.checkin_closed", _("该场次已结束，不能签到。"))
    if Attendance.objects.filter(claim=claim).exists():
        raise conflict("volunteering.already_checked_in", _("已经签到过了。"))
    attendance = Attendance.objects.create(
        claim=claim,
        session=session,
        project=project,
        worker_id=claim.worker_id,
        status=AttendanceStatus.CHECKED_IN,
        checked_in_at=at,
        checkin_method=method,
    )
    audit_record(
        actor=actor,
        action="volunteer.check_in",
        obj=attendance,
        after={**snapshot(attendance, ATTENDANCE_AUDIT_FIELDS), "method": method},
        region_path=project.region.path,
    )
    return attendance


def _check_out(
    project: Project,
    session: Session,
    claim: Claim,
    at: dt.datetime,
    method: str,
    actor: Any,
    quantity: int | None,
) -> Attendance:
    attendance = Attendance.objects.select_for_update().filter(claim=claim).first()
    if attendance is None:
        raise conflict("volunteering.not_checked_in", _("请先签到。"))
    if attendance.status != AttendanceStatus.CHECKED_IN:
        raise conflict("volunteering.already_checked_out", _("已经签退过了。"))
    if at > session.ends_at + CHECKOUT_LATE:
        raise conflict(
            "volunteering.checkout_closed",
            _("签退已截止，请联系工作人员核定时长。"),
        )
    if at < attendance.checked_in_at:
        raise ApplicationError("volunteering.bad_time", _("签退时间不能早于签到时间。"))
    before = snapshot(attendance, ATTENDANCE_AUDIT_FIELDS)
    attendance.status = AttendanceStatus.CHECKED_OUT
    attendance.checked_out_at = at
    attendance.checkout_method = method
    attendance.hours_recorded = hours_in_session(session, attendance.checked_in_at, at)
    if quantity is not None:
        attendance.quantity_reported = check_quantity(quantity)
    attendance.save()
    audit_record(
        actor=actor,
        action="volunteer.check_out",
        obj=attendance,
        before=before,
        after={**snapshot(attendance, ATTENDANCE_AUDIT_FIELDS), "method": method},
        region_path=project.region.path,
    )
    return attendance


@transaction.atomic
def attendance_check_in(
    *,
    token: str,
    worker: Any,
    location: tuple[float, float] | None = None,
    coord_system: str = CoordSystem.WGS84,
) -> Attendance:
    """Check in by scanning the session's QR code."""
    require_worker(worker)
    project, session = lock_session_of(session_from_token(token).pk)
    _check_distance(project, location, coord_system)
    claim = _seated_claim_of(project, session, worker)
    return _check_in(project, session, claim, now(), CheckMethod.QR, worker)


@transaction.atomic
def attendance_check_out(
    *,
    token: str,
    worker: Any,
    quantity: int | None = None,
    location: tuple[float, float] | None = None,
    coord_system: str = CoordSystem.WGS84,
) -> Attendance:
    """Check out by scanning the session's QR code again; leaflet tasks report how many."""
    require_worker(worker)
    project, session = lock_session_of(session_from_token(token).pk)
    _check_distance(project, location, coord_system)
    claim = _seated_claim_of(project, session, worker)
    return _check_out(project, session, claim, now(), CheckMethod.QR, worker, quantity)


def _staff_time(at: dt.datetime | None) -> dt.datetime:
    current = now()
    if at is None:
        return current
    if at.tzinfo is None or at > current:
        raise ApplicationError("volunteering.bad_time", _("登记时间不能晚于现在。"))
    return at


def _staff_claim(claim: Claim, staff: Any) -> tuple[Project, Session, Claim]:
    project, session = lock_session_of(claim.session_id)
    require_staff_for(staff, project, claim_missing())
    locked = lock_claim(claim.pk)
    if locked.status != ClaimStatus.CLAIMED:
        raise conflict(
            "volunteering.no_claim", _("该认领没有名额（候补、已退出或已取消）。"), claim=claim.pk
        )
    return project, session, locked


@transaction.atomic
def attendance_staff_check_in(
    *, claim: Claim, staff: Any, at: dt.datetime | None = None
) -> Attendance:
    """Staff mark a worker present (no camera, flat phone), now or at a time they enter."""
    project, session, locked = _staff_claim(claim, staff)
    return _check_in(project, session, locked, _staff_time(at), CheckMethod.STAFF, staff)


@transaction.atomic
def attendance_staff_check_out(
    *, claim: Claim, staff: Any, at: dt.datetime | None = None, quantity: int | None = None
) -> Attendance:
    project, session, locked = _staff_claim(claim, staff)
    return _check_out(project, session, locked, _staff_time(at), CheckMethod.STAFF, staff, quantity)


@transaction.atomic
def attendance_report_quantity(*, attendance: Attendance, worker: Any, quantity: int) -> Attendance:
    """The worker reports (or corrects) how many leaflets they handed out, until verified."""
    locked = (
        Attendance.objects.select_for_update()
        .select_related("project__region")
        .get(pk=attendance.pk)
    )
    if locked.worker_id != getattr(worker, "pk", None):
        raise attendance_missing()
    if locked.status == AttendanceStatus.VERIFIED:
        raise conflict("volunteering.already_verified", _("已核验，不能再修改。"))
    before = snapshot(locked, ATTENDANCE_AUDIT_FIELDS)
    locked.quantity_reported = check_quantity(quantity)
    locked.save(update_fields=["quantity_reported"])
    audit_record(
        actor=worker,
        action="volunteer.report_quantity",
        obj=locked,
        before=before,
        after=snapshot(locked, ATTENDANCE_AUDIT_FIELDS),
        region_path=locked.project.region.path,
    )
    return locked
