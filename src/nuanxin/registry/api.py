"""台账 API: enterprises, workers, registrations, counts, imports and exports, campaigns.

Every list is scoped to the caller (jurisdiction, or a liaison's enterprises); phone and ID
numbers are masked except in ``POST /workers/{id}/reveal``, which is audited.
"""

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from nuanxin.core.errors import ApplicationError, forbidden, not_found
from nuanxin.geo.models import Region
from nuanxin.registry import services
from nuanxin.registry.access import (
    enterprises_for,
    is_governing,
    may_use_registry,
    require_enterprise_access,
    require_worker_access,
)
from nuanxin.registry.exporting import XLSX_CONTENT_TYPE, error_report, template_workbook
from nuanxin.registry.importing.engine import import_file
from nuanxin.registry.models import (
    Enterprise,
    ImportJob,
    ImportMode,
    Registration,
    RegistrationChannel,
    SurveyCampaign,
    Worker,
)
from nuanxin.registry.schemas import (
    AcceptIn,
    CampaignIn,
    CampaignOut,
    CountRowOut,
    CountsOut,
    EnterpriseIn,
    EnterpriseOut,
    EnterprisePatch,
    FindingIn,
    FindingOut,
    ImportOut,
    RegionRef,
    RegistrationIn,
    RegistrationOut,
    RejectIn,
    StatsOut,
    WorkerIn,
    WorkerNumbersOut,
    WorkerOut,
    WorkerPatch,
)
from nuanxin.registry.selectors import (
    EnterpriseFilter,
    WorkerFilter,
    campaign_summary,
    campaigns_for,
    counts_by_child,
    enterprise_list,
    home_region,
    region_for,
    registrations_for,
    worker_list,
)

router = Router(tags=["台账"])


def _user(request: HttpRequest) -> Any:
    user = request.auth
    if not may_use_registry(user):
        raise forbidden("registry.not_allowed", _("您无权使用台账。"))
    return user


def _staff(request: HttpRequest) -> Any:
    user = _user(request)
    if not is_governing(user):
        raise forbidden("registry.not_allowed", _("只有区域工作人员可以进行此操作。"))
    return user


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


class EnterpriseQuery(Schema):
    region: str | None = None
    q: str = ""
    kind: str = ""
    industry: str = ""
    status: str = ""
    brand: str = ""
    registered: bool | None = None

    def filters(self, user: Any) -> EnterpriseFilter:
        data = self.dict()
        data["region"] = region_for(user, self.region)
        return EnterpriseFilter(**data)


class WorkerQuery(Schema):
    region: str | None = None
    q: str = ""
    occupation: str = ""
    political_status: str = ""
    party_member: bool | None = None
    status: str = ""
    enterprise_id: int | None = None
    union_member: bool | None = None
    registered: bool | None = None

    def filters(self, user: Any) -> WorkerFilter:
        data = self.dict()
        data["region"] = region_for(user, self.region)
        return WorkerFilter(**data)


def _region(code: str | None, field: str) -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ApplicationError(
            "registry.unknown_region", _("区域不存在。"), extra={"field": field, "code": code}
        )
    return region


def _enterprise(user: Any, pk: int) -> Enterprise:
    enterprise = get_object_or_404(Enterprise.objects.select_related("region"), pk=pk)
    require_enterprise_access(user, enterprise)
    return enterprise


def _worker(user: Any, pk: int) -> Worker:
    qs = Worker.objects.select_related("region", "home_region", "work_region")
    worker = get_object_or_404(qs.prefetch_related("enterprises"), pk=pk)
    require_worker_access(user, worker)
    return worker


def _enterprises(user: Any, ids: list[int]) -> list[Enterprise]:
    found = list(enterprises_for(user).filter(pk__in=ids)) if ids else []
    if len(found) != len(set(ids)):
        raise ApplicationError(
            "registry.unknown_enterprise", _("所选企业不存在或不在您的范围内。"),
            extra={"field": "enterprise_ids"},
        )  # fmt: skip
    return found


# --- enterprises -------------------------------------------------------------------------


