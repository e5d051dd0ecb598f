"""Industry figures (党建+电商 / 党建+直播 / 党建+产销): one service records a subject's figures
for a period, from the form, the API and the .xlsx import alike. A second entry for the same
theme, subject and period is a correction: it replaces the figures, and the audit row keeps
what they were."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.edge import check_text
from nuanxin.core.errors import ApplicationError
from nuanxin.core.timeutil import local_date
from nuanxin.geo.models import RegionLevel
from nuanxin.party.models import (
    FIGURE_FIELDS,
    MAX_FIGURE,
    IndustryFigure,
    IndustryScope,
    IndustryTheme,
)
from nuanxin.party.services._common import require_staff_in

INDUSTRY_FIELDS = ["theme", "scope", "subject", "enterprise", "region", "period_start",
                   "period_end", *FIGURE_FIELDS, "note"]  # fmt: skip
# Head counts and sessions fit a 32-bit column; money and items are bounded by MAX_FIGURE.
MAX_COUNT = 10_000_000
FIGURE_LIMITS = {
    "sales_yuan": MAX_FIGURE,
    "ecommerce_workers": MAX_COUNT,
    "livestream_sessions": MAX_COUNT,
    "items_sold": MAX_FIGURE,
}
EARLIEST = dt.date(2000, 1, 1)


def _invalid(code: str, message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(f"party.{code}", message, extra=extra)


def figure_labels() -> dict[str, str]:
    return {
        "sales_yuan": _("网络销售额（元）"),
        "ecommerce_workers": _("电商从业人员"),
        "livestream_sessions": _("直播场次"),
        "items_sold": _("销售件数"),
    }


def _check_figures(values: dict[str, Any]) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    labels = figure_labels()
    for name in FIGURE_FIELDS:
        value = values.get(name)
        if value is None:
            out[name] = None
            continue
        # Strict: whole numbers only, never a float or a bool (money is counted in yuan).
        if type(value) is not int or not 0 <= value <= FIGURE_LIMITS[name]:
            raise _invalid(
                "invalid_figure",
                _("%(label)s应为 0 到 %(max)s 之间的整数。")
                % {"label": labels[name], "max": f"{FIGURE_LIMITS[name]:,}"},
                field=name,
            )
        out[name] = value
    if all(v is None for v in out.values()):
        raise _invalid("figures_missing", _("请至少填写一项数据。"), field="sales_yuan")
    return out


def _check_period(start: Any, end: Any) -> None:
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise _invalid("invalid_period", _("请填写统计期的起止日期。"), field="period_start")
    latest = local_date() + dt.timedelta(days=31)
    if start < EARLIEST or end > latest:
        raise _invalid(
            "invalid_period", _("统计期应在 2000 年以后，且不晚于下个月。"), field="period_end"
        )
    if end < start:
        raise _invalid("invalid_period", _("统计期止早于统计期起。"), field="period_end")


def _subject(scope: str, *, enterprise: Any, region: Any, chain_name: str) -> tuple[str, Any, Any]:
    """(subject, enterprise, region) of a row: an enterprise or park counts in its own region,
    a county is its own subject, a chain is named and counted where it is led from."""
    if scope in (IndustryScope.ENTERPRISE, IndustryScope.PARK):
        if enterprise is None:
            raise _invalid("attachment_missing", _("请选择企业或园区。"), field="enterprise")
        return enterprise.name, enterprise, enterprise.region
    if region is None:
        raise _invalid("region_missing", _("请选择所在区域。"), field="region")
    if scope == IndustryScope.COUNTY:
        if region.level != RegionLevel.COUNTY:
            raise _invalid("not_a_county", _("请选择一个县（市、区）。"), field="region")
        return region.name, None, region
    name = (chain_name or "").strip()
    if not name or len(name) > 100:
        raise _invalid("attachment_missing", _("请填写产业链名称（100 字以内）。"), field="chain")
    check_text(name, "chain")
    return name, None, region


@transaction.atomic
def industry_figure_record(
    *,
    actor: Any,
    theme: str,
    scope: str,
    period_start: dt.date,
    period_end: dt.date,
    enterprise: Any = None,
    region: Any = None,
    chain_name: str = "",
    note: str = "",
    **figures: int | None,
) -> IndustryFigure:
    """Record (or correct) a subject's figures for a period. ``figures`` are any of
    ``sales_yuan``, ``ecommerce_workers``, ``livestream_sessions``, ``items_sold``."""
    unknown = set(figures) - set(FIGURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown figures: {sorted(unknown)}")
    if theme not in IndustryTheme.values:
        raise _invalid("invalid_theme", _("类别无效。"), field="theme")
    if scope not in IndustryScope.values:
        raise _invalid("invalid_scope", _("统计对象类型无效。"), field="scope")
    subject, enterprise, region = _subject(
        scope, enterprise=enterprise, region=region, chain_name=chain_name
    )
    require_staff_in(actor, region)
    _check_period(period_start, period_end)
    values = _check_figures(figures)
    note = (note or "").strip()
    if len(note) > 300:
        raise _invalid("invalid_note", _("说明请在 300 字以内。"), field="note")
    check_text(note, "note")
    key = {"theme": theme, "scope": scope, "subject": subject,
           "period_start": period_start, "period_end": period_end}  # fmt: skip
    row = IndustryFigure.objects.select_for_update().filter(**key).first()
    before = snapshot(row, INDUSTRY_FIELDS) if row else None
    if row is None:
        row = IndustryFigure(**key)
    row.enterprise, row.region, row.note = enterprise, region, note
    row.recorded_by = actor if getattr(actor, "pk", None) else None
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    audit_record(
        actor=actor,
        action="party.industry_figure_correct" if before else "party.industry_figure_record",
        obj=row,
        before=before,
        after=snapshot(row, INDUSTRY_FIELDS),
        region_path=region.path,
    )
    return row


__all__ = ["figure_labels", "industry_figure_record"]
