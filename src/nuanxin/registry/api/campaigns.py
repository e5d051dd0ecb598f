"""三找行动: campaigns, their comparison and findings."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Status
from ninja.pagination import paginate

from nuanxin.core.errors import ApplicationError
from nuanxin.core.schema import IdParam, Pagination, validate_as
from nuanxin.registry import services
from nuanxin.registry.api.common import (
    api_staff,
    enterprise_for,
    enterprises_by_ids,
    region_by_code,
    router,
    worker_for,
    worker_region_args,
)
from nuanxin.registry.models import (
    SurveyCampaign,
)
from nuanxin.registry.schemas import (
    CampaignIn,
    CampaignOut,
    EnterpriseFindingIn,
    EnterpriseIn,
    FindingIn,
    FindingOut,
    MemberFindingIn,
    OrganisationFindingIn,
    WorkerIn,
)
from nuanxin.registry.selectors import (
    campaign_in_reach,
    campaign_summary,
    campaigns_for,
)

# --- campaigns ---------------------------------------------------------------------------


def _campaign(user: Any, campaign_id: int) -> SurveyCampaign:
    return campaign_in_reach(user, campaign_id)


def _campaign_out(campaign: SurveyCampaign) -> CampaignOut:
    now, found = campaign_summary(campaign)
    return CampaignOut.of(campaign, now, found)


@router.get("/campaigns", response=list[CampaignOut], summary="三找行动")
def campaigns(request: HttpRequest) -> list[CampaignOut]:
    return [_campaign_out(c) for c in campaigns_for(api_staff(request))]


@router.post("/campaigns", response={201: CampaignOut}, summary="发起三找行动")
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Status[CampaignOut]:
    user = api_staff(request)
    targets = [region_by_code(code, "target_codes") for code in payload.target_codes]
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
def campaign_detail(request: HttpRequest, campaign_id: IdParam) -> CampaignOut:
    return _campaign_out(_campaign(api_staff(request), campaign_id))


@router.post("/campaigns/{campaign_id}/close", response=CampaignOut, summary="结束行动")
def campaign_close(request: HttpRequest, campaign_id: IdParam) -> CampaignOut:
    user = api_staff(request)
    campaign = services.campaign_close(campaign=_campaign(user, campaign_id), actor=user)
    return _campaign_out(campaign)


@router.get(
    "/campaigns/{campaign_id}/findings", response=list[FindingOut], summary="行动发现的对象"
)
@paginate(Pagination)
def findings(request: HttpRequest, campaign_id: IdParam) -> Any:
    campaign = _campaign(api_staff(request), campaign_id)
    qs = campaign.findings.select_related("region", "enterprise", "worker")
    return [FindingOut.of(f) for f in qs]


@router.post(
    "/campaigns/{campaign_id}/findings", response={201: FindingOut}, summary="登记走访发现"
)
def finding_create(
    request: HttpRequest, campaign_id: IdParam, payload: FindingIn
) -> Status[FindingOut]:
    user = api_staff(request)
    campaign = _campaign(user, campaign_id)
    if isinstance(payload, EnterpriseFindingIn):
        finding = _enterprise_finding(user, campaign, payload)
    elif isinstance(payload, MemberFindingIn):
        finding = _member_finding(user, campaign, payload)
    else:
        finding = _organisation_finding(user, campaign, payload)
    return Status(201, FindingOut.of(finding))


DATA = ("body", "payload", "data")


def _enterprise_finding(user: Any, campaign: SurveyCampaign, payload: EnterpriseFindingIn) -> Any:
    enterprise = None
    if payload.enterprise_id is not None:
        enterprise = enterprise_for(user, payload.enterprise_id)
        data = payload.data.dict(exclude_unset=True)
    else:
        # A new enterprise needs what POST /enterprises needs.
        data = validate_as(EnterpriseIn, payload.data.dict(exclude_unset=True), loc=DATA).dict()
    if "region_code" in data:
        data["region"] = region_by_code(data.pop("region_code"), "region_code")
    return services.finding_record_enterprise(
        campaign=campaign, actor=user, enterprise=enterprise, data=data, note=payload.note
    )


def _member_finding(user: Any, campaign: SurveyCampaign, payload: MemberFindingIn) -> Any:
    worker = None
    if payload.worker_id is not None:
        worker = worker_for(user, payload.worker_id)
        data = payload.data.dict(exclude_unset=True)
    else:
        data = validate_as(WorkerIn, payload.data.dict(exclude_unset=True), loc=DATA).dict()
    data = worker_region_args(data)
    ids = data.pop("enterprise_ids", None)
    return services.finding_record_member(
        campaign=campaign,
        actor=user,
        worker=worker,
        data=data,
        enterprises=None if ids is None else enterprises_by_ids(user, ids),
        note=payload.note,
    )


def _organisation_finding(
    user: Any, campaign: SurveyCampaign, payload: OrganisationFindingIn
) -> Any:
    region = region_by_code(payload.region_code, "region_code")
    enterprise = enterprise_for(user, payload.enterprise_id) if payload.enterprise_id else None
    if region is None and enterprise is not None:
        region = enterprise.region
    if region is None:
        raise ApplicationError(
            "registry.required", _("请指定组织所在区域。"), extra={"field": "region_code"}
        )
    return services.finding_record_organisation(
        campaign=campaign,
        actor=user,
        name=payload.organisation_name,
        organisation_kind=payload.organisation_kind,
        region=region,
        enterprise=enterprise,
        note=payload.note,
    )