@router.get("/enterprises", response=list[EnterpriseOut], summary="企业台账（可筛选）")
@paginate(PageNumberPagination)
def enterprises(request: HttpRequest, query: Query[EnterpriseQuery]) -> Any:
    user = _user(request)
    return enterprise_list(user, query.filters(user))


@router.post("/enterprises", response={201: EnterpriseOut}, summary="登记企业")
def enterprise_create(request: HttpRequest, payload: EnterpriseIn) -> Status[Enterprise]:
    user = _staff(request)
    data = payload.dict()
    region = _region(data.pop("region_code"), "region_code")
    enterprise = services.enterprise_create(actor=user, region=region, **data)
    return Status(201, enterprise)


@router.get("/enterprises/{enterprise_id}", response=EnterpriseOut, summary="企业详情")
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> Enterprise:
    return _enterprise(_user(request), enterprise_id)


@router.patch("/enterprises/{enterprise_id}", response=EnterpriseOut, summary="修改企业信息")
def enterprise_patch(
    request: HttpRequest, enterprise_id: int, payload: EnterprisePatch
) -> Enterprise:
    user = _user(request)
    changes = payload.dict(exclude_unset=True)
    if "region_code" in changes:
        changes["region"] = _region(changes.pop("region_code"), "region_code")
    return services.enterprise_update(
        enterprise=_enterprise(user, enterprise_id), actor=user, changes=changes
    )


# --- workers -----------------------------------------------------------------------------


@router.get("/workers", response=list[WorkerOut], summary="从业人员台账（可筛选，号码脱敏）")
@paginate(PageNumberPagination)
def workers(request: HttpRequest, query: Query[WorkerQuery]) -> Any:
    user = _user(request)
    qs = worker_list(user, query.filters(user)).select_related("home_region", "work_region")
    return qs.prefetch_related(Prefetch("enterprises", Enterprise.objects.only("name")))


def _worker_regions(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("home_region", "work_region"):
        if f"{key}_code" in data:
            data[key] = _region(data.pop(f"{key}_code"), f"{key}_code")
    return data


@router.post("/workers", response={201: WorkerOut}, summary="登记从业人员")
def worker_create(request: HttpRequest, payload: WorkerIn) -> Status[Worker]:
    user = _user(request)
    data = _worker_regions(payload.dict())
    linked = _enterprises(user, data.pop("enterprise_ids"))
    worker = services.worker_create(actor=user, enterprises=linked, **data)
    return Status(201, _worker(user, worker.pk))


@router.get("/workers/{worker_id}", response=WorkerOut, summary="从业人员详情（号码脱敏）")
def worker_detail(request: HttpRequest, worker_id: int) -> Worker:
    return _worker(_user(request), worker_id)


@router.patch("/workers/{worker_id}", response=WorkerOut, summary="修改从业人员信息")
def worker_patch(request: HttpRequest, worker_id: int, payload: WorkerPatch) -> Worker:
    user = _user(request)
    changes = _worker_regions(payload.dict(exclude_unset=True))
    ids = changes.pop("enterprise_ids", None)
    linked = None if ids is None else _enterprises(user, ids)
    worker = services.worker_update(
        worker=_worker(user, worker_id), actor=user, changes=changes, enterprises=linked
    )
    return _worker(user, worker.pk)


@router.post(
    "/workers/{worker_id}/reveal",
    response=WorkerNumbersOut,
    summary="查看完整手机号和身份证号（记入操作日志）",
)
def worker_reveal(request: HttpRequest, worker_id: int) -> dict[str, str]:
    user = _user(request)
    return services.worker_reveal(worker=_worker(user, worker_id), actor=user)


# --- registrations -----------------------------------------------------------------------


@router.get("/registrations", response=list[RegistrationOut], summary="报到备案（待审核在前）")
@paginate(PageNumberPagination)
def registrations(request: HttpRequest, status: str = "", community: str | None = None) -> Any:
    user = _user(request)
    return registrations_for(user, status=status, community=region_for(user, community))


@router.post("/registrations", response={201: RegistrationOut}, summary="向社区报到")
def registration_create(request: HttpRequest, payload: RegistrationIn) -> Status[Registration]:
    """Workers register themselves (worker_id of their own record), liaisons their enterprise
    or its workers, staff anyone on their behalf (and may accept at once)."""
    user = request.auth
    community = _region(payload.community_code, "community_code")
    enterprise = worker = None
    if payload.enterprise_id is not None:
        enterprise = get_object_or_404(Enterprise, pk=payload.enterprise_id)
    if payload.worker_id is not None:
        worker = get_object_or_404(Worker, pk=payload.worker_id)
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
    request: HttpRequest, registration_id: int, payload: AcceptIn
) -> Registration:
    registration = services.registration_accept(
        registration=_registration(registration_id), reviewer=_staff(request), note=payload.note
    )
    return _registration(registration.pk)


