"""Branch life in figures: meetings held, attendance rates, members not reached; a member's
own meetings."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from nuanxin.core.scoping import get_in_scope_or_404
from nuanxin.party.models import (
    PARTY_MEMBER_KINDS,
    Attendance,
    AttendanceMethod,
    Meeting,
    MeetingStatus,
    Membership,
    Organisation,
)
from nuanxin.party.services._common import meeting_missing

NOT_REACHED_DAYS = 90


def open_membership_of(user: Any) -> Membership | None:
    if getattr(user, "pk", None) is None:
        return None
    return (
        Membership.objects.filter(
            worker__user=user, left_on__isnull=True, kind__in=PARTY_MEMBER_KINDS
        )
        .select_related("organisation")
        .first()
    )


def meetings_of_member(user: Any) -> QuerySet[Meeting]:
    """The meetings of the member's organisation, from a week ago on."""
    m = open_membership_of(user)
    if m is None:
        return Meeting.objects.none()
    since = timezone.now() - dt.timedelta(days=7)
    return Meeting.objects.filter(organisation=m.organisation, ends_at__gte=since).order_by(
        "starts_at"
    )


def meeting_of_member(user: Any, pk: int) -> Meeting:
    m = open_membership_of(user)
    qs = Meeting.objects.filter(organisation=m.organisation) if m else Meeting.objects.none()
    return get_in_scope_or_404(qs, meeting_missing(), pk=pk)


def attendance_of(user: Any, meeting: Meeting) -> Attendance | None:
    return Attendance.objects.filter(meeting=meeting, membership__worker__user=user).first()


@dataclass
class BranchLife:
    organisation: Organisation
    members: int
    meetings_held: int
    attendance_rate: float
    not_reached: list[Membership]


def branch_life(org: Organisation, *, now: dt.datetime | None = None) -> BranchLife:
    """Meetings held (not cancelled, already started), the share of member-meetings signed in,
    and the members with no sign-in in the last 90 days."""
    now = now or timezone.now()
    members = list(
        Membership.objects.filter(
            organisation=org, left_on__isnull=True, kind__in=PARTY_MEMBER_KINDS
        ).select_related("worker")
    )
    held = list(
        Meeting.objects.filter(organisation=org, starts_at__lte=now).exclude(
            status=MeetingStatus.CANCELLED
        )
    )
    signed = Attendance.objects.filter(meeting__in=held).exclude(method=AttendanceMethod.ABSENT)
    days = [timezone.localdate(mt.starts_at) for mt in held]
    expected = sum(1 for day in days for m in members if m.joined_on <= day)
    rate = round(100 * signed.count() / expected, 1) if expected else 0.0
    since = now - dt.timedelta(days=NOT_REACHED_DAYS)
    reached = set(
        signed.filter(meeting__starts_at__gte=since).values_list("membership_id", flat=True)
    )
    not_reached = [m for m in members if m.pk not in reached]
    return BranchLife(org, len(members), len(held), rate, not_reached)


def member_life(membership: Membership) -> dict[str, Any]:
    rows = Attendance.objects.filter(membership=membership)
    signed = rows.exclude(method=AttendanceMethod.ABSENT)
    last = signed.order_by("-at").first()
    return {
        "signed_in": signed.count(),
        "absent": rows.filter(method=AttendanceMethod.ABSENT).count(),
        "last_signed_at": last.at if last else None,
    }
