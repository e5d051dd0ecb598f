"""Industry figures over time: the rows party-work staff may see, and the series the pages and
the city's dashboard chart (one line per subject, periods in order of their end)."""

import datetime as dt
from calendar import monthrange
from typing import Any

from django.db.models import QuerySet

from nuanxin.core.scoping import jurisdiction_path
from nuanxin.party.access import is_party_staff, scope_party
from nuanxin.party.models import FIGURE_FIELDS, IndustryFigure


def figures_for(user: Any) -> QuerySet[IndustryFigure]:
    qs = IndustryFigure.objects.select_related("region", "enterprise")
    return scope_party(qs, user)


def period_label(start: dt.date, end: dt.date) -> str:
    """'2022' for a calendar year, '2023-03' for a month, '2023-01～2023-03' otherwise."""
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"{start.year}"
    same_month = (start.year, start.month) == (end.year, end.month)
    if same_month and start.day == 1 and end.day == monthrange(end.year, end.month)[1]:
        return f"{end:%Y-%m}"
    if start.day == 1 and end.day == monthrange(end.year, end.month)[1]:
        return f"{start:%Y-%m}～{end:%Y-%m}"
    return f"{start.isoformat()}～{end.isoformat()}"


def industry_series(
    *, within: str = "", figure: str = "sales_yuan", theme: str | None = None
) -> dict[str, dict[str, int]]:
    """For the subjects counted in the subtree at path ``within`` ("" for all): subject name ->
    period label -> ``figure`` (whole yuan, people, sessions or items), periods in order of
    their end; periods without that figure are left out. One query."""
    if figure not in FIGURE_FIELDS:
        raise ValueError(f"unknown figure {figure!r}")
    qs = IndustryFigure.objects.filter(**{f"{figure}__isnull": False})
    if within:
        qs = qs.filter(region__path__startswith=within)
    if theme:
        qs = qs.filter(theme=theme)
    out: dict[str, dict[str, int]] = {}
    rows = qs.order_by("period_end", "period_start", "subject").values_list(
        "subject", "period_start", "period_end", figure
    )
    for subject, start, end, value in rows:
        out.setdefault(subject, {})[period_label(start, end)] = value
    return out


def series_for(user: Any, figure: str) -> dict[str, dict[str, int]]:
    """``industry_series`` of the caller's jurisdiction (nothing for anyone but party staff)."""
    if not is_party_staff(user):
        return {}
    return industry_series(within=jurisdiction_path(user) or "", figure=figure)
