"""The dashboard's tables as rows and columns: what the page shows, the .xlsx exports and the
monthly report all take from here, so the three never disagree."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError, not_found
from nuanxin.dashboard.figures import RegionFigures, figure_labels

# The columns of the drill-down table on the big screen (the export has every figure).
SCREEN_COLUMNS = (
    "enterprises",
    "workers",
    "party_members",
    "party_organisations",
    "organisation_coverage_rate",
    "registered_workers",
    "centres",
    "stations",
    "coverage_15min",
    "reports",
    "reports_overdue",
    "points_issued",
    "volunteer_hours",
)
# The headline tiles of the big screen, in the article's order: figures, and highlights (a
# named thing of the area with its number) by their key.
HEADLINE = (
    "enterprises",
    "workers",
    "party_members",
    "party_organisations",
    "mass_organisations",
    "party_org_members",
    "first_mobile_branch",
    "centres",
    "stations",
    "registered_enterprises",
    "registered_workers",
    "must_set_up",
    "organisation_coverage_rate",
    "coverage_15min",
    "reports",
    "reports_handled",
    "points_issued",
    "points_redeemed",
    "volunteer_hours",
)


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


def regions_table(figures: RegionFigures, columns: tuple[str, ...] | None = None) -> Table:
    """One row per child region (and the remainder), then the total."""
    labels = figure_labels()
    keys = list(columns or labels)
    rows = [[row.name, *(row.figures[k] for k in keys)] for row in figures.rows]
    if figures.remainder is not None:
        rows.append([_("直属（未落到下级区域）"), *(figures.remainder[k] for k in keys)])
    rows.append([_("合计"), *(figures.totals[k] for k in keys)])
    return Table(
        key="regions",
        title=_("%(region)s分区数据") % {"region": figures.region.name},
        headers=[_("区域"), *(labels[k] for k in keys)],
        rows=rows,
    )


def chart_table(chart: dict[str, Any]) -> Table:
    """A chart as a table: its x values down, one column per trace."""
    rows = [[x, *(trace["y"][i] for trace in chart["traces"])] for i, x in enumerate(chart["x"])]
    first = _("月份") if chart["x"] and len(chart["x"][0]) == 7 and chart["x"][0][4] == "-" else ""
    return Table(
        key=chart["key"],
        title=chart["title"],
        headers=[first or _("项目"), *(trace["name"] for trace in chart["traces"])],
        rows=rows,
    )


def table_missing() -> ApplicationError:
    return not_found("dashboard.unknown_table", _("没有这张表。"))


def table_named(key: str, figures: RegionFigures, charts: list[dict[str, Any]]) -> Table:
    if key == "regions":
        return regions_table(figures)
    for chart in charts:
        if chart["key"] == key:
            return chart_table(chart)
    raise table_missing()
