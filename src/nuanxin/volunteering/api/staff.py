"""Staff endpoints: post and manage projects, the attendance sheet, verification, statistics."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from nuanxin.accounts.models import User, normalize_phone
from nuanxin.core.errors import not_found
from nuanxin.core.schema import Date, IdParam
from nuanxin.core.scoping import require_staff
from nuanxin.core.xlsx import xlsx_file_response
from nuanxin.geo.models import Region
from nuanxin.volunteering import selectors, services, stats
from nuanxin.volunteering.models import Award
from nuanxin.volunteering.schemas import (
    AttendanceOut,
    AwardOut,
    ClaimOut,
    CorrectIn,
    ProjectIn,
    ProjectOut,
    ProjectUpdateIn,
    ReasonIn,
    RecordIn,
    SessionOut,
    SheetLineOut,
    SheetOut,
    StaffCheckIn,
    StaffCheckOutIn,
    StatsRowOut,
    StreetStatsOut,
    VerifyIn,
)

router = Router(tags=["志愿服务（工作人员）"])


def _staff(request: HttpRequest) -> User:
    require_staff(request.auth)
    return request.auth


def _region(code: str | None, field: str) -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise not_found("geo.unknown_region", _("区域不存在。"), field=field, region=code)
    return region


def _project_for_staff(request: HttpRequest, project_id: int):
    user = _staff(request)
    return user, selectors.project_for_staff(user, project_id)


@router.get("/projects", response=list[ProjectOut], summary="管辖范围内的项目")
def projects(request: HttpRequest, status: str | None = None) -> list[ProjectOut]:
    user = _staff(request)
    return [ProjectOut.of(p) for p in selectors.staff_projects(user, status=status)[:500]]


@router.post("/projects", response={201: ProjectOut}, summary="发布志愿服务项目")
def create_project(request: HttpRequest, payload: ProjectIn) -> Status:
    user = _staff(request)
    data = payload.dict()
    region = _region(data.pop("region_code"), "region_code")
    pool = _region(data.pop("pool_region_code"), "pool_region_code")
    lon, lat = data.pop("lon"), data.pop("lat")
    project = services.project_create(
        actor=user,
        region=region,
        pool_region=pool,
        place=(lon, lat) if lon is not None and lat is not None else None,
        **data,
    )
    return Status(201, ProjectOut.of(selectors.project_get(project.pk)))


@router.patch("/projects/{project_id}", response=ProjectOut, summary="修改项目说明或名额")
def update_project(
    request: HttpRequest, project_id: IdParam, payload: ProjectUpdateIn
) -> ProjectOut:
    user, project = _project_for_staff(request, project_id)
    changed = services.project_update(project=project, actor=user, **payload.dict())
    return ProjectOut.of(selectors.project_get(changed.pk))


@router.post("/projects/{project_id}/publish", response=ProjectOut, summary="发布（开放认领）")
def publish(request: HttpRequest, project_id: IdParam) -> ProjectOut:
    user, project = _project_for_staff(request, project_id)
    return ProjectOut.of(services.project_publish(project=project, actor=user))


@router.post("/projects/{project_id}/close", response=ProjectOut, summary="截止报名")
def close(request: HttpRequest, project_id: IdParam) -> ProjectOut:
    user, project = _project_for_staff(request, project_id)
    return ProjectOut.of(services.project_close(project=project, actor=user))


@router.post("/projects/{project_id}/cancel", response=ProjectOut, summary="取消项目")
def cancel(request: HttpRequest, project_id: IdParam, payload: ReasonIn) -> ProjectOut:
    user, project = _project_for_staff(request, project_id)
    return ProjectOut.of(
        services.project_cancel(project=project, actor=user, reason=payload.reason)
    )


def _session_for_staff(request: HttpRequest, session_id: int):
    user = _staff(request)
    return user, selectors.session_for_staff(user, session_id)


@router.get("/sessions/{session_id}/sheet", response=SheetOut, summary="场次签到表")
def sheet(request: HttpRequest, session_id: IdParam) -> SheetOut:
    user, session = _session_for_staff(request, session_id)
    line = selectors.session_lines([session], user)[0]
    return SheetOut(
        session=SessionOut.of(line),
        project=ProjectOut.of(selectors.project_get(session.project_id)),
        qr_token=services.session_token(session),
        lines=[SheetLineOut.of(claim) for claim in selectors.sheet_claims(session)],
    )


@router.post("/sessions/{session_id}/record", response={201: ClaimOut}, summary="现场报名/补录")
def record(request: HttpRequest, session_id: IdParam, payload: RecordIn) -> Status:
    user, session = _session_for_staff(request, session_id)
    worker = User.objects.filter(phone=normalize_phone(payload.phone)).first()
    if worker is None:
        raise not_found("volunteering.worker_not_found", _("没有这个手机号的劳动者。"))
    claim = services.claim_record(session=session, worker=worker, staff=user)
    return Status(201, ClaimOut.of(selectors.claim_get(claim.pk)))


@router.post("/sessions/{session_id}/promote", response=list[ClaimOut], summary="候补递补")
def promote(request: HttpRequest, session_id: IdParam) -> list[ClaimOut]:
    user, session = _session_for_staff(request, session_id)
    promoted = services.session_promote_waitlist(session=session, actor=user)
    return [ClaimOut.of(selectors.claim_get(c.pk)) for c in promoted]


def _claim_by_code(request: HttpRequest, session_id: int, code: str):
    user, session = _session_for_staff(request, session_id)
    return user, selectors.claim_by_code(session, code)


@router.post(
    "/sessions/{session_id}/codes/{code}/check-in", response=AttendanceOut, summary="凭认领码签到"
)
def code_check_in(
    request: HttpRequest, session_id: IdParam, code: str, payload: StaffCheckIn
) -> AttendanceOut:
    user, claim = _claim_by_code(request, session_id, code)
    return AttendanceOut.of(
        services.attendance_staff_check_in(claim=claim, staff=user, at=payload.at)
    )


@router.post(
    "/sessions/{session_id}/codes/{code}/check-out", response=AttendanceOut, summary="凭认领码签退"
)
def code_check_out(
    request: HttpRequest, session_id: IdParam, code: str, payload: StaffCheckOutIn
) -> AttendanceOut:
    user, claim = _claim_by_code(request, session_id, code)
    attendance = services.attendance_staff_check_out(
        claim=claim, staff=user, at=payload.at, quantity=payload.quantity
    )
    return AttendanceOut.of(attendance)


@router.post("/claims/{claim_id}/verify", response=AttendanceOut, summary="核验（全程/部分/未到）")
def verify(request: HttpRequest, claim_id: IdParam, payload: VerifyIn) -> AttendanceOut:
    user = _staff(request)
    attendance = services.attendance_verify(
        claim=selectors.claim_for_staff(user, claim_id),
        staff=user,
        outcome=payload.outcome,
        hours=payload.hours,
        quantity=payload.quantity,
        note=payload.note,
    )
    return AttendanceOut.of(attendance)


@router.post("/claims/{claim_id}/cancel", response=ClaimOut, summary="取消认领")
def cancel_claim(request: HttpRequest, claim_id: IdParam, payload: ReasonIn) -> ClaimOut:
    user = _staff(request)
    claim = selectors.claim_for_staff(user, claim_id)
    services.claim_cancel(claim=claim, staff=user, reason=payload.reason)
    return ClaimOut.of(selectors.claim_get(claim_id))


@router.post("/attendances/{attendance_id}/correct", response=AttendanceOut, summary="更正核验")
def correct(request: HttpRequest, attendance_id: IdParam, payload: CorrectIn) -> AttendanceOut:
    user = _staff(request)
    attendance = services.attendance_correct(
        attendance=selectors.attendance_for_staff(user, attendance_id),
        staff=user,
        outcome=payload.outcome,
        hours=payload.hours,
        quantity=payload.quantity,
        reason=payload.reason,
    )
    return AttendanceOut.of(attendance)


def _award_out(award: Award) -> AwardOut:
    return AwardOut(
        id=award.pk,
        revision=award.revision,
        transfer_id=award.transfer_id,
        status=award.status,
        points_requested=award.points_requested,
        points_granted=award.points_granted,
        limited_by=award.limited_by,
    )


@router.post("/awards/{award_id}/retry", response=AwardOut, summary="重试待发放积分")
def retry_award(request: HttpRequest, award_id: IdParam) -> AwardOut:
    user = _staff(request)
    award = selectors.award_for_staff(user, award_id)
    return _award_out(services.award_retry(award=award, staff=user))


def _filter(
    street: list[str] | None, kind: str, since: dt.date | None, until: dt.date | None
) -> stats.StatsFilter:
    return stats.StatsFilter(streets=street or [], kind=kind, since=since, until=until)


def _row(row: dict, label: str, **extra: object) -> StatsRowOut:
    return StatsRowOut(
        label=label,
        code=row.get("code", ""),
        people=row["people"],
        served=row["served"],
        hours=row["hours"],
        leaflets=row["leaflets"],
        no_shows=row["no_shows"],
        points=row["points"],
        projects=row.get("projects"),
        extra=extra,
    )


@router.get("/stats/streets", response=StreetStatsOut, summary="按街道统计")
def street_stats(
    request: HttpRequest,
    street: list[str] | None = Query(None),  # noqa: B008
    kind: str = "",
    since: Date | None = None,
    until: Date | None = None,
) -> StreetStatsOut:
    rows, total = stats.street_stats(_staff(request), _filter(street, kind, since, until))
    return StreetStatsOut(
        streets=[_row(r, r["street"]) for r in rows], total=_row(total, total["street"])
    )


@router.get("/stats/projects", response=list[StatsRowOut], summary="按项目统计")
def project_stats(
    request: HttpRequest,
    street: list[str] | None = Query(None),  # noqa: B008
    kind: str = "",
    since: Date | None = None,
    until: Date | None = None,
) -> list[StatsRowOut]:
    rows = stats.project_stats(_staff(request), _filter(street, kind, since, until))
    return [
        _row(
            r,
            r["title"],
            project_id=r["project_id"],
            street=r["street"],
            sessions=r["sessions"],
            claims=r["claims"],
        )
        for r in rows
    ]


@router.get("/stats/workers", response=list[StatsRowOut], summary="按人员统计（手机号脱敏）")
def worker_stats(
    request: HttpRequest,
    street: list[str] | None = Query(None),  # noqa: B008
    kind: str = "",
    since: Date | None = None,
    until: Date | None = None,
) -> list[StatsRowOut]:
    rows = stats.worker_stats(_staff(request), _filter(street, kind, since, until))
    return [
        _row(
            {**r, "people": 1 if r["served"] else 0},
            r["name"],
            phone=r["phone"],
            community=r["community"],
            projects=r["projects"],
        )
        for r in rows
    ]


@router.get("/stats/export.xlsx", summary="导出统计（.xlsx）")
def export(
    request: HttpRequest,
    street: list[str] | None = Query(None),  # noqa: B008
    kind: str = "",
    since: Date | None = None,
    until: Date | None = None,
) -> HttpResponse:
    content = stats.stats_workbook(_staff(request), _filter(street, kind, since, until))
    return xlsx_file_response(content, "volunteering-stats.xlsx")
