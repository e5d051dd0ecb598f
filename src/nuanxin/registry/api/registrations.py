"""Registrations with communities, and the counts by region."""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Status
from ninja.pagination import paginate

from nuanxin.core.errors import not_found
from nuanxin.core.schema import IdParam, Pagination, YearParam
from nuanxin.registry import services
from nuanxin.registry.access import (
    enterprise_in_reach,
    is_governing,
    worker_in_reach,
)
from nuanxin.registry.api.common import (
    api_staff,
    api_user,
    community_by_code,
    router,
)
from nuanxin.registry.models import (
    Enterprise,
    Registration,
    RegistrationChannel,
    Worker,
)
from nuanxin.registry.schemas import (
    AcceptIn,
    CountRowOut,
    CountsOut,
    JoinIn,
    MineOut,
    RegionRef,
    RegistrationIn,
    RegistrationOut,
    RejectIn,
    StatsOut,
)
from nuanxin.registry.selectors import (
    counts_by_child,
    home_region,
    region_for,
    registration_in_reach,
    registrations_for,
)

# --- registrations -----------------------------------------------------------------------


@router.get("/registrations", response=list[RegistrationOut], summary="报到备案（待审核在前）")
@paginate(Pagination)
def registrations(request: HttpRequest, status: str = "", community: str | None = None) -> Any:
    user = api_user(request)
    return registrations_for(user, status=status, community=region_for(user, community))


@router.post("/registrations", response={201: RegistrationOut}, summary="向社区报到")
def registration_create(request: HttpRequest, payload: RegistrationIn) -> Status[Registration]:
    """Workers register themselves (worker_id of their own record), liaisons their enterprise
    or its workers, staff anyone on their behalf (and may accept at once)."""
    user = request.auth
    community = community_by_code(payload.community_code)
    enterprise = worker = None
    if payload.enterprise_id is not None:
        enterprise = enterprise_in_reach(user, payload.enterprise_id)
    if payload.worker_id is not None:
        worker = worker_in_reach(user, payload.worker_id)
    registration = services.registration_submit(
        community=community,
        actor=user,
        enterprise=enterprise,
        worker=worker,
        channel=RegistrationChannel.STAFF if is_governing(user) else RegistrationChannel.API,
        note=payload.note,
        accept_now=payload.accept_now,
    )
    return Status(201, _registration(registration.pk))


def _registration(pk: int) -> Registration:
    qs = Registration.objects.select_related("community", "enterprise", "worker")
    return get_object_or_404(qs, pk=pk)


@router.post("/registrations/{registration_id}/accept", response=RegistrationOut, summary="通过")
def registration_accept(
    request: HttpRequest, registration_id: IdParam, payload: AcceptIn
) -> Registration:
    user = api_staff(request)
    registration = services.registration_accept(
        registration=registration_in_reach(user, registration_id), reviewer=user, note=payload.note
    )
    return _registration(registration.pk)


@router.post(
    "/registrations/{registration_id}/reject", response=RegistrationOut, summary="退回（须写原因）"
)
def registration_reject(
    request: HttpRequest, registration_id: IdParam, payload: RejectIn
) -> Registration:
    user = api_staff(request)
    registration = services.registration_reject(
        registration=registration_in_reach(user, registration_id),
        reviewer=user,
        reason=payload.reason,
    )
    return _registration(registration.pk)


@router.post(
    "/registrations/{registration_id}/withdraw", response=RegistrationOut, summary="撤销（迁出）"
)
def registration_withdraw(
    request: HttpRequest, registration_id: IdParam, payload: AcceptIn
) -> Registration:
    registration = services.registration_withdraw(
        registration=registration_in_reach(request.auth, registration_id),
        actor=request.auth,
        reason=payload.note,
    )
    return _registration(registration.pk)


# --- counts ------------------------------------------------------------------------------


@router.get("/stats", response=StatsOut, summary="按区域统计：企业、人员、党员、报到数")
def stats(
    request: HttpRequest, region: str | None = None, year: YearParam | None = None
) -> StatsOut:
    user = api_staff(request)
    root = region_for(user, region) or home_region(user)
    if root is None:
        raise not_found("registry.unknown_region", _("区域不存在。"))
    totals, rows = counts_by_child(root, year=year)
    return StatsOut(
        region=RegionRef.of(root),
        counts=CountsOut(**totals.as_dict()),
        children=[
            CountRowOut(
                region=RegionRef.of(row.region),
                counts=CountsOut(**row.counts.as_dict()),
                has_children=row.has_children,
            )
            for row in rows
        ],
    )


# --- the worker's own ----------------------------------------------------------------------


@router.get("/me", response=MineOut, summary="我的台账记录和报到（劳动者本人，号码脱敏）")
def mine(request: HttpRequest) -> dict[str, Any]:
    worker = (
        Worker.objects.filter(user=request.auth)
        .select_related("region", "home_region", "work_region")
        .prefetch_related("enterprises")
        .first()
    )
    registrations = (
        worker.registrations.select_related("community", "enterprise", "worker") if worker else []
    )
    return {"worker": worker, "registrations": list(registrations)}


@router.post("/me/join", response={201: RegistrationOut}, summary="扫码向社区报到（劳动者本人）")
def join(request: HttpRequest, payload: JoinIn) -> Status[Registration]:
    """The app's side of a community's QR code: the worker's record is linked (same phone) or
    created from the form, then the registration waits for the community's review."""
    community = community_by_code(payload.community_code)
    enterprise = None
    if payload.enterprise_name.strip():
        enterprise = Enterprise.objects.filter(name=payload.enterprise_name.strip()).first()
    worker = services.worker_self_register(
        user=request.auth,
        name=payload.name or request.auth.name,
        occupation=payload.occupation,
        work_region=community,
        enterprises=[enterprise] if enterprise else [],
        political_status=payload.political_status,
        union_member=payload.union_member,
    )
    registration = services.registration_submit(
        community=community,
        actor=request.auth,
        worker=worker,
        channel=RegistrationChannel.QR,
        note=payload.note,
    )
    return Status(201, _registration(registration.pk))
