"""Pages: the station map, a station, QR check-in, my visits, and staff pages."""

import datetime as dt
import math
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from nuanxin.core.errors import ApplicationError
from nuanxin.core.pages import guarded
from nuanxin.core.scoping import require_staff
from nuanxin.core.timeutil import local_date
from nuanxin.core.vocab import vocab_label
from nuanxin.stations.forms import ImportForm, StatsForm
from nuanxin.stations.models import Station, Visit
from nuanxin.stations.permissions import can_manage, manages_stations
from nuanxin.stations.presenters import checkin_message, station_data, visit_points_note
from nuanxin.stations.qr import checkin_url, live_checkin_url, qr_png, qr_svg, qr_svg_inline
from nuanxin.stations.selectors import (
    amenities_active,
    station_get,
    station_managed,
    visit_counts,
    visits_of,
    visits_today,
)
from nuanxin.stations.services import live_code, stations_import_xlsx, visit_checkin
from nuanxin.stations.services.presence import POSITION_ERRORS, Presence
from nuanxin.stations.services.visits import retention_days, station_from_token

# What riders ask for most, first in the row of filter chips.
FEATURED_AMENITIES = ["drinking_water", "phone_charging", "toilet", "first_aid", "ebike_charging"]


PROBLEM = "stations/problem.html"


