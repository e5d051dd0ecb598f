"""Enterprises and workers: lists, detail, create, change, audited reveal."""

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Query, Status
from ninja.pagination import paginate

from nuanxin.core.schema import IdParam, Pagination
from nuanxin.registry import services
from nuanxin.registry.api.common import (
    EnterpriseQuery,
    WorkerQuery,
    api_staff,
    api_user,
    enterprise_for,
    enterprises_by_ids,
    region_by_code,
    router,
    worker_for,
    worker_region_args,
)
from nuanxin.registry.models import (
    Enterprise,
    Worker,
)
from nuanxin.registry.schemas import (
    EnterpriseIn,
    EnterpriseOut,
    EnterprisePatch,
    RevealIn,
    WorkerIn,
    WorkerNumbersOut,
    WorkerOut,
    WorkerPatch,
)
from nuanxin.registry.selectors import (
    enterprise_list,
    worker_list,
)

# --- enterprises -------------------------------------------------------------------------


@router.get("/enterprises", response=list[EnterpriseOut], summary="企业台账（可筛选）")
@paginate(Pagination)
def enterprises(request: HttpRequest, query: Query[EnterpriseQuery]) -> Any:
    user = api_user(request)
    return enterprise_list(user, query.filters(user))


@router.post("/enterprises", response={201: EnterpriseOut}, summary="登记企业")
def enterprise_create(request: HttpRequest, payload: EnterpriseIn) -> Status[Enterprise]:
    user = api_staff(request)
    data = payload.dict()
    region = region_by_code(data.pop("region_code"), "region_code")
    enterprise = services.enterprise_create(actor=user, region=region, **data)
    return Status(201, enterprise)


@router.get("/enterprises/{enterprise_id}", response=EnterpriseOut, summary="企业详情")
def enterprise_detail(request: HttpRequest, enterprise_id: IdParam) -> Enterprise:
    return enterprise_for(api_user(request), enterprise_id)


@router.patch("/enterprises/{enterprise_id}", response=EnterpriseOut, summary="修改企业信息")
def enterprise_patch(
    request: HttpRequest, enterprise_id: IdParam, payload: EnterprisePatch
) -> Enterprise:
    user = api_user(request)
    changes = payload.dict(exclude_unset=True)
    if "region_code" in changes:
        changes["region"] = region_by_code(changes.pop("region_code"), "region_code")
    return services.enterprise_update(
        enterprise=enterprise_for(user, enterprise_id), actor=user, changes=changes
    )


# --- workers -----------------------------------------------------------------------------


@router.get("/workers", response=list[WorkerOut], summary="从业人员台账（可筛选，号码脱敏）")
@paginate(Pagination)
def workers(request: HttpRequest, query: Query[WorkerQuery]) -> Any:
    user = api_user(request)
    qs = worker_list(user, query.filters(user)).select_related("home_region", "work_region")
    return qs.prefetch_related(Prefetch("enterprises", Enterprise.objects.only("name")))


@router.post("/workers", response={201: WorkerOut}, summary="登记从业人员")
def worker_create(request: HttpRequest, payload: WorkerIn) -> Status[Worker]:
    user = api_user(request)
    data = worker_region_args(payload.dict())
    linked = enterprises_by_ids(user, data.pop("enterprise_ids"))
    worker = services.worker_create(actor=user, enterprises=linked, **data)
    return Status(201, worker_for(user, worker.pk))


@router.get("/workers/{worker_id}", response=WorkerOut, summary="从业人员详情（号码脱敏）")
def worker_detail(request: HttpRequest, worker_id: IdParam) -> Worker:
    return worker_for(api_user(request), worker_id)


@router.patch("/workers/{worker_id}", response=WorkerOut, summary="修改从业人员信息")
def worker_patch(request: HttpRequest, worker_id: IdParam, payload: WorkerPatch) -> Worker:
    user = api_user(request)
    changes = worker_region_args(payload.dict(exclude_unset=True))
    ids = changes.pop("enterprise_ids", None)
    linked = None if ids is None else enterprises_by_ids(user, ids)
    worker = services.worker_update(
        worker=worker_for(user, worker_id), actor=user, changes=changes, enterprises=linked
    )
    return worker_for(user, worker.pk)


@router.post(
    "/workers/{worker_id}/reveal",
    response=WorkerNumbersOut,
    summary="查看完整手机号和身份证号（需说明用途，每小时限次，记入操作日志）",
)
def worker_reveal(request: HttpRequest, worker_id: IdParam, payload: RevealIn) -> dict[str, str]:
    user = api_user(request)
    return services.worker_reveal(
        worker=worker_for(user, worker_id), actor=user, purpose=payload.purpose
    )
