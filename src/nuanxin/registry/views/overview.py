"""The registry's front page: counts by region with drill-down; a liaison's own page."""

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nuanxin.core.forms import query_int
from nuanxin.core.schema import YEAR_MAX, YEAR_MIN
from nuanxin.core.timeutil import local_date
from nuanxin.geo.models import Region
from nuanxin.registry.access import enterprises_for, is_liaison, workers_for
from nuanxin.registry.models import PARTY_STATUSES, RegistrationStatus, WorkerStatus
from nuanxin.registry.selectors import (
    campaigns_for,
    counts_by_child,
    home_region,
    region_for,
    registrations_for,
)
from nuanxin.registry.views.common import picker_levels, registry_user

_FIELD = re.compile(r"^[a-z_]{1,40}$")


@registry_user
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if is_liaison(user):
        return _liaison_home(request)
    root = home_region(user)
    region = region_for(user, request.GET.get("region")) or root
    year = query_int(request.GET.get("year"), ge=YEAR_MIN, le=YEAR_MAX)
    totals, rows = counts_by_child(region, year=year)
    trail = [r for r in region.ancestors() if root is None or r.depth >= root.depth]
    context = {
        "region": region,
        "trail": trail,
        "totals": totals,
        "rows": rows,
        "year": year,
        "this_year": local_date().year,
        "pending": registrations_for(user, status=RegistrationStatus.SUBMITTED).count(),
        "campaigns": list(campaigns_for(user)[:5]),
    }
    if request.htmx and request.htmx.target == "counts":
        return render(request, "registry/_counts.html", context)
    return render(request, "registry/home.html", context)


def _liaison_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    enterprises = list(enterprises_for(user).select_related("region"))
    people = workers_for(user).filter(status=WorkerStatus.ACTIVE)
    context = {
        "enterprises": enterprises,
        "worker_count": people.count(),
        "party_count": people.filter(political_status__in=PARTY_STATUSES).count(),
        "registrations": list(registrations_for(user)[:20]),
    }
    return render(request, "registry/liaison.html", context)


@registry_user
def region_picker(request: HttpRequest) -> HttpResponse:
    """The chained selects of a region field, redrawn after one of them changed."""
    field = request.GET.get("field", "region")
    if not _FIELD.match(field):
        field = "region"
    anywhere = request.GET.get("anywhere") == "1"
    root = None if anywhere else home_region(request.user)
    code = request.GET.get(field) or request.GET.get("parent")
    selected = Region.objects.filter(code=code).first() if code else None
    if selected is not None and root is not None and not selected.path.startswith(root.path):
        selected = None
    context = {
        "widget": {"name": field},
        "levels": picker_levels(root, selected),
        "root": root,
        "anywhere": anywhere,
    }
    return render(request, "registry/widgets/region_picker.html", context)
