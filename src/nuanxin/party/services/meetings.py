"""Branch life on the road: schedule meetings, sign in (QR at the place, online for mobile
members within the window), absences with a reason, minutes.

Sign-in is safe to retry: one row per member and meeting (unique constraint); a second scan
or tap answers the first sign-in again.
"""

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError, conflict, forbidden
from nuanxin.core.notifications import notification_send
from nuanxin.core.texts import text
from nuanxin.party.models import (
    PARTY_MEMBER_KINDS,
    Attendance,
    AttendanceMethod,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Membership,
    Organisation,
    OrgStatus,
)
from nuanxin.party.services._common import (
    meeting_missing,
    organisation_missing,
    require_reach,
)

MAX_EARLY_MINUTES = 240
MEETING_URL = "/party/meetings/{pk}/"


def _invalid(code: str, message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(f"party.{code}", message, extra=extra)


def signin_window(meeting: Meeting) -> tuple[dt.datetime, dt.datetime]:
    """From ``signin_early_minutes`` before the start until the end."""
    return meeting.starts_at - dt.timedelta(minutes=meeting.signin_early_minutes), meeting.ends_at


def _members_with_accounts(org: Organisation) -> list[Any]:
    rows = Membership.objects.filter(
        organisation=org, left_on__isnull=True, worker__user__isnull=False
    ).select_related("worker__user")
    return [m.worker.user for m in rows]


@transaction.atomic
def meeting_schedule(
    *,
    actor: Any,
    organisation: Organisation,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str = "",
    online_link: str = "",
    signin_early_minutes: int = 30,
) -> Meeting:
    """Schedule a meeting or activity at a place, online, or both; the members are told in
    their inbox."""
    require_reach(actor, organisation, organisation_missing(), region_field="region")
    if organisation.status != OrgStatus.ACTIVE:
        raise _invalid("organisation_ended", _("该组织已合并或撤销。"))
    if kind not in MeetingKind.values:
        raise _invalid("invalid_kind", _("会议类型无效。"), field="kind")
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise _invalid("invalid_title", _("请填写会议主题（200 字以内）。"), field="title")
    if ends_at <= starts_at or ends_at - starts_at > dt.timedelta(days=2):
        raise _invalid("invalid_time", _("结束时间须晚于开始时间，且不超过两天。"), field="ends_at")
    place, online_link = (place or "").strip(), (online_link or "").strip()
    if not place and not online_link:
        raise _invalid("place_required", _("请填写会议地点或线上会议链接。"), field="place")
    if online_link and not online_link.startswith(("https://", "http://")):
        raise _invalid("invalid_link", _("线上会议链接须以 https:// 开头。"), field="online_link")
    if not 0 <= signin_early_minutes <= MAX_EARLY_MINUTES:
        raise _invalid("invalid_window", _("提前签到时间须在 0 到 240 分钟之间。"))
    meeting = Meeting.objects.create(
        organisation=organisation, kind=kind, title=title, starts_at=starts_at, ends_at=ends_at,
        place=place[:200], online_link=online_link[:200], qr_token=secrets.token_hex(16),
        signin_early_minutes=signin_early_minutes,
    )  # fmt: skip
    audit_record(
        actor=actor, action="party.meeting_schedule", obj=meeting,
        after={"organisation": organisation.pk, "kind": kind, "title": title,
               "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
        region_path=organisation.region.path,
    )  # fmt: skip
    local = timezone.localtime(starts_at)
    for user in _members_with_accounts(organisation):
        notification_send(
            user=user, kind="party.meeting",
            title=text(gettext_noop("支部活动：%(title)s"), title=title),
            body=text(gettext_noop("%(when)s %(where)s"), when=f"{local:%Y-%m-%d %H:%M}",
                      where=place or text(gettext_noop("线上"))),
            url=MEETING_URL.format(pk=meeting.pk),
        )  # fmt: skip
    return meeting


def _membership_for(user: Any, meeting: Meeting) -> Membership:
    """The member's open period in the meeting's organisation; anyone else is told the
    meeting does not exist."""
    m = Membership.objects.filter(
        worker__user=user, organisation_id=meeting.organisation_id, left_on__isnull=True,
        kind__in=PARTY_MEMBER_KINDS,
    ).first()  # fmt: skip
    if getattr(user, "pk", None) is None or m is None:
        raise meeting_missing()
    return m


@transaction.atomic
def meeting_sign_in(*, user: Any, meeting: Meeting, method: str, token: str = "") -> Attendance:
    """A member signs in: by the QR code at the place (``token``), or online (mobile members
    only, within the window wherever they are)."""
    membership = _membership_for(user, meeting)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status == MeetingStatus.CANCELLED:
        raise conflict("party.meeting_cancelled", _("该活动已取消。"))
    now = timezone.now()
    opens, closes = signin_window(locked)
    if now < opens:
        raise _invalid(
            "signin_not_open", _("签到尚未开始（开始前 %(m)d 分钟开放）。") % {
                "m": locked.signin_early_minutes},
            opens_at=opens.isoformat(),
        )  # fmt: skip
    if now > closes:
        raise _invalid("signin_closed", _("活动已结束，签到已关闭。"))
    if method == AttendanceMethod.QR:
        if not token or not secrets.compare_digest(str(token), locked.qr_token):
            raise _invalid("bad_qr", _("二维码无效，请扫描本次活动现场的二维码。"))
    elif method == AttendanceMethod.ONLINE:
        if not membership.mobile:
            raise forbidden(
                "party.online_for_mobile_only", _("线上签到仅限流动党员，请到现场扫码签到。")
            )
    else:
        raise _invalid("invalid_method", _("签到方式无效。"), field="method")
    existing = Attendance.objects.filter(meeting=locked, membership=membership).first()
    if existing is not None and existing.method != AttendanceMethod.ABSENT:
        return existing
    if existing is not None:
        existing.method, existing.at, existing.absence_reason = method, now, ""
        existing.save(update_fields=["method", "at", "absence_reason"])
        row = existing
    else:
        try:
            with transaction.atomic():
                row = Attendance.objects.create(
                    meeting=locked, membership=membership, method=method, at=now
                )
        except IntegrityError:
            return Attendance.objects.get(meeting=locked, membership=membership)
    audit_record(
        actor=user, action="party.meeting_sign_in", obj=row,
        after={"meeting": locked.pk, "membership": membership.pk, "method": method},
    )  # fmt: skip
    return row


@transaction.atomic
def meeting_absence(*, user: Any, meeting: Meeting, reason: str) -> Attendance:
    """A member says they cannot come, with the reason (before the meeting ends)."""
    membership = _membership_for(user, meeting)
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise _invalid("reason_required", _("请填写请假原因（300 字以内）。"), field="reason")
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if timezone.now() > locked.ends_at:
        raise _invalid("signin_closed", _("活动已结束。"))
    existing = Attendance.objects.filter(meeting=locked, membership=membership).first()
    if existing is not None and existing.method != AttendanceMethod.ABSENT:
        raise conflict("party.already_signed_in", _("您已签到，无需请假。"))
    row, _created = Attendance.objects.update_or_create(
        meeting=locked, membership=membership,
        defaults={"method": AttendanceMethod.ABSENT, "at": timezone.now(),
                  "absence_reason": reason},
    )  # fmt: skip
    audit_record(
        actor=user, action="party.meeting_absence", obj=row,
        after={"meeting": locked.pk, "membership": membership.pk, "reason": reason},
    )  # fmt: skip
    return row


@transaction.atomic
def meeting_record_minutes(
    *, actor: Any, meeting: Meeting, minutes: str, resolutions: str = ""
) -> Meeting:
    """The minutes and resolutions of a meeting that took place; it is then held."""
    require_reach(actor, meeting, meeting_missing(), region_field="organisation__region")
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status == MeetingStatus.CANCELLED:
        raise conflict("party.meeting_cancelled", _("该活动已取消。"))
    if timezone.now() < locked.starts_at:
        raise _invalid("not_started", _("活动尚未开始，不能填写会议记录。"))
    minutes = (minutes or "").strip()
    if not minutes:
        raise _invalid("minutes_required", _("请填写会议记录。"), field="minutes")
    before = {"status": locked.status}
    locked.minutes, locked.resolutions = minutes[:20000], (resolutions or "").strip()[:20000]
    locked.status = MeetingStatus.HELD
    locked.save(update_fields=["minutes", "resolutions", "status"])
    audit_record(
        actor=actor, action="party.meeting_minutes", obj=locked, before=before,
        after={"status": locked.status}, region_path=locked.organisation.region.path,
    )  # fmt: skip
    return locked


@transaction.atomic
def meeting_cancel(*, actor: Any, meeting: Meeting, reason: str) -> Meeting:
    require_reach(actor, meeting, meeting_missing(), region_field="organisation__region")
    # The members are told why: a cancellation without a reason is refused.
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise _invalid("reason_required", _("请填写取消原因（300 字以内）。"), field="reason")
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status != MeetingStatus.SCHEDULED:
        raise conflict("party.meeting_not_scheduled", _("只有尚未召开的活动可以取消。"))
    locked.status = MeetingStatus.CANCELLED
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor, action="party.meeting_cancel", obj=locked, note=reason,
        after={"status": locked.status}, region_path=locked.organisation.region.path,
    )  # fmt: skip
    for user in _members_with_accounts(locked.organisation):
        notification_send(
            user=user, kind="party.meeting_cancelled",
            title=text(gettext_noop("支部活动已取消：%(title)s"), title=locked.title),
            body=reason,
        )  # fmt: skip
    return locked


REMIND_BEFORE = dt.timedelta(hours=2)


def meetings_remind_due() -> int:
    """Remind the members of each scheduled meeting starting within two hours, once (the row
    is locked and marked in the same transaction, so two job runners never remind twice)."""
    now = timezone.now()
    due = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMIND_BEFORE,
    ).values_list("pk", flat=True)
    reminded = 0
    for pk in list(due):
        with transaction.atomic():
            meeting = (
                Meeting.objects.select_for_update()
                .filter(pk=pk, reminded_at__isnull=True)
                .select_related("organisation")
                .first()
            )
            if meeting is None:
                continue
            meeting.reminded_at = now
            meeting.save(update_fields=["reminded_at"])
            local = timezone.localtime(meeting.starts_at)
            for user in _members_with_accounts(meeting.organisation):
                notification_send(
                    user=user, kind="party.meeting_reminder",
                    title=text(gettext_noop("即将开始：%(title)s"), title=meeting.title),
                    body=text(gettext_noop("%(when)s 开始，流动党员可线上签到。"),
                              when=f"{local:%H:%M}"),
                    url=MEETING_URL.format(pk=meeting.pk),
                )  # fmt: skip
            reminded += 1
    return reminded
