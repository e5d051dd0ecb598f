"""三找行动: campaigns over target regions and what their surveyors found."""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.accounts.models import User
from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.core.scoping import require_jurisdiction, require_staff
from nuanxin.core.timeutil import local_date
from nuanxin.geo.models import Region
from nuanxin.registry.models import (
    PARTY_STATUSES,
    Enterprise,
    FindingKind,
    FindingOutcome,
    OrganisationKind,
    SurveyCampaign,
    SurveyFinding,
    Worker,
)
from nuanxin.registry.selectors import campaign_figures
from nuanxin.registry.services.enterprises import (
    enterprise_create,
    enterprise_snapshot,
    enterprise_update,
)
from nuanxin.registry.services.workers import worker_create, worker_snapshot, worker_update


def _require_staff(actor: User | None) -> None:
    if actor is not None:
        require_staff(actor, governing=True)


@transaction.atomic
def campaign_create(
    *,
    actor: User | None,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    target_regions: Sequence[Region],
    description: str = "",
) -> SurveyCampaign:
    """Start a campaign; the registry figures of its target regions are kept as the baseline."""
    _require_staff(actor)
    name = (name or "").strip()
    if not name:
        raise ApplicationError("registry.required", _("请填写行动名称。"), extra={"field": "name"})
    if end_date < start_date:
        raise ApplicationError(
            "registry.bad_period", _("结束日期不能早于开始日期。"), extra={"field": "end_date"}
        )
    targets = list(dict.fromkeys(target_regions))
    if not targets:
        raise ApplicationError(
            "registry.required", _("请至少选择一个目标区域。"), extra={"field": "target_regions"}
        )
    for region in targets:
        if actor is not None:
            require_jurisdiction(actor, region)
    if SurveyCampaign.objects.filter(name=name).exists():
        raise conflict("registry.duplicate_campaign", _("已有同名的行动。"), field="name")
    campaign = SurveyCampaign.objects.create(
        name=name,
        description=(description or "").strip(),
        start_date=start_date,
        end_date=end_date,
        baseline=campaign_figures(targets),
        created_by=actor,
    )
    campaign.target_regions.set(targets)
    audit_record(
        actor=actor,
        action="campaign.create",
        obj=campaign,
        after={
            **snapshot(campaign, ["name", "start_date", "end_date"]),
            "targets": [r.code for r in targets],
        },
        region_path=min((r.path for r in targets), key=len),
    )
    return campaign


@transaction.atomic
def campaign_close(*, campaign: SurveyCampaign, actor: User | None) -> SurveyCampaign:
    """End a campaign; the figures at this moment are kept beside the baseline."""
    _require_staff(actor)
    campaign = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    targets = list(campaign.target_regions.all())
    if actor is not None:
        for region in targets:
            require_jurisdiction(actor, region)
    if campaign.is_closed:
        raise conflict("registry.campaign_closed", _("该行动已结束。"))
    campaign.final = campaign_figures(targets)
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["final", "closed_at"])
    audit_record(
        actor=actor,
        action="campaign.close",
        obj=campaign,
        after={"final": campaign.final},
        region_path=min((r.path for r in targets), key=len) if targets else "",
    )
    return campaign


def check_campaign_open(campaign: SurveyCampaign, region: Region) -> None:
    """Findings go to a running campaign and lie inside one of its target regions."""
    if SurveyCampaign.objects.filter(pk=campaign.pk, closed_at__isnull=False).exists():
        raise conflict("registry.campaign_closed", _("该行动已结束，不能再登记。"))
    if local_date() < campaign.start_date:
        raise ApplicationError("registry.campaign_not_started", _("该行动尚未开始。"))
    paths = campaign.target_regions.values_list("path", flat=True)
    if not any(region.path.startswith(path) for path in paths):
        raise ApplicationError(
            "registry.outside_campaign",
            _("该对象不在本次行动的目标区域内。"),
            extra={"region": region.code},
        )


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {key: [before[key], after[key]] for key in after if before.get(key) != after[key]}


