"""The dashboard's pages: the big screen (staff, their jurisdiction, ``?region=`` to drill down
and bookmark), its .xlsx exports, the printable monthly report, and the public page."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.core.maps import map_crs
from nuanxin.core.pages import guarded
from nuanxin.core.xlsx import xlsx_response
from nuanxin.dashboard.channels import CHANNEL_KEYS, channel_workers_table, channels_table
from nuanxin.dashboard.figures import (
    RegionFigures,
    dashboard_region,
    figure_labels,
    month_keys,
    region_charts,
    region_figures,
    window_start,
)
from nuanxin.dashboard.public import public_figures
from nuanxin.dashboard.tables import (
    HEADLINE,
    SCREEN_COLUMNS,
    chart_table,
    regions_table,
    table_named,
)

# The big screen fetches fresh figures this often (seconds).
REFRESH_SECONDS = 60
# The exports drawn from the drill-down figures alone (no chart).
BY_REGION = ("regions", "channels")


def _region(request: HttpRequest) -> Any:
    return dashboard_region(request.user, (request.GET.get("region") or "").strip()[:32] or None)


def _tiles(figures: RegionFigures, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """The tiles of ``keys``: a figure's total, or a highlight of the area (left out where the
    area has none, e.g. no mobile branch)."""
    labels = figure_labels()
    highlights = {item["key"]: item for item in figures.highlights}
    tiles = []
    for key in keys:
        if key in labels:
            tiles.append({"key": key, "label": labels[key], "value": figures.totals[key]})
        elif key in highlights:
            tiles.append({**highlights[key], "highlight": True})
    return tiles


def _channel_rows(figures: RegionFigures) -> list[dict[str, Any]]:
    """The channels table's lines for the page: the children (by code, so the refresh can
    update them), the remainder, the total."""
    lines = channels_table(figures).rows
    codes = [row.code for row in figures.rows]
    out = []
    for index, cells in enumerate(lines):
        if index < len(codes):
            out.append({"code": codes[index], "kind": "", "cells": cells})
        else:
            kind = "total" if index == len(lines) - 1 else "remainder"
            out.append({"code": "", "kind": kind, "cells": cells})
    return out


def screen(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    figures = region_figures(region)
    charts = region_charts(region, figures=figures)
    labels = figure_labels()
    context = {
        "region": region,
        "figures": figures,
        "tiles": _tiles(figures, HEADLINE),
        "columns": [(k, labels[k]) for k in SCREEN_COLUMNS],
        "table": regions_table(figures, SCREEN_COLUMNS),
        "rows": [
            {
                "code": row.code,
                "name": row.name,
                "drillable": row.drillable,
                "values": [row.figures[k] for k in SCREEN_COLUMNS],
            }
            for row in figures.rows
        ],
        "channels": channels_table(figures),
        "channel_rows": _channel_rows(figures),
        "charts": charts,
        "data": {
            "figures": figures.as_dict(),
            "charts": charts,
            "headline": list(HEADLINE),
            "columns": list(SCREEN_COLUMNS),
            "channel_columns": list(CHANNEL_KEYS),
            "urls": {
                "overview": reverse("api:dashboard_overview"),
                "map": reverse("api:dashboard_map"),
                "outlines": reverse("api:geojson"),
                "screen": reverse("dashboard:screen"),
            },
            "crs": map_crs(),
            "refresh": REFRESH_SECONDS,
            "strings": {
                "centre": _("服务中心"),
                "station": _("服务驿站"),
                "reports": _("问题数"),
                "founded": _("%s 成立"),
            },
        },
        "updated": timezone.localtime(figures.as_of),
    }
    return render(request, "dashboard/screen.html", context)


def export(request: HttpRequest, table: str) -> HttpResponse:
    """One dashboard table of the region as an .xlsx."""
    region = _region(request)
    if table == "channel_workers":
        found = channel_workers_table(region)
    else:
        figures = region_figures(region)
        charts = region_charts(region, figures=figures) if table not in BY_REGION else []
        found = (
            channels_table(figures) if table == "channels" else table_named(table, figures, charts)
        )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(
        found.title[:31], found.headers, found.rows, filename=f"{found.title}-{stamp}.xlsx"
    )


def _month(raw: str | None, choices: list[str]) -> str:
    if not raw:
        return choices[-1]
    if raw not in choices:
        raise ApplicationError(
            "dashboard.bad_month",
            _("月份须为近12个月之一，格式如 %(example)s。") % {"example": choices[-1]},
            status=400,
        )
    return raw


def monthly_report(request: HttpRequest) -> HttpResponse:
    """The month's report of a county or the city, laid out for A4 paper."""
    region = _region(request)
    months = month_keys(window_start())
    month = _month(request.GET.get("month"), months)
    figures = region_figures(region)
    charts = region_charts(region, figures=figures)
    monthly = []
    for chart in charts:
        if chart["x"] != months:
            continue
        index = months.index(month)
        for trace in chart["traces"]:
            monthly.append(
                {"chart": chart["title"], "name": trace["name"], "value": trace["y"][index]}
            )
    breakdowns = [chart_table(chart) for chart in charts if chart["x"] != months]
    context = {
        "region": region,
        "month": month,
        "months": months,
        "year": int(month[:4]),
        "month_number": int(month[5:]),
        "figures": figures,
        "tiles": _tiles(figures, HEADLINE),
        "table": regions_table(figures, SCREEN_COLUMNS),
        "monthly": monthly,
        "breakdowns": breakdowns,
        "printed": timezone.localtime(),
    }
    return render(request, "dashboard/monthly.html", context)


def public(request: HttpRequest) -> HttpResponse:
    data = public_figures()
    keys = list(data["labels"])
    context = {
        "data": data,
        "columns": [(k, data["labels"][k]) for k in keys],
        "tiles": [{"label": data["labels"][k], "value": data["totals"][k]} for k in keys],
        "rows": [
            {"name": row["name"], "values": [row["figures"][k] for k in keys]}
            for row in data["rows"]
        ],
        "suppress_below": data["suppress_below"],
    }
    return render(request, "dashboard/public.html", context)


screen = guarded(screen, governing=True)
export = guarded(export, governing=True)
monthly_report = guarded(monthly_report, governing=True)