@router.post(
    "/registrations/{registration_id}/reject", response=RegistrationOut, summary="退回（须写原因）"
)
def registration_reject(
    request: HttpRequest, registration_id: int, payload: RejectIn
) -> Registration:
    registration = services.registration_reject(
        registration=_registration(registration_id),
        reviewer=_staff(request),
        reason=payload.reason,
    )
    return _registration(registration.pk)


@router.post(
    "/registrations/{registration_id}/withdraw", response=RegistrationOut, summary="撤销（迁出）"
)
def registration_withdraw(
    request: HttpRequest, registration_id: int, payload: AcceptIn
) -> Registration:
    registration = services.registration_withdraw(
        registration=_registration(registration_id), actor=request.auth, reason=payload.note
    )
    return _registration(registration.pk)


# --- counts ------------------------------------------------------------------------------


@router.get("/stats", response=StatsOut, summary="按区域统计：企业、人员、党员、报到数")
def stats(request: HttpRequest, region: str | None = None, year: int | None = None) -> StatsOut:
    user = _staff(request)
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


# --- Excel -------------------------------------------------------------------------------


@router.get("/template.xlsx", summary="下载空白导入模板", response={200: None})
def template(request: HttpRequest) -> HttpResponse:
    _user(request)
    return _xlsx(template_workbook(), "%E5%8F%B0%E8%B4%A6%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx")


def _job_out(job: ImportJob) -> ImportOut:
    return ImportOut.of(job, reverse("api:registry_import_errors", kwargs={"job_id": job.pk}))


@router.post("/imports", response={201: ImportOut}, summary="导入 Excel 台账")
def import_create(
    request: HttpRequest,
    file: File[UploadedFile],
    mode: Form[str] = ImportMode.ALL_OR_NOTHING,
    campaign_id: Form[int | None] = None,
) -> Status[ImportOut]:
    user = _user(request)
    campaign = None
    if campaign_id is not None:
        campaign = get_object_or_404(campaigns_for(user), pk=campaign_id)
    outcome = import_file(
        file=file, actor=user, mode=mode, file_name=file.name or "", campaign=campaign
    )
    return Status(201, _job_out(outcome.job))


def _job(user: Any, job_id: int) -> ImportJob:
    job = get_object_or_404(ImportJob, pk=job_id)
    if job.created_by_id != user.pk and not user.is_superuser:
        raise forbidden("registry.not_allowed", _("只能查看自己的导入记录。"))
    return job


@router.get("/imports/{job_id}", response=ImportOut, summary="导入结果")
def import_detail(request: HttpRequest, job_id: int) -> ImportOut:
    return _job_out(_job(_user(request), job_id))


