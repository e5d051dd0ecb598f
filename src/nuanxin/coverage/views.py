"""Planner pages: the coverage map with its tables, siting proposals, and their export."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from nuanxin.core.access import Access, declare
from nuanxin.core.errors import ApplicationError
from nuanxin.core.maps import map_crs
from nuanxin.core.xlsx import xlsx_file_response
from nuanxin.coverage.access import is_planner, require_planner
from nuanxin.coverage.analysis import CoverageQuery, CoverageResult, coverage_compute
from nuanxin.coverage.forms import CoverageForm, SitingForm
from nuanxin.coverage.network import network_loaded
from nuanxin.coverage.planning import SitingPlan, sites_maximise, sites_minimum
from nuanxin.coverage.presenters import (
    coverage_features,
    coverage_payload,
    coverage_workbook,
    plan_features,
    plan_payload,
)
from nuanxin.stations.selectors import amenities_active


def planner_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for planners: logged in, declared for the menus as open to planners alone (the view
    itself refuses anyone else with ``coverage.forbidden``)."""
    return declare(login_required(view), Access(is_planner))


def _problem(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    return render(request, "coverage/problem.html", {"error": error}, status=error.status)


def _form(cls: type[CoverageForm], request: HttpRequest) -> CoverageForm:
    amenities = [(a.code, a.name) for a in amenities_active()]
    data = request.GET if request.GET else None
    return cls(data, amenities=amenities)


def _query(form: CoverageForm) -> CoverageQuery:
    data = form.cleaned_data if form.is_bound else {}
    sources = data.get("sources") or form.fields["sources"].initial
    return CoverageQuery.clean(
        mode=data.get("mode") or "ride",
        at=data.get("at"),
        amenities=[data["amenity"]] if data.get("amenity") else [],
        threshold_minutes=data.get("threshold_minutes") or 15,
        sources=dict.fromkeys(sources, 1.0),
    )


def _coverage(request: HttpRequest, form: CoverageForm) -> CoverageResult:
    query = _query(form)
    if "grid" in query.demand.weights and network_loaded() is None:
        # no network, no built-up area: the other sources still answer
        weights = {k: v for k, v in query.demand.weights.items() if k != "grid"}
        query = CoverageQuery.clean(
            mode=query.mode, at=query.at, amenities=query.amenities,
            threshold_minutes=query.threshold_minutes, sources=weights or {"hotspots": 1.0},
        )  # fmt: skip
    return coverage_compute(query, user=request.user)


def _plan(
    request: HttpRequest, form: SitingForm, coverage: CoverageResult
) -> tuple[SitingPlan, SitingPlan | None]:
    data = form.cleaned_data if form.is_bound else {}
    plan = sites_maximise(
        coverage,
        p=data.get("p") or 3,
        candidates=data.get("candidates") or "grid",
        solver=data.get("solver") or "exact",
        time_limit=data.get("time_limit_s") or 60,
        user=request.user,
    )
    minimum = None
    if data.get("target_percent"):
        minimum = sites_minimum(
            coverage,
            target_percent=data["target_percent"],
            candidates=data.get("candidates") or "grid",
            time_limit=data.get("time_limit_s") or 60,
            user=request.user,
        )
    return plan, minimum


# A browser draws this many demand points at most (uncovered first); exports have them all.
MAP_POINTS_MAX = 4000


def _map_data(
    coverage: CoverageResult, plans: list[SitingPlan], *, max_points: int | None = MAP_POINTS_MAX
) -> dict[str, Any]:
    crs = map_crs()
    data = coverage_features(coverage, crs, max_points=max_points)
    for plan in plans:
        data["features"] += plan_features(plan, crs)["features"]
    return data


@planner_page
def coverage_map(request: HttpRequest) -> HttpResponse:
    try:
        require_planner(request.user)
        form = _form(CoverageForm, request)
        if form.is_bound and not form.is_valid():
            return render(request, "coverage/map.html", {"form": form}, status=400)
        coverage = _coverage(request, form)
    except ApplicationError as error:
        return _problem(request, error)
    payload = coverage_payload(coverage, map_crs())
    context = {
        "form": form,
        "result": payload,
        "summary": payload["summary"],
        "map_data": (map_data := _map_data(coverage, [])),
        "points_drawn": map_data["properties"]["points_drawn"],
        "query_string": request.GET.urlencode(),
    }
    return render(request, "coverage/map.html", context)


@planner_page
def siting(request: HttpRequest) -> HttpResponse:
    try:
        require_planner(request.user)
        form = _form(SitingForm, request)
        context: dict[str, Any] = {"form": form, "query_string": request.GET.urlencode()}
        if not form.is_bound:
            return render(request, "coverage/siting.html", context)
        if not form.is_valid():
            return render(request, "coverage/siting.html", context, status=400)
        coverage = _coverage(request, form)
        plan, minimum = _plan(request, form, coverage)
    except ApplicationError as error:
        return _problem(request, error)
    crs = map_crs()
    context.update(
        summary=coverage.summary(),
        plan=plan_payload(plan, crs),
        minimum=plan_payload(minimum, crs) if minimum else None,
        map_data=_map_data(coverage, [plan]),
    )
    return render(request, "coverage/siting.html", context)


@planner_page
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The coverage (and, with siting fields, the proposal) as .xlsx or GeoJSON."""
    try:
        require_planner(request.user)
        with_plan = "p" in request.GET
        form = _form(SitingForm if with_plan else CoverageForm, request)
        if form.is_bound and not form.is_valid():
            raise ApplicationError("coverage.bad_form", str(next(iter(form.errors.values()))[0]))
        coverage = _coverage(request, form)
        plan = _plan(request, form, coverage)[0] if with_plan else None
    except ApplicationError as error:
        return _problem(request, error)
    if fmt == "xlsx":
        return xlsx_file_response(coverage_workbook(coverage, plan), "coverage.xlsx")
    data = _map_data(coverage, [plan] if plan else [], max_points=None)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/geo+json"
    response["Content-Disposition"] = 'attachment; filename="coverage.geojson"'
    return response
