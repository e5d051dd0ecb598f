"""三找行动 pages: start a campaign, record what was found, compare before and after."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nuanxin.core.errors import ApplicationError
from nuanxin.registry import services
from nuanxin.registry.access import enterprises_for, workers_for
from nuanxin.registry.cleaning import FieldProblem, clean_mobile
from nuanxin.registry.forms import CampaignForm, FindingOrganisationForm, FindingSubjectForm
from nuanxin.registry.models import FindingKind, FindingOutcome, SurveyCampaign
from nuanxin.registry.selectors import campaign_in_reach, campaign_summary, campaigns_for
from nuanxin.registry.views.common import page_of, query_without_page, staff_only, user_root

FIGURES = [
    ("enterprises", gettext_lazy("企业")),
    ("workers", gettext_lazy("从业人员")),
    ("party_members", gettext_lazy("党员")),
    ("registered_enterprises", gettext_lazy("报到企业")),
    ("registered_workers", gettext_lazy("报到人员")),
]


@staff_only
def campaigns(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, root=user_root(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                actor=request.user,
                name=data["name"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                target_regions=list(data["targets"]),
                description=data["description"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已发起“%(name)s”。") % {"name": campaign.name})
            return redirect("registry:campaign", campaign.pk)
    items = list(campaigns_for(request.user))
    return render(request, "registry/campaigns.html", {"form": form, "campaigns": items})


def _campaign(request: HttpRequest, pk: int) -> SurveyCampaign:
    return campaign_in_reach(request.user, pk)


def _comparison(campaign: SurveyCampaign, now: dict[str, Any]) -> list[dict[str, Any]]:
    """Per target region and figure: before, now (or at closing), and the change."""
    rows = []
    for region in campaign.target_regions.all().order_by("code"):
        before = campaign.baseline.get(region.code, {})
        after = now.get(region.code, {})
        cells = []
        for key, label in FIGURES:
            b, a = before.get(key, 0), after.get(key, 0)
            cells.append({"label": label, "before": b, "after": a, "delta": a - b})
        rows.append({"region": region, "cells": cells})
    return rows


@staff_only
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    now, found = campaign_summary(campaign)
    comparison = _comparison(campaign, now)
    totals = [
        {"label": label, "before": sum(r["cells"][i]["before"] for r in comparison),
         "after": sum(r["cells"][i]["after"] for r in comparison)}
        for i, (_key, label) in enumerate(FIGURES)
    ]  # fmt: skip
    findings = campaign.findings.select_related("region", "enterprise", "worker")
    kind = request.GET.get("kind", "")
    if kind in FindingKind.values:
        findings = findings.filter(kind=kind)
    context = {
        "campaign": campaign,
        "comparison": comparison,
        "totals": totals,
        "figures": [label for _k, label in FIGURES],
        "found": [
            {
                "kind": FindingKind(k).label,
                "counts": [found[k][o] for o in FindingOutcome.values],
                "key": k,
            }
            for k in FindingKind.values
        ],
        "outcomes": [label for _v, label in FindingOutcome.choices],
        "page": page_of(request, findings),
        "query": query_without_page(request),
        "kind": kind,
        "subject_form": FindingSubjectForm(),
        "organisation_form": FindingOrganisationForm(root=user_root(request)),
        "enterprise_names": list(
            enterprises_for(request.user).values_list("name", flat=True)[:500]
        ),
    }
    return render(request, "registry/campaign_detail.html", context)


@staff_only
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    services.campaign_close(campaign=_campaign(request, pk), actor=request.user)
    messages.success(request, _("行动已结束，结束时的底数已记录。"))
    return redirect("registry:campaign", pk)


def _record_subject(request: HttpRequest, campaign: SurveyCampaign) -> str | None:
    form = FindingSubjectForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    name, phone = data.get("enterprise_name", "").strip(), data.get("worker_phone", "").strip()
    if name:
        enterprise = enterprises_for(request.user).filter(name=name).first()
        if enterprise is None:
            return _("台账中没有这家企业；新企业请用导入或“登记企业”后再记入。")
        services.finding_record_enterprise(
            campaign=campaign, actor=request.user, enterprise=enterprise, note=data["note"]
        )
        return None
    if phone:
        try:
            phone = clean_mobile(phone)
        except FieldProblem as problem:
            return problem.message
        worker = workers_for(request.user).filter(phone=phone).first()
        if worker is None:
            return _("台账中没有这个手机号；新人员请先登记后再记入。")
        changes = {"political_status": data["political_status"]} if data.get(
            "political_status") else None  # fmt: skip
        services.finding_record_member(
            campaign=campaign, actor=request.user, worker=worker, data=changes, note=data["note"]
        )
        return None
    return _("请填写企业名称或党员手机号。")


def _record_organisation(request: HttpRequest, campaign: SurveyCampaign) -> str | None:
    form = FindingOrganisationForm(request.POST, root=user_root(request))
    if not form.is_valid():
        return " ".join(str(e) for errors in form.errors.values() for e in errors)
    data = form.cleaned_data
    enterprise = None
    if data["enterprise_name"]:
        enterprise = enterprises_for(request.user).filter(name=data["enterprise_name"]).first()
    services.finding_record_organisation(
        campaign=campaign,
        actor=request.user,
        name=data["organisation_name"],
        organisation_kind=data["organisation_kind"],
        region=data["region"],
        enterprise=enterprise,
        note=data["note"],
    )
    return None


@staff_only
@require_POST
def campaign_find(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    record = _record_organisation if request.POST.get("form") == "organisation" else _record_subject
    try:
        problem = record(request, campaign)
    except ApplicationError as error:
        problem = error.message
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, _("已记入本次行动。"))
    return redirect("registry:campaign", pk)
