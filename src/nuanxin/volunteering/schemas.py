import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from nuanxin.core.masking import mask_phone
from nuanxin.core.schema import (
    Date,
    DateTime,
    HoursDecimal,
    IsoWeekday,
    Lat,
    LatParam,
    Lon,
    LonParam,
    MetersParam,
    PointsAmount,
    Quantity,
    SignedHours,
    TimeOfDay,
    TimeOfDayOut,
)
from nuanxin.geo.coords import CoordSystem, from_wgs84
from nuanxin.volunteering.models import (
    Attendance,
    AwardRule,
    Claim,
    Project,
    ProjectKind,
    Recurrence,
    Requirement,
)
from nuanxin.volunteering.selectors import ProjectCard, SessionLine


class PlaceOut(Schema):
    name: str
    lon: float | None
    lat: float | None


class SessionOut(Schema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    places: int
    seated: int
    waiting: int
    places_left: int
    my_claim_id: int | None = None
    my_claim_status: str | None = None

    @staticmethod
    def of(line: SessionLine) -> "SessionOut":
        return SessionOut(
            id=line.session.pk,
            starts_at=line.session.starts_at,
            ends_at=line.session.ends_at,
            places=line.session.places,
            seated=line.seated,
            waiting=line.waiting,
            places_left=line.places_left,
            my_claim_id=line.my_claim.pk if line.my_claim else None,
            my_claim_status=line.my_claim.status if line.my_claim else None,
        )


class ProjectOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    description: str
    requirements_note: str
    status: str
    region_code: str
    region_name: str
    pool_region_code: str
    place: PlaceOut
    recurrence: str
    first_date: dt.date
    last_date: dt.date
    weekdays: list[int]
    start_time: TimeOfDayOut
    end_time: TimeOfDayOut
    places: int
    award_rule: str
    points_per_hour: int | None
    points_per_task: int | None
    cap: int | None
    requirement: str
    party_hold_hours: int
    quantity_target: int | None
    withdraw_hours_before: int

    @staticmethod
    def of(project: Project, crs: str = CoordSystem.WGS84) -> "ProjectOut":
        lon, lat = project.place_lon, project.place_lat
        if lon is not None and lat is not None:
            lon, lat = from_wgs84(lon, lat, crs)
        return ProjectOut(
            id=project.pk,
            title=project.title,
            kind=project.kind,
            kind_label=str(project.get_kind_display()),
            description=project.description,
            requirements_note=project.requirements_note,
            status=project.status,
            region_code=project.region.code,
            region_name=project.region.name,
            pool_region_code=project.pool_region.code,
            place=PlaceOut(name=project.place_name, lon=lon, lat=lat),
            recurrence=project.recurrence,
            first_date=project.first_date,
            last_date=project.last_date,
            weekdays=project.weekday_list,
            start_time=project.start_time,
            end_time=project.end_time,
            places=project.places,
            award_rule=project.award_rule,
            points_per_hour=project.points_per_hour,
            points_per_task=project.points_per_task,
            cap=project.cap,
            requirement=project.requirement,
            party_hold_hours=project.party_hold_hours,
            quantity_target=project.quantity_target,
            withdraw_hours_before=project.withdraw_hours_before,
        )


class ProjectCardOut(Schema):
    project: ProjectOut
    distance_m: float | None
    in_my_area: bool
    sessions: list[SessionOut]

    @staticmethod
    def of(card: ProjectCard, crs: str) -> "ProjectCardOut":
        return ProjectCardOut(
            project=ProjectOut.of(card.project, crs),
            distance_m=round(card.distance_m, 1) if card.distance_m is not None else None,
            in_my_area=card.in_my_area,
            sessions=[SessionOut.of(line) for line in card.sessions],
        )


class ProjectDetailOut(Schema):
    project: ProjectOut
    sessions: list[SessionOut]


class AttendanceOut(Schema):
    id: int
    claim_id: int
    status: str
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    hours_recorded: Decimal | None
    quantity_reported: int | None
    outcome: str
    hours_verified: Decimal | None
    quantity_verified: int | None
    points_awarded: int
    revision: int

    @staticmethod
    def of(attendance: Attendance) -> "AttendanceOut":
        return AttendanceOut(
            id=attendance.pk,
            claim_id=attendance.claim_id,
            status=attendance.status,
            checked_in_at=attendance.checked_in_at,
            checked_out_at=attendance.checked_out_at,
            hours_recorded=attendance.hours_recorded,
            quantity_reported=attendance.quantity_reported,
            outcome=attendance.outcome,
            hours_verified=attendance.hours_verified,
            quantity_verified=attendance.quantity_verified,
            points_awarded=attendance.points_awarded,
            revision=attendance.revision,
        )


def _attendance_of(claim: Claim) -> Attendance | None:
    try:
        return claim.attendance
    except Attendance.DoesNotExist:
        return None


class ClaimOut(Schema):
    id: int
    session_id: int
    project_id: int
    project_title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    status_label: str
    code: str
    held_back: bool
    created_at: dt.datetime
    attendance: AttendanceOut | None

    @staticmethod
    def of(claim: Claim) -> "ClaimOut":
        attendance = _attendance_of(claim)
        return ClaimOut(
            id=claim.pk,
            session_id=claim.session_id,
            project_id=claim.project_id,
            project_title=claim.project.title,
            starts_at=claim.session.starts_at,
            ends_at=claim.session.ends_at,
            status=claim.status,
            status_label=str(claim.get_status_display()),
            code=claim.code,
            held_back=claim.held_back,
            created_at=claim.created_at,
            attendance=AttendanceOut.of(attendance) if attendance else None,
        )


class SheetLineOut(Schema):
    claim_id: int
    code: str
    status: str
    worker_name: str
    worker_phone: str
    community: str
    party_member: bool
    attendance: AttendanceOut | None

    @staticmethod
    def of(claim: Claim) -> "SheetLineOut":
        attendance = _attendance_of(claim)
        region = claim.worker.region
        return SheetLineOut(
            claim_id=claim.pk,
            code=claim.code,
            status=claim.status,
            worker_name=claim.worker.name,
            worker_phone=mask_phone(claim.worker.phone),
            community=region.name if region else "",
            party_member=claim.party_member,
            attendance=AttendanceOut.of(attendance) if attendance else None,
        )


class SheetOut(Schema):
    session: SessionOut
    project: ProjectOut
    qr_token: str
    lines: list[SheetLineOut]


class VolunteerHoursOut(Schema):
    sessions: int
    hours: Decimal
    leaflets: int
    points: int
    no_shows: int


class ProjectsQuery(Schema):
    lon: LonParam | None = None
    lat: LatParam | None = None
    coord_system: CoordSystem = CoordSystem.WGS84
    radius_m: MetersParam = 5000


class ProjectIn(Schema):
    title: str
    kind: ProjectKind
    region_code: str
    place_name: str
    first_date: Date
    start_time: TimeOfDay
    end_time: TimeOfDay
    places: Quantity
    recurrence: Recurrence = Recurrence.ONCE
    last_date: Date | None = None
    weekdays: list[IsoWeekday] = Field(
        default_factory=list, max_length=7, description="ISO 星期：1 = 周一 … 7 = 周日"
    )
    description: str = ""
    requirements_note: str = ""
    lon: Lon | None = None
    lat: Lat | None = None
    coord_system: CoordSystem = CoordSystem.WGS84
    pool_region_code: str | None = None
    award_rule: AwardRule = AwardRule.PER_HOUR
    points_per_hour: PointsAmount | None = None
    points_per_task: PointsAmount | None = None
    cap: PointsAmount | None = None
    requirement: Requirement = Requirement.NONE
    party_hold_hours: SignedHours | None = None
    quantity_target: Quantity | None = None
    withdraw_hours_before: SignedHours = 2
    publish: bool = False


class ProjectUpdateIn(Schema):
    title: str | None = None
    description: str | None = None
    requirements_note: str | None = None
    place_name: str | None = None
    places: Quantity | None = None


class VolunteerReasonIn(Schema):
    reason: str = ""


class ScanIn(Schema):
    token: str
    lon: Lon | None = None
    lat: Lat | None = None
    coord_system: CoordSystem = CoordSystem.WGS84


class CheckOutIn(ScanIn):
    quantity: Quantity | None = None


class QuantityIn(Schema):
    quantity: Quantity


class StaffCheckIn(Schema):
    at: DateTime | None = None


class StaffCheckOutIn(StaffCheckIn):
    quantity: Quantity | None = None


class RecordIn(Schema):
    phone: str


class VerifyIn(Schema):
    outcome: str
    hours: HoursDecimal | None = None
    quantity: Quantity | None = None
    note: str = ""


class CorrectIn(Schema):
    outcome: str
    hours: HoursDecimal | None = None
    quantity: Quantity | None = None
    reason: str


class AwardOut(Schema):
    id: int
    revision: int
    transfer_id: str
    status: str
    points_requested: int
    points_granted: int
    limited_by: str


class StatsRowOut(Schema):
    label: str
    code: str = ""
    people: int
    served: int
    hours: Decimal
    leaflets: int
    no_shows: int
    points: int
    projects: int | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class StreetStatsOut(Schema):
    streets: list[StatsRowOut]
    total: StatsRowOut