def _problem(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    return render(request, PROBLEM, {"error": error}, status=error.status)


def station_map(request: HttpRequest) -> HttpResponse:
    strings = {
        "locating": _("正在获取您的位置…"),
        "noGeolocation": _("无法获取您的位置。请允许浏览器定位，或在地图上点一下您所在的位置。"),
        "pickHint": _("已使用您在地图上点选的位置。"),
        "none": _("附近没有符合条件的开放驿站。试试减少筛选条件。"),
        "found": _("找到 %(count)s 个驿站，最近的是："),
        "walk": _("步行约 %(minutes)s 分钟"),
        "ride": _("骑行约 %(minutes)s 分钟"),
        "detail": _("详情"),
        "openNow": _("开放中"),
        "closedNow": _("休息中"),
        "navigate": _("导航"),
        "you": _("您的位置"),
        "metres": _("%(n)s 米"),
        "kilometres": _("%(n)s 公里"),
        "distance": _("距您 %(d)s"),
        "error": _("查询失败，请稍后再试。"),
    }
    featured = {code: i for i, code in enumerate(FEATURED_AMENITIES)}
    amenities = sorted(
        amenities_active(), key=lambda a: (featured.get(a.code, len(featured)), a.sort_order)
    )
    context = {
        "amenities": amenities,
        "strings": strings,
        "amenity_info": {a.code: {"name": vocab_label(a.name), "icon": a.icon} for a in amenities},
    }
    return render(request, "stations/map.html", context)


def station_detail(request: HttpRequest, station_id: int) -> HttpResponse:
    try:
        station = station_get(station_id)
    except ApplicationError as error:
        return _problem(request, error)
    manager = request.user.is_authenticated and can_manage(request.user, station)
    context = {
        "station": station,
        "data": station_data(station),
        "is_manager": manager,
        "visits_today": visits_today(station) if manager else None,
        "today": local_date(),
    }
    if request.user.is_authenticated:
        context["my_visit_today"] = Visit.objects.filter(
            station=station, worker=request.user, day=local_date()
        ).first()
    return render(request, "stations/detail.html", context)


def _number(value: str | None, field: str) -> float | None:
    """A number the page's script put in a hidden field; anything else is refused."""
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ApplicationError(
            "stations.bad_position", _("定位数据无效，请重试。"), extra={"field": field}
        )
    return number


def _presence_from_form(data: Any) -> Presence:
    error = data.get("position_error", "")
    return Presence(
        lon=_number(data.get("lon"), "lon"),
        lat=_number(data.get("lat"), "lat"),
        accuracy_m=_number(data.get("accuracy"), "accuracy"),
        position_error=error if error in POSITION_ERRORS else "",
        code=(data.get("code") or "")[:80],
    )


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the station and the ways to show presence; POST records the visit.

    Opening the link does not check in by itself: link previews and prefetchers open URLs
    too, and the printed poster's link proves nothing about where the phone is. The POST
    carries the phone's position (asked by ``checkin.js`` with consent) or the station
    screen's code (in the screen's QR link as ``?code=``, or typed).
    """
    try:
        station = station_from_token(token)
    except ApplicationError as error:
        return _problem(request, error)
    refusal = None
    if request.method == "POST":
        try:
            result = visit_checkin(
                token=token, worker=request.user, presence=_presence_from_form(request.POST)
            )
            notify = messages.success if result.counted else messages.info
            notify(request, checkin_message(result))
            return redirect(f"{reverse('stations:my_visits')}#visit-{result.visit.pk}")
        except ApplicationError as error:
            if error.code in ("auth.unauthenticated", "stations.workers_only"):
                return _problem(request, error)
            refusal = error
    station = station_get(station.pk)
    context = {
        "station": station,
        "data": station_data(station),
        "already": Visit.objects.filter(
            station=station, worker=request.user, day=local_date()
        ).first(),
        "screen_code": (request.GET.get("code") or "")[:80],
        "error": refusal,
    }
    status = refusal.status if refusal else 200
    return render(request, "stations/checkin.html", context, status=status)


def _live_context(request: HttpRequest, station: Station) -> dict[str, Any]:
    current = live_code(station, timezone.now())
    url = live_checkin_url(request, station, current.code)
    return {"station": station, "live": current, "qr": mark_safe(qr_svg_inline(url))}  # noqa: S308


@login_required
def live_code_page(request: HttpRequest, station_id: int) -> HttpResponse:
    """The station screen (or the keeper's phone): a QR code and six digits that change every
    30 seconds; the page fetches the next one by itself."""
    try:
        station = _managed_station(request, station_id)
    except ApplicationError as error:
        return _problem(request, error)
    context = _live_context(request, station)
    template = "stations/_live_code.html" if request.GET.get("part") else "stations/live_code.html"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def my_visits(request: HttpRequest) -> HttpResponse:
    visits = list(visits_of(request.user))
    for visit in visits:
        visit.points_note = visit_points_note(visit)
    context = {"visits": visits, "retention_days": retention_days()}
    return render(request, "stations/my_visits.html", context)


def _managed_station(request: HttpRequest, station_id: int) -> Station:
    _require_staff(request)
    return station_managed(request.user, station_id)


@login_required
def qr_image(request: HttpRequest, station_id: int, fmt: str) -> HttpResponse:
    try:
        station = _managed_station(request, station_id)
    except ApplicationError as error:
        return _problem(request, error)
    url = checkin_url(request, station)
    if fmt == "svg":
        return HttpResponse(qr_svg(url), content_type="image/svg+xml")
    return HttpResponse(qr_png(url), content_type="image/png")


@login_required
def poster(request: HttpRequest, station_id: int) -> HttpResponse:
    try:
        station = _managed_station(request, station_id)
    except ApplicationError as error:
        return _problem(request, error)
    context = {"station": station, "data": station_data(station)}
    return render(request, "stations/poster.html", context)


def _require_staff(request: HttpRequest) -> None:
    require_staff(request.user)


# The staff pages over all the stations a user manages: region staff and keepers.
manager_page = partial(guarded, staff=True, check=manages_stations, template=PROBLEM)


@manager_page
def stats(request: HttpRequest) -> HttpResponse:
    today = local_date()
    form = StatsForm(
        request.GET or None,
        initial={"date_from": today - dt.timedelta(days=29), "date_to": today},
    )
    date_from, date_to = today - dt.timedelta(days=29), today
    if form.is_valid():
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    tables = {
        by: visit_counts(user=request.user, date_from=date_from, date_to=date_to, by=by)
        for by in ("station", "day", "occupation")
    }
    context = {
        "form": form,
        "date_from": date_from,
        "date_to": date_to,
        "by_station": tables["station"],
        "by_day": tables["day"],
        "by_occupation": tables["occupation"],
        "total": sum(row.visits for row in tables["day"]),
        "max_day": max((row.visits for row in tables["day"]), default=0),
        "retention_days": retention_days(),
    }
    return render(request, "stations/stats.html", context)


@require_http_methods(["GET", "POST"])
@manager_page
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = stations_import_xlsx(
            data=form.cleaned_data["file"].read(),
            actor=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        if report.ok and not report.dry_run:
            messages.success(
                request,
                _("导入完成：新建 %(created)d 个，更新 %(updated)d 个。")
                % {"created": report.created, "updated": report.updated},
            )
    status = 400 if report is not None and not report.ok else 200
    return render(request, "stations/import.html", {"form": form, "report": report}, status=status)
