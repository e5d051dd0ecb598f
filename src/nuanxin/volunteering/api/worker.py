"""Worker endpoints: projects near me and in my community, claims, check-in/out, my hours."""

from django.http import HttpRequest
from ninja import Query, Router, Status

from nuanxin.core.schema import IdParam
from nuanxin.geo.coords import point_to_wgs84
from nuanxin.volunteering import selectors, services
from nuanxin.volunteering.schemas import (
    AttendanceOut,
    CheckOutIn,
    ClaimOut,
    HoursOut,
    ProjectCardOut,
    ProjectDetailOut,
    ProjectOut,
    ProjectsQuery,
    QuantityIn,
    ScanIn,
    SessionOut,
)

router = Router(tags=["志愿服务"])


def _location(payload: ScanIn) -> tuple[float, float] | None:
    if payload.lon is None or payload.lat is None:
        return None
    return (payload.lon, payload.lat)


@router.get("/projects", response=list[ProjectCardOut], summary="附近和本社区的志愿服务项目")
def projects(request: HttpRequest, query: Query[ProjectsQuery]) -> list[ProjectCardOut]:
    lon = lat = None
    if query.lon is not None and query.lat is not None:
        lon, lat = point_to_wgs84(query.lon, query.lat, query.coord_system)
    cards = selectors.projects_for_worker(request.auth, lon=lon, lat=lat, radius_m=query.radius_m)
    return [ProjectCardOut.of(card, query.coord_system) for card in cards]


@router.get("/projects/{project_id}", response=ProjectDetailOut, summary="项目详情与场次")
def project_detail(request: HttpRequest, project_id: IdParam) -> ProjectDetailOut:
    project = selectors.project_for_worker(project_id)
    lines = selectors.upcoming_lines(project, request.auth)
    return ProjectDetailOut(
        project=ProjectOut.of(project), sessions=[SessionOut.of(line) for line in lines]
    )


@router.post("/sessions/{session_id}/claim", response={201: ClaimOut}, summary="认领一个场次")
def claim(request: HttpRequest, session_id: IdParam) -> Status:
    session = selectors.session_for_worker(session_id)
    created = services.claim_create(session=session, worker=request.auth)
    return Status(201, ClaimOut.of(selectors.claim_get(created.pk)))


@router.get("/claims/mine", response=list[ClaimOut], summary="我的认领")
def my_claims(request: HttpRequest) -> list[ClaimOut]:
    return [ClaimOut.of(claim) for claim in selectors.claims_of(request.auth)]


@router.post("/claims/{claim_id}/withdraw", response=ClaimOut, summary="退出认领")
def withdraw(request: HttpRequest, claim_id: IdParam) -> ClaimOut:
    claim = selectors.claim_of_worker(request.auth, claim_id)
    services.claim_withdraw(claim=claim, worker=request.auth)
    return ClaimOut.of(selectors.claim_get(claim_id))


@router.post("/check-in", response=AttendanceOut, summary="扫码签到")
def check_in(request: HttpRequest, payload: ScanIn) -> AttendanceOut:
    attendance = services.attendance_check_in(
        token=payload.token,
        worker=request.auth,
        location=_location(payload),
        coord_system=payload.coord_system,
    )
    return AttendanceOut.of(attendance)


@router.post("/check-out", response=AttendanceOut, summary="扫码签退（传单任务可上报发放数量）")
def check_out(request: HttpRequest, payload: CheckOutIn) -> AttendanceOut:
    attendance = services.attendance_check_out(
        token=payload.token,
        worker=request.auth,
        quantity=payload.quantity,
        location=_location(payload),
        coord_system=payload.coord_system,
    )
    return AttendanceOut.of(attendance)


@router.post(
    "/attendances/{attendance_id}/quantity", response=AttendanceOut, summary="上报发放数量"
)
def report_quantity(
    request: HttpRequest, attendance_id: IdParam, payload: QuantityIn
) -> AttendanceOut:
    attendance = services.attendance_report_quantity(
        attendance=selectors.attendance_of_worker(request.auth, attendance_id),
        worker=request.auth,
        quantity=payload.quantity,
    )
    return AttendanceOut.of(attendance)


@router.get("/me/hours", response=HoursOut, summary="我的志愿服务时长与积分")
def my_hours(request: HttpRequest) -> HoursOut:
    summary = selectors.hours_of(request.auth)
    return HoursOut(**summary.__dict__)
