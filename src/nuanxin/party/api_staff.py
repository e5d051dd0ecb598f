"""More of the party API for party-work staff: industry figures (党建+电商/直播/产销), mass
organisations, party-work instructors, officers, and the staff actions (cancelling a meeting, a
member's kind and mobility, the enterprises an organisation covers, part-time grid members, the
party-work permission). Mounted into ``party.api``'s router."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from nuanxin.core.errors import ApplicationError, not_found
from nuanxin.core.schema import IdParam
from nuanxin.core.scoping import in_jurisdiction
from nuanxin.geo.models import Region
from nuanxin.party import services
from nuanxin.party.access import require_party_staff
from nuanxin.party.models import FIGURE_FIELDS
from nuanxin.party.schemas import (
    CoveredIn,
    CoveredOut,
    GridMemberIn,
    GridMemberOut,
    IndustryFigureIn,
    IndustryFigureOut,
    IndustryImportOut,
    IndustrySeriesOut,
    InstructorIn,
    InstructorOut,
    MassIn,
    MassMemberIn,
    MassMemberOut,
    MassOut,
    MeetingCancelIn,
    MeetingOut,
    MemberOut,
    MembershipKindIn,
    MembershipMobileIn,
    OfficerIn,
    OfficerOut,
    OnDateIn,
    PartyDayIn,
    PartyWorkIn,
    PartyWorkOut,
    UnionSyncOut,
)
from nuanxin.party.selectors import staff
from nuanxin.party.selectors.industry import figures_for, series_for
from nuanxin.party.services.industry_import import enterprise_in_reach
from nuanxin.registry.selectors import worker_by_id

router = Router(tags=["党建"])


def _region_or_none(code: str) -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise not_found("party.unknown_region", _("区域不存在。"), field="region_code")
    return region


@router.get("/industry-figures", response=list[IndustryFigureOut], summary="产业数据（管辖范围内）")
def industry_figure_list(request: HttpRequest) -> list[IndustryFigureOut]:
    require_party_staff(request.auth)
    rows = figures_for(request.auth).order_by("region__path", "subject", "period_end")
    return [IndustryFigureOut.of(r) for r in rows[:5000]]


@router.post(
    "/industry-figures", response={201: IndustryFigureOut}, summary="登记或更正一期产业数据"
)
def industry_figure_create(request: HttpRequest, payload: IndustryFigureIn) -> Status:
    user = request.auth
    require_party_staff(user)
    enterprise = enterprise_in_reach(user, payload.enterprise_id) if payload.enterprise_id else None
    row = services.industry_figure_record(
        actor=user, theme=payload.theme, scope=payload.scope,
        period_start=payload.period_start, period_end=payload.period_end,
        enterprise=enterprise, region=_region_or_none(payload.region_code),
        chain_name=payload.chain_name, note=payload.note,
        **{name: getattr(payload, name) for name in FIGURE_FIELDS},
    )  # fmt: skip
    return Status(201, IndustryFigureOut.of(row))


@router.post(
    "/industry-figures/import", response=IndustryImportOut, summary="从 Excel 导入产业数据"
)
def industry_figure_import(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False
) -> IndustryImportOut:
    """All rows or none: a sheet with a bad row answers the first one's code, and every bad row
    (Excel row, code, message, field) in ``extra.errors``."""
    require_party_staff(request.auth)
    report = services.industry_figures_import_xlsx(actor=request.auth, file=file, dry_run=dry_run)
    if not report.ok:
        first = report.errors[0]
        rows = [
            {"row": e.row, "code": e.code, "message": str(e.message), "field": e.field}
            for e in report.errors
        ]
        raise ApplicationError(first.code, first.message, extra={"row": first.row, "errors": rows})
    return IndustryImportOut(dry_run=report.dry_run, created=report.created, updated=report.updated)


@router.get("/industry-figures/series", response=IndustrySeriesOut, summary="产业数据变化")
def industry_figure_series(
    request: HttpRequest, figure: Query[str] = "sales_yuan"
) -> IndustrySeriesOut:
    require_party_staff(request.auth)
    if figure not in FIGURE_FIELDS:
        raise ApplicationError(
            "party.invalid_figure", _("没有这项数据。"), extra={"field": "figure"}
        )
    return IndustrySeriesOut(figure=figure, series=series_for(request.auth, figure))


# --- mass organisations ---


def _mass_out(body: Any, members: int = 0) -> MassOut:
    return MassOut(
        id=body.pk, name=body.name, kind=body.kind, region_code=body.region.code,
        enterprise_id=body.enterprise_id, station_name=body.station_name,
        founded_on=body.founded_on, member_count=members,
    )  # fmt: skip


def _member_out(row: Any) -> MassMemberOut:
    return MassMemberOut(id=row.pk, worker_id=row.worker_id, name=row.worker.name,
                         joined_on=row.joined_on, left_on=row.left_on)  # fmt: skip


@router.get("/mass-organisations", response=list[MassOut], summary="群团组织")
def mass_list(request: HttpRequest, kind: str | None = None) -> list[MassOut]:
    require_party_staff(request.auth)
    qs = staff.mass_organisations_for(request.auth)
    if kind:
        qs = qs.filter(kind=kind)
    return [
        MassOut(
            id=m.pk,
            name=m.name,
            kind=m.kind,
            region_code=m.region.code,
            enterprise_id=m.enterprise_id,
            station_name=m.station_name,
            founded_on=m.founded_on,
            member_count=m.member_count,
        )
        for m in qs[:2000]
    ]


@router.post("/mass-organisations", response={201: MassOut}, summary="登记群团组织")
def mass_create(request: HttpRequest, payload: MassIn) -> Status:
    user = request.auth
    require_party_staff(user)
    enterprise = enterprise_in_reach(user, payload.enterprise_id) if payload.enterprise_id else None
    region = _region_or_none(payload.region_code)
    if region is None:
        raise ApplicationError(
            "party.region_missing", _("请选择所在区域。"), extra={"field": "region_code"}
        )
    body = services.mass_organisation_create(
        actor=user, name=payload.name, kind=payload.kind, region=region,
        founded_on=payload.founded_on, enterprise=enterprise, station_name=payload.station_name,
    )  # fmt: skip
    return Status(201, _mass_out(body))


@router.get(
    "/mass-organisations/{mass_id}/members", response=list[MassMemberOut], summary="群团组织成员"
)
def mass_members(request: HttpRequest, mass_id: IdParam) -> list[MassMemberOut]:
    body = staff.mass_organisation_for_staff(request.auth, mass_id)
    rows = staff.mass_memberships_for(request.auth).filter(organisation=body)
    return [_member_out(r) for r in rows.order_by("left_on", "worker__name")[:5000]]


@router.post(
    "/mass-organisations/{mass_id}/members", response={201: MassMemberOut}, summary="加入群团组织"
)
def mass_member_add(request: HttpRequest, mass_id: IdParam, payload: MassMemberIn) -> Status:
    user = request.auth
    body = staff.mass_organisation_for_staff(user, mass_id)
    worker = worker_by_id(payload.worker_id)
    if worker is None or not in_jurisdiction(user, worker.region):
        raise not_found("party.worker_not_found", _("人员不存在。"))
    row = services.mass_member_add(actor=user, organisation=body, worker=worker, on=payload.on)
    return Status(201, _member_out(row))


@router.post(
    "/mass-organisations/{mass_id}/union-sync", response=UnionSyncOut, summary="按台账同步工会会员"
)
def mass_union_sync(request: HttpRequest, mass_id: IdParam, payload: OnDateIn) -> UnionSyncOut:
    body = staff.mass_organisation_for_staff(request.auth, mass_id)
    joined = services.union_sync_from_registry(actor=request.auth, organisation=body, on=payload.on)
    return UnionSyncOut(joined=joined)


@router.post(
    "/mass-memberships/{mass_membership_id}/leave",
    response=MassMemberOut,
    summary="退出群团组织",
)
def mass_member_leave(
    request: HttpRequest, mass_membership_id: IdParam, payload: PartyDayIn
) -> MassMemberOut:
    row = staff.mass_membership_for_staff(request.auth, mass_membership_id)
    left = services.mass_member_leave(actor=request.auth, membership=row, on=payload.on)
    return _member_out(left)


@router.post("/mass-organisations/{mass_id}/end", response=MassOut, summary="撤销群团组织")
def mass_end(request: HttpRequest, mass_id: IdParam, payload: OnDateIn) -> MassOut:
    body = staff.mass_organisation_for_staff(request.auth, mass_id)
    ended = services.mass_organisation_end(
        actor=request.auth, organisation=body, on=payload.on, note=payload.note
    )
    return _mass_out(ended)


# --- party-work instructors ---


def _instructor_out(row: Any) -> InstructorOut:
    return InstructorOut(
        id=row.pk, enterprise_id=row.enterprise_id, enterprise_name=row.enterprise.name,
        name=row.name, started_on=row.started_on, ended_on=row.ended_on,
    )  # fmt: skip


@router.get("/instructors", response=list[InstructorOut], summary="党建指导员（管辖范围内）")
def instructor_list(request: HttpRequest) -> list[InstructorOut]:
    require_party_staff(request.auth)
    rows = staff.instructors_for(request.auth).order_by("ended_on", "enterprise__name")
    return [_instructor_out(r) for r in rows[:5000]]


@router.post("/instructors", response={201: InstructorOut}, summary="派驻党建指导员")
def instructor_assign(request: HttpRequest, payload: InstructorIn) -> Status:
    user = request.auth
    require_party_staff(user)
    enterprise = enterprise_in_reach(user, payload.enterprise_id)
    row = services.instructor_assign(
        actor=user, enterprise=enterprise, name=payload.name, on=payload.on
    )
    return Status(201, _instructor_out(row))


@router.post("/instructors/{instructor_id}/end", response=InstructorOut, summary="结束派驻")
def instructor_end(
    request: HttpRequest, instructor_id: IdParam, payload: OnDateIn
) -> InstructorOut:
    row = staff.instructor_for_staff(request.auth, instructor_id)
    return _instructor_out(
        services.instructor_end(actor=request.auth, assignment=row, on=payload.on)
    )


# --- officers of an organisation ---


@router.post(
    "/organisations/{org_id}/officers", response={201: OfficerOut}, summary="任命书记或委员"
)
def officer_appoint(request: HttpRequest, org_id: IdParam, payload: OfficerIn) -> Status:
    org = staff.organisation_for_staff(request.auth, org_id)
    row = services.officer_appoint(
        actor=request.auth, organisation=org, post=payload.post, name=payload.name, on=payload.on
    )
    return Status(201, OfficerOut(id=row.pk, organisation_id=org.pk, post=row.post,
                                  name=row.name, started_on=row.started_on,
                                  ended_on=row.ended_on))  # fmt: skip


@router.post("/officers/{officer_id}/end", response=OfficerOut, summary="书记或委员离任")
def officer_end(request: HttpRequest, officer_id: IdParam, payload: PartyDayIn) -> OfficerOut:
    officer = staff.officer_for_staff(request.auth, officer_id)
    row = services.officer_end(actor=request.auth, officer=officer, on=payload.on)
    return OfficerOut(id=row.pk, organisation_id=row.organisation_id, post=row.post,
                      name=row.name, started_on=row.started_on,
                      ended_on=row.ended_on)  # fmt: skip


# --- meetings, members, coverage, grid members and the party-work permission ---


@router.post("/meetings/{meeting_id}/cancel", response=MeetingOut, summary="取消活动")
def meeting_cancel(
    request: HttpRequest, meeting_id: IdParam, payload: MeetingCancelIn
) -> MeetingOut:
    meeting = staff.meeting_for_staff(request.auth, meeting_id)
    return MeetingOut.of(
        services.meeting_cancel(actor=request.auth, meeting=meeting, reason=payload.reason)
    )


@router.post("/memberships/{membership_id}/kind", response=MemberOut, summary="转为预备或正式党员")
def membership_set_kind(
    request: HttpRequest, membership_id: IdParam, payload: MembershipKindIn
) -> MemberOut:
    m = staff.membership_for_staff(request.auth, membership_id)
    return MemberOut.of(services.membership_set_kind(actor=request.auth, membership=m,
                                                     kind=payload.kind))  # fmt: skip


@router.post("/memberships/{membership_id}/mobile", response=MemberOut, summary="标记流动党员")
def membership_set_mobile(
    request: HttpRequest, membership_id: IdParam, payload: MembershipMobileIn
) -> MemberOut:
    m = staff.membership_for_staff(request.auth, membership_id)
    return MemberOut.of(services.membership_set_mobile(actor=request.auth, membership=m,
                                                       mobile=payload.mobile))  # fmt: skip


@router.put("/organisations/{org_id}/covered", response=CoveredOut, summary="覆盖的企业")
def organisation_set_covered(
    request: HttpRequest, org_id: IdParam, payload: CoveredIn
) -> CoveredOut:
    user = request.auth
    org = staff.organisation_for_staff(user, org_id)
    enterprises = [enterprise_in_reach(user, pk) for pk in dict.fromkeys(payload.enterprise_ids)]
    services.organisation_set_covered(actor=user, organisation=org, enterprises=enterprises)
    return CoveredOut(organisation_id=org.pk, enterprise_ids=sorted(e.pk for e in enterprises))


@router.get("/grid-members", response=list[GridMemberOut], summary="兼职网格员（管辖范围内）")
def grid_member_list(request: HttpRequest) -> list[GridMemberOut]:
    return [GridMemberOut.of(row.member) for row in staff.grid_members_for(request.auth)]


@router.post("/grid-members", response={201: GridMemberOut}, summary="登记兼职网格员")
def grid_member_enrol(request: HttpRequest, payload: GridMemberIn) -> Status:
    user = request.auth
    require_party_staff(user)
    grid = _region_or_none(payload.grid_code)
    if grid is None:
        raise not_found("party.unknown_region", _("区域不存在。"), field="grid_code")
    worker = staff.worker_account_by_phone(user, payload.phone)
    row = services.grid_member_enrol(actor=user, user=worker, grid=grid, on=payload.on)
    return Status(201, GridMemberOut.of(row))


@router.post(
    "/grid-members/{grid_member_id}/leave", response=GridMemberOut, summary="兼职网格员退出"
)
def grid_member_leave(
    request: HttpRequest, grid_member_id: IdParam, payload: PartyDayIn
) -> GridMemberOut:
    row = staff.grid_member_for_staff(request.auth, grid_member_id)
    return GridMemberOut.of(
        services.grid_member_leave(actor=request.auth, member=row, on=payload.on)
    )


@router.get("/party-work", response=list[PartyWorkOut], summary="党务工作者（管辖范围内）")
def party_work_list(request: HttpRequest) -> list[PartyWorkOut]:
    return [_party_work_out(u, True) for u in staff.party_workers_for(request.auth)[:2000]]


@router.put("/party-work", response=PartyWorkOut, summary="授予或收回党务工作权限")
def party_work_grant(request: HttpRequest, payload: PartyWorkIn) -> PartyWorkOut:
    member = staff.staff_member_by_phone(request.auth, payload.phone)
    services.party_work_grant(actor=request.auth, user=member, granted=payload.granted)
    return _party_work_out(member, payload.granted)


def _party_work_out(user: Any, granted: bool) -> PartyWorkOut:
    return PartyWorkOut(name=user.name, phone=user.masked_phone, region_code=user.region.code,
                        granted=granted)  # fmt: skip
