"""Claims: a worker takes a place in a session, waits for one, or withdraws.

Every service here locks the project row and then the session row (``lock_session_of``) before
it counts places, so concurrent claims for the last places are serialised and a session never
holds more seated claims than it has places, on SQLite and PostgreSQL alike.

"Party members first" (``Requirement.PARTY_FIRST``): from publication until ``party_hold_hours``
later (or the session's start, if sooner) only party members are seated; anyone else who claims
goes onto the waiting list marked ``held_back``. When the hold ends, the waiting list is seated in
the order people claimed, as places allow, the next time anything touches the session (a claim,
a withdrawal, a scan at the place, staff pressing "递补", or ``nuanxin volunteering_promote``).
"""

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.core.notifications import notification_send
from nuanxin.core.scoping import in_jurisdiction
from nuanxin.core.texts import text
from nuanxin.volunteering.models import (
    Attendance,
    Claim,
    ClaimStatus,
    Project,
    ProjectStatus,
    Requirement,
    Session,
)
from nuanxin.volunteering.services._common import (
    CLAIM_AUDIT_FIELDS,
    claim_missing,
    is_party_member,
    lock_claim,
    lock_session_of,
    now,
    require_staff_for,
    require_worker,
    session_missing,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by staff
CODE_LENGTH = 6
MY_CLAIMS_URL = "/volunteer/mine/"


def hold_until(project: Project, session: Session) -> dt.datetime | None:
    """When the party-members-first hold ends for ``session`` (None: the project has none)."""
    if project.requirement != Requirement.PARTY_FIRST or project.published_at is None:
        return None
    return min(
        project.published_at + dt.timedelta(hours=project.party_hold_hours), session.starts_at
    )


def _held(project: Project, session: Session, party_member: bool, at: dt.datetime) -> bool:
    until = hold_until(project, session)
    return until is not None and not party_member and at < until


def _new_code(session: Session) -> str:
    taken = set(Claim.objects.filter(session=session).values_list("code", flat=True))
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


def seated_count(session: Session) -> int:
    return Claim.objects.filter(session=session, status=ClaimStatus.CLAIMED).count()


def promote_waitlist(project: Project, session: Session) -> list[Claim]:
    """Seat waiting claims in claim order while places are free; expire the waiting list of a
    session that has ended. The caller holds the project and session locks."""
    at = now()
    waiting = Claim.objects.select_for_update().filter(
        session=session, status=ClaimStatus.WAITLISTED
    )
    if at >= session.ends_at:
        expired = list(waiting)
        for claim in expired:
            _end(claim, ClaimStatus.EXPIRED, at)
        return []
    free = session.places - seated_count(session)
    promoted: list[Claim] = []
    if free <= 0:
        return promoted
    for claim in waiting.select_related("worker").order_by("created_at", "id"):
        if len(promoted) >= free:
            break
        if _held(project, session, claim.party_member, at):
            continue
        before = snapshot(claim, CLAIM_AUDIT_FIELDS)
        claim.status = ClaimStatus.CLAIMED
        claim.seated_at = at
        claim.save(update_fields=["status", "seated_at"])
        audit_record(
            actor=None,
            action="volunteer.claim_promote",
            obj=claim,
            before=before,
            after=snapshot(claim, CLAIM_AUDIT_FIELDS),
            region_path=project.region.path,
        )
        notification_send(
            user=claim.worker,
            kind="volunteer.promoted",
            title=text(gettext_noop("候补成功：%(title)s"), title=project.title),
            body=text(
                gettext_noop("您已获得 %(when)s 场次的名额，认领码 %(code)s。"),
                when=_local(session.starts_at),
                code=claim.code,
            ),
            url=MY_CLAIMS_URL,
        )
        promoted.append(claim)
    return promoted


def _local(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def _end(claim: Claim, status: str, at: dt.datetime) -> None:
    claim.status = status
    claim.ended_at = at
    claim.save(update_fields=["status", "ended_at"])


def _seat_or_wait(
    project: Project,
    session: Session,
    worker: Any,
    *,
    added_by: Any = None,
    ignore_hold: bool = False,
) -> Claim:
    at = now()
    if Claim.objects.filter(
        session=session, worker=worker, status__in=[ClaimStatus.CLAIMED, ClaimStatus.WAITLISTED]
    ).exists():
        raise conflict("volunteering.already_claimed", _("您已认领该场次。"), session=session.pk)
    promote_waitlist(project, session)
    party = is_party_member(worker)
    held = not ignore_hold and _held(project, session, party, at)
    # Someone already waiting goes before a newcomer, unless the newcomer is a party member
    # during the hold (the waiting list then holds only people the hold keeps back).
    has_free_place = seated_count(session) < session.places
    seated = has_free_place and not held
    claim = Claim(
        session=session,
        project=project,
        worker=worker,
        status=ClaimStatus.CLAIMED if seated else ClaimStatus.WAITLISTED,
        code=_new_code(session),
        party_member=party,
        held_back=held,
        added_by=added_by,
        seated_at=at if seated else None,
    )
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError as exc:
        # The partial unique index caught a second claim by the same worker that slipped past
        # the check above (possible only across sessions locked in another order).
        raise conflict(
            "volunteering.already_claimed", _("您已认领该场次。"), session=session.pk
        ) from exc
    audit_record(
        actor=added_by or worker,
        action="volunteer.claim" if added_by is None else "volunteer.claim_record",
        obj=claim,
        after={**snapshot(claim, CLAIM_AUDIT_FIELDS), "session": session.pk, "code": claim.code},
        region_path=project.region.path,
    )
    return claim


@transaction.atomic
def claim_create(*, session: Session, worker: Any) -> Claim:
    """Claim a place in ``session`` for ``worker``; waitlisted when full or held back.

    Raises volunteering.workers_only, volunteering.not_open, volunteering.session_ended,
    volunteering.already_claimed.
    """
    require_worker(worker)
    project, session = lock_session_of(session.pk)
    if project.status == ProjectStatus.DRAFT:
        raise session_missing()  # a draft is not shown to workers
    if project.status != ProjectStatus.PUBLISHED:
        raise conflict(
            "volunteering.not_open",
            _("该项目当前不接受认领。"),
            status=project.status,
        )
    if now() >= session.ends_at:
        raise conflict("volunteering.session_ended", _("该场次已结束。"), session=session.pk)
    return _seat_or_wait(project, session, worker)


@transaction.atomic
def claim_record(*, session: Session, worker: Any, staff: Any) -> Claim:
    """Staff sign a worker up for a session on the spot or afterwards (现场报名/补录).

    The places still count and the party hold does not apply (staff decide who is there); a
    session that is full refuses with volunteering.session_full.
    """
    require_worker(worker)
    project, session = lock_session_of(session.pk)
    require_staff_for(staff, project, session_missing())
    if project.status not in (ProjectStatus.PUBLISHED, ProjectStatus.CLOSED):
        raise conflict("volunteering.not_open", _("该项目当前不接受认领。"), status=project.status)
    promote_waitlist(project, session)
    if seated_count(session) >= session.places:
        raise conflict("volunteering.session_full", _("该场次名额已满。"), session=session.pk)
    return _seat_or_wait(project, session, worker, added_by=staff, ignore_hold=True)


def _active_claim_for_change(
    claim: Claim, allowed: Callable[[Project, Claim], bool]
) -> tuple[Project, Session, Claim]:
    """The claim and its session under locks, if ``allowed`` (who may change it: checked
    before its state, and a claim one may not change answers like a missing one) and it is
    still active."""
    project, session = lock_session_of(claim.session_id)
    locked = lock_claim(claim.pk)
    if not allowed(project, locked):
        raise claim_missing()
    if locked.status not in (ClaimStatus.CLAIMED, ClaimStatus.WAITLISTED):
        raise conflict(
            "volunteering.claim_not_active",
            _("该认领已撤回或已取消。"),
            status=locked.status,
        )
    if Attendance.objects.filter(claim=locked).exists():
        raise conflict("volunteering.already_checked_in", _("已签到的认领不能撤回或取消。"))
    return project, session, locked


@transaction.atomic
def claim_withdraw(*, claim: Claim, worker: Any) -> Claim:
    """The worker gives the place back. A seated claim may be withdrawn until
    ``withdraw_hours_before`` hours before the session starts; a waiting one at any time."""
    project, session, locked = _active_claim_for_change(
        claim, lambda _project, c: c.worker_id == getattr(worker, "pk", None)
    )
    at = now()
    deadline = session.starts_at - dt.timedelta(hours=project.withdraw_hours_before)
    if locked.status == ClaimStatus.CLAIMED and at >= deadline:
        raise ApplicationError(
            "volunteering.withdraw_closed",
            _("活动开始前 %(hours)s 小时内不能撤回认领，请联系工作人员。")
            % {"hours": project.withdraw_hours_before},
            extra={"deadline": deadline.isoformat()},
            status=409,
        )
    before = snapshot(locked, CLAIM_AUDIT_FIELDS)
    _end(locked, ClaimStatus.WITHDRAWN, at)
    audit_record(
        actor=worker,
        action="volunteer.claim_withdraw",
        obj=locked,
        before=before,
        after=snapshot(locked, CLAIM_AUDIT_FIELDS),
        region_path=project.region.path,
    )
    promote_waitlist(project, session)
    return locked


@transaction.atomic
def claim_cancel(*, claim: Claim, staff: Any, reason: str = "") -> Claim:
    """Staff take a claim back (the worker phoned in, or signed up twice), at any time before
    check-in; the worker is told and the next person on the waiting list is seated."""
    project, session, locked = _active_claim_for_change(
        claim, lambda p, _claim: in_jurisdiction(staff, p.region)
    )
    before = snapshot(locked, CLAIM_AUDIT_FIELDS)
    _end(locked, ClaimStatus.CANCELLED, now())
    audit_record(
        actor=staff,
        action="volunteer.claim_cancel",
        obj=locked,
        before=before,
        after=snapshot(locked, CLAIM_AUDIT_FIELDS),
        note=reason,
        region_path=project.region.path,
    )
    notification_send(
        user=locked.worker,
        kind="volunteer.claim_cancelled",
        title=text(gettext_noop("您的志愿服务认领已被取消：%(title)s"), title=project.title),
        body=reason,
        url=MY_CLAIMS_URL,
    )
    promote_waitlist(project, session)
    return locked


@transaction.atomic
def session_promote_waitlist(*, session: Session, actor: Any = None) -> list[Claim]:
    """Seat whoever can be seated now (staff's "递补" button; ``actor`` None for the cron)."""
    project, session = lock_session_of(session.pk)
    if actor is not None:
        require_staff_for(actor, project, session_missing())
    return promote_waitlist(project, session)


def sessions_promote_due() -> int:
    """Run the waiting lists of every session that has people waiting; returns how many were
    seated. For ``nuanxin volunteering_promote`` (a periodic job)."""
    session_ids = (
        Claim.objects.filter(status=ClaimStatus.WAITLISTED)
        .values_list("session_id", flat=True)
        .distinct()
    )
    seated = 0
    for session_id in list(session_ids):
        seated += len(session_promote_waitlist(session=Session(pk=session_id)))
    return seated