@transaction.atomic
def finding_record_enterprise(
    *,
    campaign: SurveyCampaign,
    actor: User | None,
    enterprise: Enterprise | None = None,
    data: Mapping[str, Any] | None = None,
    note: str = "",
) -> SurveyFinding:
    """Record an enterprise found by the survey: a new one (``data``) or a known one, whose
    fields ``data`` corrects. The finding keeps what changed."""
    _require_staff(actor)
    if enterprise is None:
        enterprise = enterprise_create(actor=actor, **(data or {}))
        outcome, changes = FindingOutcome.NEW, {}
        check_campaign_open(campaign, enterprise.region)
    else:
        check_campaign_open(campaign, enterprise.region)
        before = enterprise_snapshot(enterprise)
        if data:
            enterprise = enterprise_update(enterprise=enterprise, actor=actor, changes=data)
        changes = _changes(before, enterprise_snapshot(enterprise))
        outcome = FindingOutcome.UPDATED if changes else FindingOutcome.CONFIRMED
    if SurveyFinding.objects.filter(campaign=campaign, enterprise=enterprise).exists():
        raise conflict("registry.already_found", _("本次行动已登记过该企业。"))
    return _save_finding(
        campaign, actor, FindingKind.ENTERPRISE, outcome, enterprise.region, changes, note,
        enterprise=enterprise,
    )  # fmt: skip


@transaction.atomic
def finding_record_member(
    *,
    campaign: SurveyCampaign,
    actor: User | None,
    worker: Worker | None = None,
    data: Mapping[str, Any] | None = None,
    enterprises: Sequence[Enterprise] | None = None,
    note: str = "",
) -> SurveyFinding:
    """Record a party member found among the workers: new, or known with corrected data."""
    _require_staff(actor)
    if worker is None:
        worker = worker_create(actor=actor, enterprises=enterprises or (), **(data or {}))
        outcome, changes = FindingOutcome.NEW, {}
        check_campaign_open(campaign, worker.region)
    else:
        check_campaign_open(campaign, worker.region)
        before = worker_snapshot(worker)
        if data or enterprises is not None:
            worker = worker_update(
                worker=worker, actor=actor, changes=data or {}, enterprises=enterprises
            )
        changes = _changes(before, worker_snapshot(worker))
        outcome = FindingOutcome.UPDATED if changes else FindingOutcome.CONFIRMED
    if worker.political_status not in PARTY_STATUSES:
        raise ApplicationError(
            "registry.not_a_party_member",
            _("找党员只登记政治面貌为党员或预备党员的人员。"),
            extra={"field": "political_status"},
        )
    if SurveyFinding.objects.filter(campaign=campaign, worker=worker).exists():
        raise conflict("registry.already_found", _("本次行动已登记过该党员。"))
    return _save_finding(
        campaign, actor, FindingKind.MEMBER, outcome, worker.region, changes, note, worker=worker
    )


@transaction.atomic
def finding_record_organisation(
    *,
    campaign: SurveyCampaign,
    actor: User | None,
    name: str,
    organisation_kind: str,
    region: Region,
    enterprise: Enterprise | None = None,
    note: str = "",
) -> SurveyFinding:
    """Record an organisation (party branch, union, league, women's federation) found."""
    _require_staff(actor)
    name = (name or "").strip()
    if not name:
        raise ApplicationError("registry.required", _("请填写组织名称。"), extra={"field": "name"})
    if organisation_kind not in OrganisationKind.values:
        raise ApplicationError(
            "registry.invalid_choice", _("未知的组织类别。"), extra={"field": "organisation_kind"}
        )
    if actor is not None:
        require_jurisdiction(actor, region)
    check_campaign_open(campaign, region)
    duplicate = SurveyFinding.objects.filter(
        campaign=campaign, kind=FindingKind.ORGANISATION, region=region, organisation_name=name
    )
    if duplicate.exists():
        raise conflict("registry.already_found", _("本次行动已在该区域登记过同名组织。"))
    return _save_finding(
        campaign, actor, FindingKind.ORGANISATION, FindingOutcome.NEW, region, {}, note,
        enterprise=enterprise, organisation_name=name, organisation_kind=organisation_kind,
    )  # fmt: skip


def _save_finding(
    campaign: SurveyCampaign,
    actor: User | None,
    kind: str,
    outcome: str,
    region: Region,
    changes: dict[str, Any],
    note: str,
    **subject: Any,
) -> SurveyFinding:
    finding = SurveyFinding.objects.create(
        campaign=campaign,
        kind=kind,
        outcome=outcome,
        region=region,
        changes=changes,
        note=(note or "").strip()[:1000],
        recorded_by=actor,
        **subject,
    )
    audit_record(
        actor=actor,
        action="campaign.finding",
        obj=finding,
        after={"campaign": campaign.pk, "kind": kind, "outcome": outcome, "changes": changes},
        region_path=region.path,
    )
    return finding
