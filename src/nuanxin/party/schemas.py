"""Request and response shapes of the party API (strict, bounded types from core.schema)."""

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import StrictBool

from nuanxin.core.schema import Date, DateTime, Id, Ids, json_int
from nuanxin.party.models import Meeting, Membership
from nuanxin.party.services.meetings import signin_window


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    branch_type: str
    parent_id: int | None
    attachment: str
    enterprise_id: int | None
    chain_name: str
    region_code: str
    region_name: str
    founded_on: dt.date
    status: str
    ended_on: dt.date | None
    depth: int = 0
    formal: int = 0
    probationary: int = 0
    activists: int = 0
    badges: int = 0
    badge_reports: int = 0
    badge_hours: float = 0.0

    @staticmethod
    def of(org: Any, node: Any = None) -> "OrganisationOut":
        extra = {}
        if node is not None:
            extra = {
                "depth": node.depth,
                "formal": node.formal,
                "probationary": node.probationary,
                "activists": node.activists,
                "badges": node.badges,
                "badge_reports": node.badge_reports,
                "badge_hours": float(node.badge_hours),
            }
        return OrganisationOut(
            id=org.pk, name=org.name, kind=org.kind, kind_label=str(org.get_kind_display()),
            branch_type=org.branch_type, parent_id=org.parent_id, attachment=org.attachment,
            enterprise_id=org.enterprise_id, chain_name=org.chain_name,
            region_code=org.region.code, region_name=org.region.name,
            founded_on=org.founded_on, status=org.status, ended_on=org.ended_on, **extra,
        )  # fmt: skip


class OrganisationIn(Schema):
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    branch_type: str = Field("regular", max_length=12)
    attachment: str = Field(max_length=12)
    region_code: str = Field(max_length=32)
    founded_on: Date
    parent_id: Id | None = None
    enterprise_id: Id | None = None
    chain_name: str = Field("", max_length=100)


class OrganisationEndIn(Schema):
    status: str = Field(max_length=12)
    on: Date
    note: str = Field("", max_length=300)
    merged_into_id: Id | None = None


class MemberOut(Schema):
    id: int
    worker_id: int
    name: str
    phone: str
    organisation_id: int
    kind: str
    mobile: bool
    joined_on: dt.date
    left_on: dt.date | None
    leave_reason: str
    next_id: int | None

    @staticmethod
    def of(m: Membership) -> "MemberOut":
        return MemberOut(
            id=m.pk, worker_id=m.worker_id, name=m.worker.name, phone=m.worker.masked_phone,
            organisation_id=m.organisation_id, kind=m.kind, mobile=m.mobile,
            joined_on=m.joined_on, left_on=m.left_on, leave_reason=m.leave_reason,
            next_id=m.next_id,
        )  # fmt: skip


class PartyJoinIn(Schema):
    worker_id: Id
    kind: str = Field(max_length=14)
    joined_on: Date
    mobile: bool = False


class TransferIn(Schema):
    to_organisation_id: Id
    on: Date
    note: str = Field("", max_length=300)


class LeaveIn(Schema):
    on: Date
    reason: str = Field(max_length=12)
    note: str = Field("", max_length=300)


class PartyCoverageOut(Schema):
    region_code: str
    region_name: str
    enterprises: int
    own: int
    joint: int
    instructor: int
    organisation_rate: float
    work_rate: float
    must_set_up: int
    mass: dict[str, int]


class CoverageAreaOut(Schema):
    total: PartyCoverageOut
    children: list[PartyCoverageOut]


class MonthOut(Schema):
    month_end: dt.date
    figures: PartyCoverageOut


class MustSetUpOut(Schema):
    enterprise_id: int
    name: str
    formal: int
    probationary: int
    status: str


class MassOut(Schema):
    id: int
    name: str
    kind: str
    region_code: str
    enterprise_id: int | None
    station_name: str
    founded_on: dt.date
    member_count: int


class MeetingOut(Schema):
    id: int
    organisation_id: int
    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    online_link: str
    status: str
    signin_opens_at: dt.datetime

    @staticmethod
    def of(m: Meeting) -> "MeetingOut":
        return MeetingOut(
            id=m.pk, organisation_id=m.organisation_id, kind=m.kind, title=m.title,
            starts_at=m.starts_at, ends_at=m.ends_at, place=m.place, online_link=m.online_link,
            status=m.status, signin_opens_at=signin_window(m)[0],
        )  # fmt: skip


class MeetingIn(Schema):
    kind: str = Field(max_length=20)
    title: str = Field(max_length=200)
    starts_at: DateTime
    ends_at: DateTime
    place: str = Field("", max_length=200)
    online_link: str = Field("", max_length=200)
    signin_early_minutes: json_int(0, 240) = 30  # type: ignore[valid-type]


class MinutesIn(Schema):
    minutes: str = Field(max_length=20000)
    resolutions: str = Field("", max_length=20000)


class BranchLifeOut(Schema):
    members: int
    meetings_held: int
    attendance_rate: float
    not_reached: list[MemberOut]


class SignInIn(Schema):
    method: str = Field(max_length=8)
    token: str = Field("", max_length=64)


class AbsenceIn(Schema):
    reason: str = Field(max_length=300)


class MeetingAttendanceOut(Schema):
    id: int
    meeting_id: int
    method: str
    at: dt.datetime
    absence_reason: str


class BadgeIn(Schema):
    shown: bool


class BadgeOut(Schema):
    eligible: bool
    shown: bool


