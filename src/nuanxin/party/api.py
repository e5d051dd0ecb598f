"""The party API at /api/v1/party/: party-work staff endpoints (inside their jurisdiction) and
the member's own (badge, meetings, sign-in)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from nuanxin.core.errors import not_found
from nuanxin.core.schema import Date, IdParam, param_int
from nuanxin.core.scoping import get_in_scope_or_404, in_jurisdiction, scope_to_jurisdiction
from nuanxin.core.timeutil import local_date
from nuanxin.geo.models import Region
from nuanxin.party import services
from nuanxin.party.access import require_party_staff
from nuanxin.party.api_staff import router as staff_router
from nuanxin.party.models import (
    ActionItem,
    Badge,
    CommitteeDepartment,
    CommitteeMeeting,
    CommitteeSeat,
)
from nuanxin.party.schemas import (
    AbsenceIn,
    ActionItemIn,
    ActionItemOut,
    ActionStatusIn,
    BadgeIn,
    BadgeOut,
    BranchLifeOut,
    CommitteeDepartmentOut,
    CommitteeMeetingIn,
    CommitteeMeetingOut,
    CommitteeSeatOut,
    CoverageAreaOut,
    DepartmentJoinIn,
    LeaveIn,
    MeetingAttendanceOut,
    MeetingIn,
    MeetingOut,
    MemberOut,
    MinutesIn,
    MonthOut,
    MustSetUpOut,
    OrganisationEndIn,
    OrganisationIn,
    OrganisationOut,
    PartyCoverageOut,
    PartyDayIn,
    PartyJoinIn,
    SignInIn,
    TransferIn,
)
from nuanxin.party.selectors import committee as committee_reads
from nuanxin.party.selectors import coverage, meetings, staff
from nuanxin.party.services.committee import (
    action_item_missing,
    committee_meeting_missing,
    department_missing,
    require_city_party_staff,
)
from nuanxin.party.services.people import open_membership_of_user
from nuanxin.registry.selectors import enterprises_under, worker_by_id

router = Router(tags=["党建"])
router.add_router("", staff_router)


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise not_found("party.unknown_region", _("区域不存在。"), field="region_code")
    return region


# --- organisations and members (party-work staff) ---


@router.get("/organisations", response=list[OrganisationOut], summary="组织树（管辖范围内）")
def organisation_list(request: HttpRequest, include_ended: bool = False) -> list[OrganisationOut]:
    nodes = staff.organisation_tree(request.auth, include_ended=include_ended)
    return [OrganisationOut.of(n.organisation, n) for n in nodes]


@router.post("/organisations", response={201: OrganisationOut}, summary="登记新成立的党组织")
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Status:
    user = request.auth
    require_party_staff(user)
    parent = staff.organisation_for_staff(user, payload.parent_id) if payload.parent_id else None
    enterprise = None
    if payload.enterprise_id:
        enterprise = _enterprise_in_reach(user, payload.enterprise_id)
    org = services.organisation_create(
        actor=user, name=payload.name, kind=payload.kind, attachment=payload.attachment,
        region=_region(payload.region_code), founded_on=payload.founded_on,
        branch_type=payload.branch_type, parent=parent, enterprise=enterprise,
        chain_name=payload.chain_name,
    )  # fmt: skip
    return Status(201, OrganisationOut.of(org))


def _enterprise_in_reach(user, pk: int):
    qs = scope_to_jurisdiction(enterprises_under(""), user)
    return get_in_scope_or_404(
        qs, not_found("party.enterprise_not_found", _("企业不存在。")), pk=pk
    )


@router.get("/organisations/{org_id}", response=OrganisationOut, summary="党组织")
def organisation_get(request: HttpRequest, org_id: IdParam) -> OrganisationOut:
    return OrganisationOut.of(staff.organisation_for_staff(request.auth, org_id))


@router.post("/organisations/{org_id}/end", response=OrganisationOut, summary="合并或撤销")
def organisation_end(
    request: HttpRequest, org_id: IdParam, payload: OrganisationEndIn
) -> OrganisationOut:
    user = request.auth
    org = staff.organisation_for_staff(user, org_id)
    target = None
    if payload.merged_into_id:
        target = staff.organisation_for_staff(user, payload.merged_into_id)
    changed = services.organisation_end(
        actor=user, organisation=org, status=payload.status, on=payload.on, note=payload.note,
        merged_into=target,
    )  # fmt: skip
    return OrganisationOut.of(changed)


@router.get("/organisations/{org_id}/members", response=list[MemberOut], summary="党员名册")
def member_list(request: HttpRequest, org_id: IdParam, history: bool = False) -> list[MemberOut]:
    org = staff.organisation_for_staff(request.auth, org_id)
    qs = staff.memberships_for(request.auth).filter(organisation=org)
    if not history:
        qs = qs.filter(left_on__isnull=True)
    return [MemberOut.of(m) for m in qs.order_by("kind", "worker__name")[:2000]]


@router.post("/organisations/{org_id}/members", response={201: MemberOut}, summary="接收党员")
def member_join(request: HttpRequest, org_id: IdParam, payload: PartyJoinIn) -> Status:
    user = request.auth
    org = staff.organisation_for_staff(user, org_id)
    worker = worker_by_id(payload.worker_id)
    # A person of the registry outside the caller's area answers like one who does not exist.
    if worker is None or not in_jurisdiction(user, worker.region):
        raise not_found("party.worker_not_found", _("人员不存在。"))
    m = services.membership_join(
        actor=user, worker=worker, organisation=org, kind=payload.kind,
        joined_on=payload.joined_on, mobile=payload.mobile,
    )  # fmt: skip
    return Status(201, MemberOut.of(m))


@router.post(
    "/memberships/{membership_id}/transfer", response={201: MemberOut}, summary="组织关系转接"
)
def membership_transfer(
    request: HttpRequest, membership_id: IdParam, payload: TransferIn
) -> Status:
    user = request.auth
    m = staff.membership_for_staff(user, membership_id)
    target = staff.organisation_for_staff(user, payload.to_organisation_id)
    new = services.membership_transfer(
        actor=user, membership=m, to_organisation=target, on=payload.on, note=payload.note
    )
    return Status(201, MemberOut.of(new))


@router.post("/memberships/{membership_id}/end", response=MemberOut, summary="转出（注明原因）")
def membership_end(request: HttpRequest, membership_id: IdParam, payload: LeaveIn) -> MemberOut:
    user = request.auth
    m = staff.membership_for_staff(user, membership_id)
    return MemberOut.of(
        services.membership_end(
            actor=user, membership=m, on=payload.on, reason=payload.reason, note=payload.note
        )
    )


# --- coverage (两个覆盖 / 应建尽建) ---


@router.get("/coverage", response=CoverageAreaOut, summary="两个覆盖：覆盖率（本区域及下级）")
def coverage_area(request: HttpRequest, region_code: str | None = None) -> CoverageAreaOut:
    region = staff.area_for(request.auth, region_code)
    total, children = coverage.coverage_rates(region)
    return CoverageAreaOut(
        total=PartyCoverageOut(**total.as_dict()),
        children=[PartyCoverageOut(**c.as_dict()) for c in children],
    )


@router.get("/coverage/monthly", response=list[MonthOut], summary="覆盖率逐月变化")
def coverage_monthly(
    request: HttpRequest,
    region_code: str | None = None,
    months: param_int(1, 36) = 12,  # type: ignore[valid-type]
) -> list[MonthOut]:
    region = staff.area_for(request.auth, region_code)
    return [
        MonthOut(month_end=end, figures=PartyCoverageOut(**rate.as_dict()))
        for end, rate in coverage.coverage_by_month(region, months=months)
    ]


@router.get("/must-set-up", response=list[MustSetUpOut], summary="应建尽建名单")
def must_set_up(request: HttpRequest, region_code: str | None = None) -> list[MustSetUpOut]:
    region = staff.area_for(request.auth, region_code)
    return [
        MustSetUpOut(
            enterprise_id=r.id,
            name=r.name,
            formal=r.formal,
            probationary=r.probationary,
            status=r.status,
        )
        for r in coverage.must_set_up_list(region.path)
    ]


# --- meetings (staff) ---


@router.get("/organisations/{org_id}/meetings", response=list[MeetingOut], summary="支部活动")
def meeting_list(request: HttpRequest, org_id: IdParam) -> list[MeetingOut]:
    org = staff.organisation_for_staff(request.auth, org_id)
    return [MeetingOut.of(m) for m in org.meetings.order_by("-starts_at")[:500]]


@router.post(
    "/organisations/{org_id}/meetings", response={201: MeetingOut}, summary="安排会议或活动"
)
def meeting_schedule(request: HttpRequest, org_id: IdParam, payload: MeetingIn) -> Status:
    org = staff.organisation_for_staff(request.auth, org_id)
    meeting = services.meeting_schedule(actor=request.auth, organisation=org, **payload.dict())
    return Status(201, MeetingOut.of(meeting))


@router.post("/meetings/{meeting_id}/minutes", response=MeetingOut, summary="会议记录与决议")
def meeting_minutes(request: HttpRequest, meeting_id: IdParam, payload: MinutesIn) -> MeetingOut:
    meeting = staff.meeting_for_staff(request.auth, meeting_id)
    return MeetingOut.of(
        services.meeting_record_minutes(actor=request.auth, meeting=meeting, **payload.dict())
    )


@router.get("/organisations/{org_id}/life", response=BranchLifeOut, summary="组织生活统计")
def branch_life(request: HttpRequest, org_id: IdParam) -> BranchLifeOut:
    org = staff.organisation_for_staff(request.auth, org_id)
    life = meetings.branch_life(org)
    return BranchLifeOut(
        members=life.members, meetings_held=life.meetings_held,
        attendance_rate=life.attendance_rate,
        not_reached=[MemberOut.of(m) for m in life.not_reached],
    )  # fmt: skip


# --- the committee ---


@router.get("/committee/departments", response=list[CommitteeDepartmentOut], summary="工委成员单位")
def departments(request: HttpRequest, on: Date | None = None) -> list[CommitteeDepartmentOut]:
    require_party_staff(request.auth)
    return [
        CommitteeDepartmentOut(id=d.pk, name=d.name, responsibilities=d.responsibilities)
        for d in committee_reads.departments_on(on or local_date())
    ]


@router.get("/committee/action-items", response=list[ActionItemOut], summary="督办事项")
def action_items(request: HttpRequest, overdue: bool = False) -> list[ActionItemOut]:
    require_party_staff(request.auth)
    qs = committee_reads.overdue_items() if overdue else ActionItem.objects.select_related("owner")
    return [_action_item_out(i) for i in qs[:1000]]


# The committee's writes are the city's party-work staff's (``require_city_party_staff``): the
# check comes before the lookup, so staff of a county are refused the same way whatever the id.


def _action_item_out(item: ActionItem) -> ActionItemOut:
    return ActionItemOut(
        id=item.pk, meeting_id=item.meeting_id, title=item.title, owner=item.owner.name,
        due_on=item.due_on, status=item.status, overdue=committee_reads.is_overdue(item),
    )  # fmt: skip


def _seat_out(seat: CommitteeSeat) -> CommitteeSeatOut:
    return CommitteeSeatOut(id=seat.pk, department_id=seat.department_id,
                            name=seat.department.name, joined_on=seat.joined_on,
                            left_on=seat.left_on)  # fmt: skip


def _department(pk: int) -> CommitteeDepartment:
    return get_in_scope_or_404(CommitteeDepartment.objects.all(), department_missing(), pk=pk)


@router.post("/committee/departments", response={201: CommitteeSeatOut}, summary="加入工委成员单位")
def department_join(request: HttpRequest, payload: DepartmentJoinIn) -> Status:
    require_city_party_staff(request.auth)
    seat = services.department_join(
        actor=request.auth, name=payload.name, on=payload.on,
        responsibilities=payload.responsibilities,
    )  # fmt: skip
    return Status(201, _seat_out(seat))


@router.post(
    "/committee/departments/{department_id}/leave",
    response=CommitteeSeatOut,
    summary="退出工委成员单位",
)
def department_leave(
    request: HttpRequest, department_id: IdParam, payload: PartyDayIn
) -> CommitteeSeatOut:
    require_city_party_staff(request.auth)
    department = _department(department_id)
    seat = services.department_leave(actor=request.auth, department=department, on=payload.on)
    return _seat_out(seat)


@router.post("/committee/meetings", response={201: CommitteeMeetingOut}, summary="记录工委会议")
def committee_meeting_record(request: HttpRequest, payload: CommitteeMeetingIn) -> Status:
    require_city_party_staff(request.auth)
    wanted = set(payload.attendee_ids)
    attendees = list(CommitteeDepartment.objects.filter(pk__in=wanted))
    if len(attendees) != len(wanted):
        raise department_missing()
    meeting = services.committee_meeting_record(
        actor=request.auth, kind=payload.kind, title=payload.title, held_on=payload.held_on,
        attendees=attendees, minutes=payload.minutes,
    )  # fmt: skip
    return Status(201, CommitteeMeetingOut(
        id=meeting.pk, kind=meeting.kind, title=meeting.title, held_on=meeting.held_on,
        attendee_ids=sorted(d.pk for d in attendees), minutes=meeting.minutes,
    ))  # fmt: skip


@router.post(
    "/committee/meetings/{committee_meeting_id}/action-items",
    response={201: ActionItemOut},
    summary="登记督办事项",
)
def action_item_add(
    request: HttpRequest, committee_meeting_id: IdParam, payload: ActionItemIn
) -> Status:
    require_city_party_staff(request.auth)
    meeting = get_in_scope_or_404(
        CommitteeMeeting.objects.all(), committee_meeting_missing(), pk=committee_meeting_id
    )
    item = services.action_item_add(
        actor=request.auth, meeting=meeting, title=payload.title,
        owner=_department(payload.owner_id), due_on=payload.due_on,
    )  # fmt: skip
    return Status(201, _action_item_out(item))


@router.post(
    "/committee/action-items/{action_item_id}/status",
    response=ActionItemOut,
    summary="督办事项办结或撤销",
)
def action_item_set_status(
    request: HttpRequest, action_item_id: IdParam, payload: ActionStatusIn
) -> ActionItemOut:
    require_city_party_staff(request.auth)
    item = get_in_scope_or_404(
        ActionItem.objects.select_related("owner"), action_item_missing(), pk=action_item_id
    )
    row = services.action_item_set_status(
        actor=request.auth, item=item, status=payload.status, on=payload.on
    )
    return _action_item_out(row)


# --- the member's own ---


@router.get("/me/badge", response=BadgeOut, summary="我的亮身份设置")
def my_badge(request: HttpRequest) -> BadgeOut:
    badge = Badge.objects.filter(user=request.auth).first()
    eligible = open_membership_of_user(request.auth) is not None
    return BadgeOut(eligible=eligible, shown=bool(badge and badge.shown and eligible))


@router.put("/me/badge", response=BadgeOut, summary="亮明或撤回党员身份")
def set_my_badge(request: HttpRequest, payload: BadgeIn) -> BadgeOut:
    badge = services.badge_set(user=request.auth, shown=payload.shown)
    return BadgeOut(eligible=True, shown=badge.shown)


@router.get("/me/meetings", response=list[MeetingOut], summary="我所在支部的活动")
def my_meetings(request: HttpRequest) -> list[MeetingOut]:
    return [MeetingOut.of(m) for m in meetings.meetings_of_member(request.auth)[:100]]


@router.post("/meetings/{meeting_id}/sign-in", response=MeetingAttendanceOut, summary="签到")
def sign_in(request: HttpRequest, meeting_id: IdParam, payload: SignInIn) -> MeetingAttendanceOut:
    meeting = meetings.meeting_of_member(request.auth, meeting_id)
    row = services.meeting_sign_in(
        user=request.auth, meeting=meeting, method=payload.method, token=payload.token
    )
    return MeetingAttendanceOut(id=row.pk, meeting_id=meeting.pk, method=row.method, at=row.at,
                         absence_reason=row.absence_reason)  # fmt: skip


@router.post("/meetings/{meeting_id}/absence", response=MeetingAttendanceOut, summary="请假")
def absence(request: HttpRequest, meeting_id: IdParam, payload: AbsenceIn) -> MeetingAttendanceOut:
    meeting = meetings.meeting_of_member(request.auth, meeting_id)
    row = services.meeting_absence(user=request.auth, meeting=meeting, reason=payload.reason)
    return MeetingAttendanceOut(id=row.pk, meeting_id=meeting.pk, method=row.method, at=row.at,
                         absence_reason=row.absence_reason)  # fmt: skip
