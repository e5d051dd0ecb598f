"""Where the dashboard's numbers come from: one source per feature app, each a selector of
that app. A new app joins the dashboard by adding its entry here; nothing else in the dashboard
names an app.

A *figure source* answers ``by_region(within=path)``: figures per region id the app's rows
point at (a station's region, a report's grid, a pool's community), restricted to the subtree
at ``path`` ("" for everything; then a row with no region comes back under ``None``). The
dashboard adds those up over any region, so the children of a region always sum to it.

A *rate* is a percentage of two figures (covered enterprises of those counted): it is worked
out after the adding up, for the total and for every row, so it never has to add up itself.

A *highlight* answers ``highlight(within=path)``: one named thing of the area and its number
(the first mobile branch and its members), or None.

A *chart by region* answers ``tally(within, since, read)``: per region id, one mapping per
trace key from the x value (a month "YYYY-MM", a category, a state or occupation code, an
hour) to the number, which adds up over regions like the figures (``Chart`` says how an area's
sum becomes its traces and how keys are named). ``read`` is the pass's ``Reads``: a selector
two charts draw from (the volunteering months, in the volunteering and the channels charts)
is read through it, once per pass. A chart *by child region* has no tally of its own: it draws
figures or rates of the drill-down rows (the counties of the city, the streets of a county),
so it always agrees with the table.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

import nuanxin.coverage.selectors as coverage
import nuanxin.party.selectors as party
import nuanxin.points.selectors as points
import nuanxin.registry.selectors as registry
import nuanxin.reports.selectors as reports
import nuanxin.stations.selectors as stations
import nuanxin.store.selectors as store
import nuanxin.volunteering.selectors as volunteering
from nuanxin.core.tally import Tally, tally_add


@dataclass(frozen=True)
class FigureSource:
    key: str
    by_region: Callable[..., dict[Any, dict[str, Any]]]
    # The figures it gives, in display order, with their Chinese names.
    figures: tuple[tuple[str, str | Promise], ...]


FIGURE_SOURCES: tuple[FigureSource, ...] = (
    FigureSource(
        "registry",
        registry.figures_by_region,
        (
            ("enterprises", _("新就业群体企业")),
            ("workers", _("新就业群体从业人员")),
            ("party_members", _("党员")),
            ("registered_enterprises", _("到社区报到企业")),
            ("registered_workers", _("到社区报到人员")),
        ),
    ),
    FigureSource(
        "stations",
        stations.figures_by_region,
        (
            ("centres", _("暖新服务中心")),
            ("stations", _("暖新服务驿站")),
            ("stations_open", _("运营中的中心和驿站")),
        ),
    ),
    FigureSource(
        "reports",
        reports.figures_by_region,
        (
            ("reports", _("随手拍问题")),
            ("reports_open", _("办理中")),
            ("reports_overdue", _("已超期")),
            ("reports_handled", _("已办结")),
        ),
    ),
    FigureSource(
        "points",
        points.figures_by_region,
        (("points_issued", _("发放积分")), ("points_held", _("劳动者持有积分"))),
    ),
    FigureSource(
        "store",
        store.figures_by_region,
        (("redemptions", _("兑换商品件数")), ("points_redeemed", _("兑换使用积分"))),
    ),
    FigureSource(
        "volunteering",
        volunteering.figures_by_region,
        (
            ("volunteer_services", _("志愿服务人次")),
            ("volunteer_hours", _("志愿服务时长（小时）")),
            ("leaflets", _("随手派：政策宣传单（份）")),
            ("errands", _("随手办：线上代办（件）")),
            ("livestreams", _("随时推：助农直播（场）")),
            ("livestream_items", _("随时推：直播售出（件，自报）")),
        ),
    ),
    FigureSource(
        "party",
        party.figures_by_region,
        (
            ("party_organisations", _("党组织")),
            ("mass_organisations", _("群团组织")),
            ("party_org_members", _("党组织中的党员")),
            ("mobile_branch_members", _("流动党支部党员")),
            ("coverage_enterprises", _("纳入“两个覆盖”统计的企业")),
            ("organisations_covered", _("党的组织覆盖企业")),
            ("must_set_up", _("应建尽建企业")),
        ),
    ),
    FigureSource(
        "coverage",
        coverage.figures_by_region,
        (
            ("demand_15min", _("服务需求（加权）")),
            ("demand_covered_15min", _("15分钟内可达驿站的需求")),
        ),
    ),
)


@dataclass(frozen=True)
class Rate:
    key: str
    label: str | Promise
    numerator: str
    denominator: str

    def of(self, figures: dict[str, Any]) -> float | None:
        """The percentage, to one decimal as the apps round it; None where nothing is counted."""
        whole = figures[self.denominator]
        return round(100 * figures[self.numerator] / whole, 1) if whole else None


RATES: tuple[Rate, ...] = (
    Rate(
        "organisation_coverage_rate",
        _("党的组织覆盖率（%）"),
        "organisations_covered",
        "coverage_enterprises",
    ),
    Rate("coverage_15min", _("15分钟服务圈覆盖率（%）"), "demand_covered_15min", "demand_15min"),
)


@dataclass(frozen=True)
class Highlight:
    key: str
    label: str | Promise
    highlight: Callable[..., dict[str, Any] | None]


HIGHLIGHTS: tuple[Highlight, ...] = (
    Highlight("first_mobile_branch", _("首个流动党支部党员"), party.first_mobile_branch),
)


class Reads:
    """The selector reads of one pass over the charts: ``read(selector, **arguments)`` calls
    each selector once per arguments and hands the same answer to every chart that asks."""

    def __init__(self) -> None:
        self._found: dict[tuple[Any, ...], Any] = {}

    def __call__(self, selector: Callable[..., Any], **arguments: Any) -> Any:
        key = (selector, *sorted(arguments.items()))
        if key not in self._found:
            self._found[key] = selector(**arguments)
        return self._found[key]


def _as_is(tally: Tally) -> Tally:
    return tally


@dataclass(frozen=True)
class Chart:
    """One chart of the big screen.

    A chart *by region* has a ``tally``: ``tally(within, since, read)`` answers
    ``{region_id: {trace: {x: n}}}`` over the rows of the subtree at ``within``, so that the
    tally of any area is the sum of its regions' (the dashboard's snapshot adds them up the
    region tree once for every region). ``finish`` turns an area's added-up tally into its
    traces (medians and shares are worked out here, from counts that add up). Traces and x
    values are keys, named at drawing time in the reader's language: ``traces`` gives each
    trace key its name, ``x_name`` each x value (a state code, an occupation code).

    A chart *by child region* (``by_child``) draws figures or rates of the drill-down rows (the
    counties of the city, the streets of a county), so it always agrees with the table. A
    *live* chart (``live``) counts what belongs to no region (industry figures, reported per
    park or industry chain): ``live(within)`` answers its named traces at request time."""

    key: str
    # A chart by child region names the level of its rows in ``%(children)s``.
    title: str | Promise
    # "bar" (several traces side by side), "line", "pie" or "barh" (one trace, long labels)
    kind: str
    # Monthly charts get every month of the window, zero where nothing happened.
    monthly: bool
    tally: Callable[[str, Any, Reads], dict[Any, Tally]] | None = None
    traces: tuple[tuple[str, str | Promise], ...] = ()
    finish: Callable[[Tally], Tally] = _as_is
    # Categories (not months): ordered by their number, largest first ("count"), or by the
    # value of the key itself ("key": hours of the day).
    order: str = "count"
    x_name: Callable[[str], str] | None = None
    # A month with nothing to measure is a gap (a median of no reports), not a zero.
    gaps: bool = False
    # A chart by child region: the figures or rates (keys) it draws, one trace each.
    by_child: tuple[str, ...] = ()
    live: Callable[[str], dict[str | Promise, dict[Any, Any]]] | None = None


def _points(within: str, since: Any, _read: Reads) -> dict[Any, Tally]:
    found = points.issued_by_month(within=within, since=since)
    for region_id, tally in store.redeemed_by_month(within=within, since=since).items():
        tally_add(found.setdefault(region_id, {}), tally)
    return found


def _volunteering(within: str, since: Any, read: Reads) -> dict[Any, Tally]:
    service = read(volunteering.service_by_month, within=within, since=since)
    return {
        region_id: {key: tally[key] for key in ("hours", "leaflets") if key in tally}
        for region_id, tally in service.items()
    }


def _channels(within: str, since: Any, read: Reads) -> dict[Any, Tally]:
    found: dict[Any, Tally] = {}
    service = read(volunteering.service_by_month, within=within, since=since)
    for region_id, tally in service.items():
        kept = {key: tally[key] for key in ("leaflets", "errands", "livestreams") if key in tally}
        tally_add(found.setdefault(region_id, {}), kept)
    for region_id, tally in reports.reports_by_month(within=within, since=since).items():
        tally_add(found.setdefault(region_id, {}), tally)
    return found


def _hours_of_day(tally: Tally) -> Tally:
    visits = tally.get("visits", {})
    return {"visits": {str(hour): visits.get(str(hour), 0) for hour in range(24)}}


def _industry(within: str) -> dict:
    # 党建+电商: the online sales of each subject (county, park, chain) over the periods its
    # figures were reported for, in 万元; whole periods, so the 12-month window does not apply.
    sales = party.industry_series(within=within, figure="sales_yuan")
    return {name: {p: round(v / 10_000) for p, v in by.items()} for name, by in sales.items()}


# In the big screen's order: five in the left column, five in the right, the rest under the
# map and the table.
CHARTS: tuple[Chart, ...] = (
    Chart(
        "registrations",
        _("每月报到备案"),
        "bar",
        True,
        lambda w, s, _read: registry.registrations_by_month(within=w, since=s),
        (("enterprises", _("企业报到")), ("workers", _("人员报到"))),
    ),
    Chart(
        "reports_by_category",
        _("随手拍问题：按类别"),
        "barh",
        False,
        lambda w, s, _read: reports.reports_by(within=w, since=s, field="category"),
        (("reports", _("问题数")),),
    ),
    Chart(
        "reports_by_state",
        _("随手拍问题：按状态"),
        "pie",
        False,
        lambda w, s, _read: reports.reports_by(within=w, since=s, field="state"),
        (("reports", _("问题数")),),
        x_name=reports.state_label,
    ),
    Chart(
        "handling",
        _("办理时长与超期比例（按提交月份）"),
        "line",
        True,
        lambda w, s, _read: reports.handling_by_month(within=w, since=s),
        (("median_hours", _("办理时长中位数（小时）")), ("overdue_share", _("超期比例（%）"))),
        finish=reports.handling_figures,
        gaps=True,
    ),
    Chart(
        "organisation_coverage",
        _("党的组织覆盖率：按%(children)s"),
        "bar",
        False,
        gaps=True,
        by_child=("organisation_coverage_rate",),
    ),
    Chart(
        "points",
        _("每月积分发放与兑换"),
        "bar",
        True,
        _points,
        (("issued", _("发放")), ("redeemed", _("兑换"))),
    ),
    Chart(
        "visits_by_occupation",
        _("驿站签到：按职业"),
        "pie",
        False,
        lambda w, s, _read: stations.visits_by_occupation(within=w, since=s.date()),
        (("visits", _("签到人次")),),
        x_name=stations.occupation_name,
    ),
    Chart(
        "visits_by_hour",
        _("驿站签到：按时段"),
        "bar",
        False,
        lambda w, s, _read: stations.visits_by_hour(within=w, since=s.date()),
        (("visits", _("签到人次")),),
        finish=_hours_of_day,
        order="key",
    ),
    Chart(
        "volunteering",
        _("每月志愿服务与随手派"),
        "bar",
        True,
        _volunteering,
        (("hours", _("志愿服务时长（小时）")), ("leaflets", _("政策宣传单（份）"))),
    ),
    Chart(
        "must_set_up",
        _("应建尽建企业：按%(children)s"),
        "bar",
        False,
        by_child=("must_set_up",),
    ),
    Chart(
        "channels",
        _("“随手”参与：每月"),
        "bar",
        True,
        _channels,
        (
            ("reports", _("随手拍（问题）")),
            ("leaflets", _("随手派（传单）")),
            ("errands", _("随手办（代办）")),
            ("livestreams", _("随时推（直播）")),
        ),
    ),
    Chart(
        "coverage_15min",
        _("15分钟服务圈覆盖率：按%(children)s"),
        "bar",
        False,
        gaps=True,
        by_child=("coverage_15min",),
    ),
    Chart(
        "industry",
        _("党建+电商：网络销售额（万元）"),
        "bar",
        False,
        gaps=True,
        live=_industry,
    ),
)


@dataclass(frozen=True)
class Channel:
    """One of the four "随手" channels the article names; ``key`` is the counted figure that is
    its total per region in ``FIGURE_SOURCES`` and its key in the per-worker sources."""

    key: str
    label: str | Promise
    # What is counted and in what unit ("问题", "件").
    noun: str | Promise
    unit: str | Promise


CHANNELS: tuple[Channel, ...] = (
    Channel("reports", _("随手拍"), _("问题"), _("件")),
    Channel("leaflets", _("随手派"), _("政策传单"), _("份")),
    Channel("errands", _("随手办"), _("线上代办"), _("件")),
    Channel("livestreams", _("随时推"), _("助农直播"), _("场")),
)


def _reports_by_worker(*, within: str = "") -> dict[int, dict[str, int]]:
    return {
        worker: {"reports": n} for worker, n in reports.reports_by_reporter(within=within).items()
    }


# Per worker: ``by_worker(within=path)`` answers worker id -> {channel key: count} over the same
# rows the region figures count (so an area's workers add up to the area), ``of_worker(user)``
# one worker's own counts.
CHANNELS_BY_WORKER: tuple[Callable[..., dict[int, dict[str, int]]], ...] = (
    _reports_by_worker,
    volunteering.channels_by_worker,
)
CHANNELS_OF_WORKER: tuple[Callable[[Any], dict[str, int]], ...] = (
    lambda user: {"reports": reports.report_count_of(user)},
    volunteering.channels_of,
)


def stations_on_map(within: str) -> list[dict[str, Any]]:
    return stations.stations_on_map(within=within)