class CommitteeDepartmentOut(Schema):
    id: int
    name: str
    responsibilities: str


class ActionItemOut(Schema):
    id: int
    meeting_id: int
    title: str
    owner: str
    due_on: dt.date
    status: str
    overdue: bool


class DepartmentJoinIn(Schema):
    name: str = Field(max_length=100)
    on: Date
    responsibilities: str = Field("", max_length=2000)


class CommitteeSeatOut(Schema):
    id: int
    department_id: int
    name: str
    joined_on: dt.date
    left_on: dt.date | None


class CommitteeMeetingIn(Schema):
    kind: str = Field(max_length=14)
    title: str = Field(max_length=200)
    held_on: Date
    attendee_ids: Ids = []
    minutes: str = Field("", max_length=20000)


class CommitteeMeetingOut(Schema):
    id: int
    kind: str
    title: str
    held_on: dt.date
    attendee_ids: list[int]
    minutes: str


class ActionItemIn(Schema):
    title: str = Field(max_length=300)
    owner_id: Id
    due_on: Date


class ActionStatusIn(Schema):
    status: str = Field(max_length=10)
    on: Date


# --- industry figures ---

Money = json_int(0, 10**14)
HeadCount = json_int(0, 10_000_000)


class IndustryFigureIn(Schema):
    theme: str = Field(max_length=12)
    scope: str = Field(max_length=12)
    period_start: Date
    period_end: Date
    enterprise_id: Id | None = None
    region_code: str = Field("", max_length=32)
    chain_name: str = Field("", max_length=100)
    sales_yuan: Money | None = None
    ecommerce_workers: HeadCount | None = None
    livestream_sessions: HeadCount | None = None
    items_sold: Money | None = None
    note: str = Field("", max_length=300)


class IndustryFigureOut(Schema):
    id: int
    theme: str
    scope: str
    subject: str
    enterprise_id: int | None
    region_code: str
    region_name: str
    period_start: dt.date
    period_end: dt.date
    sales_yuan: int | None
    ecommerce_workers: int | None
    livestream_sessions: int | None
    items_sold: int | None
    note: str

    @staticmethod
    def of(row: Any) -> "IndustryFigureOut":
        return IndustryFigureOut(
            id=row.pk, theme=row.theme, scope=row.scope, subject=row.subject,
            enterprise_id=row.enterprise_id, region_code=row.region.code,
            region_name=row.region.name, period_start=row.period_start,
            period_end=row.period_end, sales_yuan=row.sales_yuan,
            ecommerce_workers=row.ecommerce_workers, livestream_sessions=row.livestream_sessions,
            items_sold=row.items_sold, note=row.note,
        )  # fmt: skip


class IndustrySeriesOut(Schema):
    figure: str
    # subject -> period label ("2022", "2023-03", "2023-01～2023-03") -> value
    series: dict[str, dict[str, int]]


# --- mass organisations, instructors, officers ---


class MassIn(Schema):
    name: str = Field(max_length=200)
    kind: str = Field(max_length=8)
    region_code: str = Field(max_length=32)
    founded_on: Date
    enterprise_id: Id | None = None
    station_name: str = Field("", max_length=200)


class MassMemberIn(Schema):
    worker_id: Id
    on: Date


class PartyDayIn(Schema):
    on: Date


class OnDateIn(Schema):
    on: Date
    note: str = Field("", max_length=300)


class MassMemberOut(Schema):
    id: int
    worker_id: int
    name: str
    joined_on: dt.date
    left_on: dt.date | None


class UnionSyncOut(Schema):
    joined: int


class InstructorIn(Schema):
    enterprise_id: Id
    name: str = Field(max_length=50)
    on: Date


class InstructorOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    name: str
    started_on: dt.date
    ended_on: dt.date | None


class OfficerIn(Schema):
    post: str = Field(max_length=12)
    name: str = Field(max_length=50)
    on: Date


class OfficerOut(Schema):
    id: int
    organisation_id: int
    post: str
    name: str
    started_on: dt.date
    ended_on: dt.date | None


class IndustryImportOut(Schema):
    dry_run: bool
    created: int
    updated: int


# --- the staff actions: cancel a meeting, a member's kind and mobility, coverage, grid members,
# the party-work permission ---


class MeetingCancelIn(Schema):
    reason: str = Field("", max_length=300)


class MembershipKindIn(Schema):
    kind: str = Field(max_length=14)


class MembershipMobileIn(Schema):
    mobile: StrictBool


class CoveredIn(Schema):
    enterprise_ids: Ids = []


class CoveredOut(Schema):
    organisation_id: int
    enterprise_ids: list[int]


class GridMemberIn(Schema):
    grid_code: str = Field(max_length=32)
    phone: str = Field(max_length=20)
    on: Date


class GridMemberOut(Schema):
    id: int
    grid_code: str
    grid_name: str
    name: str
    phone: str
    joined_on: dt.date
    left_on: dt.date | None

    @staticmethod
    def of(row: Any) -> "GridMemberOut":
        return GridMemberOut(
            id=row.pk, grid_code=row.grid.code, grid_name=row.grid.name, name=row.user.name,
            phone=row.user.masked_phone, joined_on=row.joined_on, left_on=row.left_on,
        )  # fmt: skip


class PartyWorkIn(Schema):
    phone: str = Field(max_length=20)
    granted: StrictBool


class PartyWorkOut(Schema):
    name: str
    phone: str
    region_code: str
    granted: bool
