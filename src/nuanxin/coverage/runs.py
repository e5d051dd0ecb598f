"""What a siting request computes, whether the page's form or a background task asks: the form
read from its query string, the coverage, the proposal (MCLP) and the minimum (LSCP), and the
outputs kept for the page and its exports.

``siting_outputs`` is what ``coverage.tasks.siting_run_execute`` runs in a worker; it reports
its stage through ``progress`` as it goes.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from typing import Any

from django.http import QueryDict

from nuanxin.core.errors import ApplicationError
from nuanxin.core.maps import map_crs
from nuanxin.coverage.analysis import CoverageQuery, CoverageResult, coverage_compute
from nuanxin.coverage.forms import CoverageForm, SitingForm
from nuanxin.coverage.network import network_loaded
from nuanxin.coverage.planning import SitingPlan, sites_maximise, sites_minimum
from nuanxin.coverage.presenters import (
    coverage_features,
    coverage_workbook,
    plan_features,
    plan_payload,
)
from nuanxin.stations.selectors import amenities_active

# A browser draws this many demand points at most (uncovered first); exports have them all.
MAP_POINTS_MAX = 4000
# The stages a run goes through, with the progress (%) reached when each starts.
STAGES = {"coverage": 5, "proposal": 30, "minimum": 70, "files": 90}


def form_of(cls: type[CoverageForm], data: QueryDict | None) -> CoverageForm:
    amenities = [(a.code, a.name) for a in amenities_active()]
    return cls(data if data else None, amenities=amenities)


def query_of(form: CoverageForm) -> CoverageQuery:
    data = form.cleaned_data if form.is_bound else {}
    sources = data.get("sources") or form.fields["sources"].initial
    return CoverageQuery.clean(
        mode=data.get("mode") or "ride",
        at=data.get("at"),
        amenities=[data["amenity"]] if data.get("amenity") else [],
        threshold_minutes=data.get("threshold_minutes") or 15,
        sources=dict.fromkeys(sources, 1.0),
    )


def coverage_of(form: CoverageForm, *, user: Any) -> CoverageResult:
    query = query_of(form)
    if "grid" in query.demand.weights and network_loaded() is None:
        # no network, no built-up area: the other sources still answer
        weights = {k: v for k, v in query.demand.weights.items() if k != "grid"}
        query = CoverageQuery.clean(
            mode=query.mode, at=query.at, amenities=query.amenities,
            threshold_minutes=query.threshold_minutes, sources=weights or {"hotspots": 1.0},
        )  # fmt: skip
    return coverage_compute(query, user=user)


def map_data(
    coverage: CoverageResult, plans: list[SitingPlan], *, max_points: int | None = MAP_POINTS_MAX
) -> dict[str, Any]:
    crs = map_crs()
    data = coverage_features(coverage, crs, max_points=max_points)
    for plan in plans:
        data["features"] += plan_features(plan, crs)["features"]
    return data


def siting_outputs(
    query: str, *, user: Any, progress: Callable[[str], None] = lambda _stage: None
) -> tuple[dict[str, Any], bytes, bytes]:
    """The page's result (JSON), the .xlsx and the gzipped GeoJSON of a siting request given
    as the form's query string, computed within ``user``'s jurisdiction."""
    form = form_of(SitingForm, QueryDict(query))
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ApplicationError("coverage.bad_form", f"{field}: {errors[0]}")
    data = form.cleaned_data
    progress("coverage")
    coverage = coverage_of(form, user=user)
    progress("proposal")
    candidates = data.get("candidates") or "grid"
    time_limit = data.get("time_limit_s") or 60
    plan = sites_maximise(
        coverage,
        p=data.get("p") or 3,
        candidates=candidates,
        solver=data.get("solver") or "exact",
        time_limit=time_limit,
        user=user,
    )
    minimum = None
    if data.get("target_percent"):
        progress("minimum")
        minimum = sites_minimum(
            coverage,
            target_percent=data["target_percent"],
            candidates=candidates,
            time_limit=time_limit,
            user=user,
        )
    progress("files")
    crs = map_crs()
    result = {
        "summary": coverage.summary(),
        "plan": plan_payload(plan, crs),
        "minimum": plan_payload(minimum, crs) if minimum else None,
        "map_data": map_data(coverage, [plan]),
    }
    full = json.dumps(map_data(coverage, [plan], max_points=None), ensure_ascii=False)
    return result, coverage_workbook(coverage, plan), gzip.compress(full.encode(), 6)