@router.get(
    "/imports/{job_id}/errors.xlsx",
    url_name="registry_import_errors",
    summary="下载错误报告（行号、列、问题）",
    response={200: None},
)
def import_errors(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(_user(request), job_id)
    return _xlsx(error_report(job), f"import-{job.pk}-errors.xlsx")


@router.get("/export/enterprises.xlsx", summary="导出企业台账（按筛选条件）", response={200: None})
def export_enterprises(
    request: HttpRequest, query: Query[EnterpriseQuery], full: bool = False
) -> HttpResponse:
    user = _user(request)
    qs = enterprise_list(user, query.filters(user))
    data = services.registry_export(
        actor=user, queryset=qs, full_numbers=full, filters=query.dict()
    )
    return _xlsx(data, "enterprises.xlsx")


@router.get("/export/workers.xlsx", summary="导出从业人员台账（按筛选条件）", response={200: None})
def export_workers(
    request: HttpRequest, query: Query[WorkerQuery], full: bool = False
) -> HttpResponse:
    user = _user(request)
    qs = worker_list(user, query.filters(user))
    data = services.registry_export(
        actor=user, queryset=qs, full_numbers=full, filters=query.dict()
    )
    return _xlsx(data, "workers.xlsx")


# --- campaigns ---------------------------------------------------------------------------


def _campaign(user: Any, campaign_id: int) -> SurveyCampaign:
    return get_object_or_404(campaigns_for(user), pk=campaign_id)


def _campaign_out(campaign: SurveyCampaign) -> CampaignOut:
    now, found = campaign_summary(campaign)
    return CampaignOut.of(campaign, now, found)


@router.get("/campaigns", response=list[CampaignOut], summary="三找行动")
def campaigns(request: HttpRequest) -> list[CampaignOut]:
    return [_campaign_out(c) for c in campaigns_for(_staff(request))]


@router.post("/campaigns", response={201: CampaignOut}, summary="发起三找行动")
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Status[CampaignOut]:
    user = _staff(request)
    targets = [_region(code, "target_codes") for code in payload.target_codes]
    campaign = services.campaign_create(
        actor=user,
        name=payload.name,
        start_date=payload.start_date,
        end_date=payload.end_date,
        target_regions=[t for t in targets if t is not None],
        description=payload.description,
    )
    return Status(201, _campaign_out(campaign))


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="行动详情：前后对比")
def campaign_detail(request: HttpRequest, campaign_id: int) -> CampaignOut:
    return _campaign_out(_campaign(_staff(request), campaign_id))


@router.post("/campaigns/{campaign_id}/close", response=CampaignOut, summary="结束行动")
def campaign_close(request: HttpRequest, campaign_id: int) -> CampaignOut:
    user = _staff(request)
    campaign = services.campaign_close(campaign=_campaign(user, campaign_id), actor=user)
    return _campaign_out(campaign)


@router.get(
    "/campaigns/{campaign_id}/findings", response=list[FindingOut], summary="行动发现的对象"
)
@paginate(PageNumberPagination)
def findings(request: HttpRequest, campaign_id: int) -> Any:
    campaign = _campaign(_staff(request), campaign_id)
    qs = campaign.findings.select_related("region", "enterprise", "worker")
    return [FindingOut.of(f) for f in qs]


@router.post(
    "/campaigns/{campaign_id}/findings", response={201: FindingOut}, summary="登记走访发现"
)
def finding_create(
    request: HttpRequest, campaign_id: int, payload: FindingIn
) -> Status[FindingOut]:
    user = _staff(request)
    campaign = _campaign(user, campaign_id)
    data = dict(payload.data)
    if payload.kind == "enterprise":
        if "region_code" in data:
            data["region"] = _region(data.pop("region_code"), "region_code")
        enterprise = _enterprise(user, payload.enterprise_id) if payload.enterprise_id else None
        finding = services.finding_record_enterprise(
            campaign=campaign, actor=user, enterprise=enterprise, data=data, note=payload.note
        )
    elif payload.kind == "member":
        data = _worker_regions(data)
        ids = data.pop("enterprise_ids", None)
        worker = _worker(user, payload.worker_id) if payload.worker_id else None
        finding = services.finding_record_member(
            campaign=campaign,
            actor=user,
            worker=worker,
            data=data,
            enterprises=None if ids is None else _enterprises(user, ids),
            note=payload.note,
        )
    elif payload.kind == "organisation":
        region = _region(payload.region_code, "region_code")
        enterprise = _enterprise(user, payload.enterprise_id) if payload.enterprise_id else None
        if region is None and enterprise is not None:
            region = enterprise.region
        if region is None:
            raise ApplicationError(
                "registry.required", _("请指定组织所在区域。"), extra={"field": "region_code"}
            )
        finding = services.finding_record_organisation(
            campaign=campaign,
            actor=user,
            name=payload.organisation_name,
            organisation_kind=payload.organisation_kind,
            region=region,
            enterprise=enterprise,
            note=payload.note,
        )
    else:
        raise ApplicationError(
            "registry.invalid_choice", _("未知的类别。"), extra={"field": "kind"}
        )
    return Status(201, FindingOut.of(finding))
