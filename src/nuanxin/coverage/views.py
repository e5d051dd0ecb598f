"""Planner pages: the coverage map with its tables, siting proposals, and their export.

A siting proposal is computed by a background task (``coverage.tasks``): the form's POST only
queues a ``SitingRun`` and redirects to its page, which polls the run's progress (htmx) until
the worker has finished, then shows the proposal from what the run stored.
"""

import gzip
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from nuanxin.core.access import Access, declare
from nuanxin.core.errors import ApplicationError
from nuanxin.core.maps import map_crs
from nuanxin.core.xlsx import xlsx_file_response
from nuanxin.coverage.access import is_planner, require_planner
from nuanxin.coverage.forms import CoverageForm, SitingForm
from nuanxin.coverage.models import SitingRun
from nuanxin.coverage.presenters import coverage_payload, coverage_workbook
from nuanxin.coverage.runs import coverage_of, form_of, map_data
from nuanxin.coverage.services import siting_run_get, siting_run_request


def planner_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for planners: logged in, declared for the menus as open to planners alone (the view
    itself refuses anyone else with ``coverage.forbidden``)."""
    return declare(login_required(view), Access(is_planner))


def _problem(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    return render(request, "coverage/problem.html", {"error": error}, status=error.status)


def _form(cls: type[CoverageForm], request: HttpRequest) -> CoverageForm:
    return form_of(cls, request.GET)


@planner_page
def coverage_map(request: HttpRequest) -> HttpResponse:
    try:
        require_planner(request.user)
        form = _form(CoverageForm, request)
        if form.is_bound and not form.is_valid():
            return render(request, "coverage/map.html", {"form": form}, status=400)
        coverage = coverage_of(form, user=request.user)
    except ApplicationError as error:
        return _problem(request, error)
    payload = coverage_payload(coverage, map_crs())
    context = {
        "form": form,
        "result": payload,
        "summary": payload["summary"],
        "map_data": (data := map_data(coverage, [])),
        "points_drawn": data["properties"]["points_drawn"],
        "query_string": request.GET.urlencode(),
    }
    return render(request, "coverage/map.html", context)


RUNS_LISTED = 10


def _recent_runs(user: Any) -> list[SitingRun]:
    return list(
        SitingRun.objects.filter(requested_by=user)
        .defer("result", "xlsx", "geojson_gz")
        .order_by("-created_at")[:RUNS_LISTED]
    )


@planner_page
@require_http_methods(["GET", "POST"])
def siting(request: HttpRequest) -> HttpResponse:
    """The siting form (a link's query fills it in); its POST queues the computation."""
    try:
        require_planner(request.user)
        if request.method == "POST":
            data = request.POST.copy()
            data.pop("csrfmiddlewaretoken", None)
            form = form_of(SitingForm, data)
            if form.is_valid():
                run = siting_run_request(user=request.user, query=data.urlencode())
                return redirect("coverage:siting_run", run_id=run.pk)
        else:
            form = _form(SitingForm, request)
    except ApplicationError as error:
        return _problem(request, error)
    context = {"form": form, "runs": _recent_runs(request.user)}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "coverage/siting.html", context, status=status)


def _run_context(run: SitingRun) -> dict[str, Any]:
    context: dict[str, Any] = {"run": run, "form": form_of(SitingForm, QueryDict(run.query))}
    if run.state == SitingRun.State.DONE and run.result:
        context.update(
            summary=run.result["summary"],
            plan=run.result["plan"],
            minimum=run.result.get("minimum"),
            map_data=run.result["map_data"],
        )
    return context


@planner_page
def siting_run(request: HttpRequest, run_id: UUID) -> HttpResponse:
    """A siting run: its progress while the worker computes it, then the proposal."""
    try:
        run = siting_run_get(user=request.user, run_id=run_id)
    except ApplicationError as error:
        return _problem(request, error)
    return render(request, "coverage/siting_run.html", _run_context(run))


@planner_page
def siting_run_progress(request: HttpRequest, run_id: UUID) -> HttpResponse:
    """The progress bar the run's page polls; once the run has finished, the page reloads
    itself (htmx's ``HX-Refresh``) to show the proposal."""
    try:
        run = siting_run_get(user=request.user, run_id=run_id)
    except ApplicationError as error:
        return _problem(request, error)
    response = render(request, "coverage/_run_progress.html", {"run": run})
    if run.finished:
        response["HX-Refresh"] = "true"
    return response


@planner_page
def siting_run_export(request: HttpRequest, run_id: UUID, fmt: str) -> HttpResponse:
    """The stored proposal as .xlsx or GeoJSON (every demand point)."""
    try:
        run = siting_run_get(user=request.user, run_id=run_id)
        if run.state != SitingRun.State.DONE:
            raise ApplicationError("coverage.run_not_done", _("选址计算尚未完成。"), status=409)
    except ApplicationError as error:
        return _problem(request, error)
    if fmt == "xlsx":
        return xlsx_file_response(bytes(run.xlsx), "siting.xlsx")
    response = HttpResponse(gzip.decompress(bytes(run.geojson_gz)))
    response["Content-Type"] = "application/geo+json"
    response["Content-Disposition"] = 'attachment; filename="siting.geojson"'
    return response


@planner_page
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The coverage as .xlsx or GeoJSON (a proposal's export is its run's)."""
    try:
        require_planner(request.user)
        form = _form(CoverageForm, request)
        if form.is_bound and not form.is_valid():
            raise ApplicationError("coverage.bad_form", str(next(iter(form.errors.values()))[0]))
        coverage = coverage_of(form, user=request.user)
    except ApplicationError as error:
        return _problem(request, error)
    if fmt == "xlsx":
        return xlsx_file_response(coverage_workbook(coverage), "coverage.xlsx")
    data = map_data(coverage, [], max_points=None)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/geo+json"
    response["Content-Disposition"] = 'attachment; filename="coverage.geojson"'
    return response
