"""Reads: nearby open reports, the staff queue, a reporter's own reports, the public map."""

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Func, IntegerField, Q, QuerySet
from django.db.models.functions import Floor, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError, not_found
from nuanxin.core.scoping import get_in_scope_or_404, in_jurisdiction, scope_to_jurisdiction
from nuanxin.core.tally import Tally, month_key, tally_add, tally_rows
from nuanxin.geo.coords import haversine_m
from nuanxin.geo.models import Region
from nuanxin.reports.models import (
    FINAL_STATES,
    OPEN_STATES,
    REVIEW_STATES,
    Category,
    Report,
    ReportEvent,
    ReportPhoto,
    ResponseTemplate,
    State,
)

METRES_PER_DEGREE = 111_320.0
MAX_NEARBY_RADIUS_M = 2000.0


def report_missing() -> ApplicationError:
    """What any lookup of a report the caller may not see answers: the same as no report."""
    return not_found("reports.not_found", _("问题不存在。"))


def original_missing() -> ApplicationError:
    """The report a duplicate is said to repeat, when the reviewer may not see it."""
    return not_found("reports.not_found", _("原问题不存在。"))


def photo_missing() -> ApplicationError:
    return not_found("reports.not_found", _("照片不存在。"))


def nearby_radius_m() -> float:
    return float(getattr(settings, "REPORTS_NEARBY_RADIUS_M", 250))


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("department")


def category_get(code: str) -> Category:
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise not_found("reports.unknown_category", _("问题类别不存在。"), category=code)
    return category


@dataclass(frozen=True)
class Nearby:
    report: Report
    distance_m: float


def reports_nearby(
    *,
    category: Category | None,
    lon: float,
    lat: float,
    radius_m: float | None = None,
    limit: int = 10,
) -> list[Nearby]:
    """Open reports (of ``category``, or any) within ``radius_m`` of a WGS-84 point, nearest first.

    A bounding box on (category, state, lat, lon) — one index — narrows the rows; the exact
    great-circle distance then keeps those inside the circle.
    """
    radius = min(max(radius_m or nearby_radius_m(), 1.0), MAX_NEARBY_RADIUS_M)
    dlat = radius / METRES_PER_DEGREE
    dlon = radius / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    qs = Report.objects.filter(
        state__in=OPEN_STATES,
        lat__gte=lat - dlat,
        lat__lte=lat + dlat,
        lon__gte=lon - dlon,
        lon__lte=lon + dlon,
    ).select_related("category", "region")
    # No ORDER BY: the distance order is made in Python, a sort here would only cost.
    qs = qs.order_by()
    if category is not None:
        qs = qs.filter(category=category)
    found = []
    for report in qs[:500]:
        distance = haversine_m(lon, lat, report.lon, report.lat)
        if distance <= radius:
            found.append(Nearby(report, distance))
    found.sort(key=lambda n: (n.distance_m, -n.report.pk))
    return found[:limit]


def reports_of_reporter(user: Any) -> QuerySet[Report]:
    return (
        Report.objects.filter(reporter=user)
        .select_related("category", "region", "duplicate_of")
        .prefetch_related("photos")
    )


def report_of_reporter(user: Any, report_id: int) -> Report:
    """One of the user's own reports; anyone else's is "not found", like a missing one."""
    return get_in_scope_or_404(reports_of_reporter(user), report_missing(), pk=report_id)


def events_for_reporter(report: Report) -> QuerySet[ReportEvent]:
    return report.events.filter(visible_to_reporter=True)


@dataclass(frozen=True)
class QueueFilter:
    state: str | None = None
    category: str | None = None
    region: str | None = None
    overdue: bool | None = None
    assignee: str | None = None  # "me", "none" or None
    waiting: bool = False  # only reports that wait for review
    q: str | None = None


def overdue_q(now: dt.datetime | None = None) -> Q:
    return Q(state__in=OPEN_STATES, due_at__lt=now or timezone.now())


# What a staff view of a report shows beside it. The region and the category are joined (the
# region is what jurisdiction filters on); the rest are fetched by primary key, one query
# each: PostgreSQL plans a join of seven tables in 10 to 20 ms, twenty times the time of
# running it on the full city's million reports.
STAFF_JOINED = ("category", "region")
STAFF_FETCHED = ("community", "reporter", "assignee", "department")


def reports_queue(user: Any, filters: QueueFilter | None = None) -> QuerySet[Report]:
    """The reports a staff member governs, oldest waiting first, narrowed by ``filters``."""
    f = filters or QueueFilter()
    qs = scope_to_jurisdiction(Report.objects.all(), user).select_related(*STAFF_JOINED)
    qs = qs.prefetch_related(*STAFF_FETCHED)
    if f.waiting:
        qs = qs.filter(state__in=REVIEW_STATES)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.region:
        region = Region.objects.filter(code=f.region).first()
        qs = qs.filter(region__path__startswith=region.path) if region else qs.none()
    if f.overdue is True:
        qs = qs.filter(overdue_q())
    elif f.overdue is False:
        qs = qs.exclude(overdue_q())
    if f.assignee == "me":
        qs = qs.filter(assignee=user)
    elif f.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    if f.q:
        term = f.q.strip()
        qs = qs.filter(pk=int(term)) if term.isdigit() else qs.filter(description__icontains=term)
    return (
        qs.order_by("due_at", "id")
        if f.waiting or f.state in REVIEW_STATES
        else qs.order_by("-created_at", "-id")
    )


def points_notes(reports: list[Report]) -> dict[str, str]:
    """The words for each shortfall reason among ``reports`` (``points_limited_by``), each
    worded once: a list reads the earning policy once per reason, not once per row."""
    from nuanxin.points.rules import shortfall_text

    reasons = {r.points_limited_by for r in reports if r.points_limited_by}
    return {reason: shortfall_text(reason) for reason in sorted(reasons)}


def report_for_staff(user: Any, report_id: int) -> Report:
    """One report of the staff member's area; one outside it answers like one that does not
    exist (same status, code, message), so ids cannot be probed for other areas' reports."""
    qs = scope_to_jurisdiction(Report.objects.all(), user).select_related(*STAFF_JOINED)
    qs = qs.prefetch_related(*STAFF_FETCHED, "duplicate_of")
    return get_in_scope_or_404(qs, report_missing(), pk=report_id)


def report_for_supporter(report_id: int) -> Report:
    """A report anyone may add to: what the public map or the nearby list can show (not a
    rejected report, nor one merged into another)."""
    qs = Report.objects.exclude(state__in=(State.REJECTED, State.DUPLICATE))
    return get_in_scope_or_404(qs, report_missing(), pk=report_id)


def original_for_staff(user: Any, report_id: Any) -> Report:
    """The original a reviewer names when marking a duplicate: a report of their area."""
    pk = int(report_id) if str(report_id).isdigit() and len(str(report_id)) < 19 else 0
    qs = scope_to_jurisdiction(Report.objects.all(), user).select_related("region")
    return get_in_scope_or_404(qs, original_missing(), pk=pk)


def is_overdue(report: Report, now: dt.datetime | None = None) -> bool:
    return report.state in OPEN_STATES and report.due_at < (now or timezone.now())


def can_view_photo(user: Any, photo: ReportPhoto) -> bool:
    """Reporter and staff over the area see photos; the public only where the category allows,
    the photo is not hidden and the report was not rejected."""
    report = photo.report
    if getattr(user, "is_authenticated", False):
        if report.reporter_id == user.pk:
            return True
        if (
            in_jurisdiction(user, report.region)
            and getattr(user, "jurisdiction_path", None) is not None
        ):
            return True
        if user.is_superuser:
            return True
    return (
        report.category.public_photos
        and not report.category.anonymous_public
        and not photo.hidden
        and not report.public_hidden
        and report.state not in (State.REJECTED, State.DUPLICATE)
    )


def photo_get(photo_id: int) -> ReportPhoto:
    """A photo by id, for the checked file view (``can_view_photo`` decides who sees it)."""
    qs = ReportPhoto.objects.select_related("report__category", "report__region")
    return get_in_scope_or_404(qs, photo_missing(), pk=photo_id)


def photo_for_staff(user: Any, photo_id: int) -> ReportPhoto:
    """A photo of a report in the staff member's area, else not found."""
    qs = scope_to_jurisdiction(ReportPhoto.objects.all(), user, region_field="report__region")
    qs = qs.select_related("report__category", "report__region")
    return get_in_scope_or_404(qs, photo_missing(), pk=photo_id)


def public_reports(
    *,
    bbox: tuple[float, float, float, float] | None = None,
    category: str | None = None,
    limit: int = 2000,
) -> QuerySet[Report]:
    """Reports the public map may show (nothing rejected, duplicated or hidden by staff)."""
    qs = (
        Report.objects.exclude(state__in=(State.REJECTED, State.DUPLICATE))
        .filter(public_hidden=False)
        .select_related("category", "region", "community")
        .only(
            "id",
            "state",
            "lon",
            "lat",
            "created_at",
            "category__code",
            "category__name",
            "category__anonymous_public",
            "region__name",
            "region__centre_lon",
            "region__centre_lat",
            "community__name",
            "community__centre_lon",
            "community__centre_lat",
        )
    )
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        qs = qs.filter(lon__gte=min_lon, lon__lte=max_lon, lat__gte=min_lat, lat__lte=max_lat)
    if category:
        qs = qs.filter(category__code=category)
    return qs.order_by("-created_at")[:limit]


def templates_for(state: str, category: Category | None = None) -> QuerySet[ResponseTemplate]:
    qs = ResponseTemplate.objects.filter(state=state, is_active=True)
    if category is not None:
        return qs.filter(Q(category__isnull=True) | Q(category=category))
    return qs.filter(category__isnull=True)


def queue_counts(user: Any) -> dict[str, int]:
    qs = scope_to_jurisdiction(Report.objects.all(), user)
    return {
        "waiting": qs.filter(state__in=REVIEW_STATES).count(),
        "overdue": qs.filter(overdue_q()).count(),
    }


def report_counts_by_cell(
    *, cell_lon: float, cell_lat: float, since: dt.datetime | None = None
) -> list[tuple[int, int, int]]:
    """Reports counted per grid cell of ``cell_lon`` x ``cell_lat`` degrees: (column, row,
    count), where the cell spans column * cell_lon .. (column + 1) * cell_lon.

    Report locations are personal tracks: the counting is done by the database, so no single
    location leaves this app (the coverage app's demand reads only these counts). Rejected
    reports and duplicates do not count.
    """
    qs = Report.objects.exclude(state__in=(State.REJECTED, State.DUPLICATE))
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    rows = (
        qs.annotate(col=Floor(F("lon") / cell_lon), row=Floor(F("lat") / cell_lat))
        .values("col", "row")
        .annotate(n=Count("id"))
        .order_by("col", "row")
    )
    return [(int(r["col"]), int(r["row"]), int(r["n"])) for r in rows]


# Reports that reached a resolution: what handling time is measured on.
HANDLED_STATES = (State.RESOLVED, State.CLOSED)


def figures_by_region(*, within: str = "") -> dict[int, dict[str, int]]:
    """Reports per region they were filed in: all, open, overdue now, handled (one query)."""
    rows = (
        Report.objects.filter(region__path__startswith=within)
        .values_list("region_id")
        .annotate(
            reports=Count("id"),
            reports_open=Count("id", filter=Q(state__in=OPEN_STATES)),
            reports_overdue=Count("id", filter=overdue_q()),
            reports_handled=Count("id", filter=Q(state__in=HANDLED_STATES)),
        )
        .order_by()
    )
    return {
        region_id: {
            "reports": n,
            "reports_open": open_,
            "reports_overdue": overdue,
            "reports_handled": handled,
        }
        for region_id, n, open_, overdue, handled in rows
    }


def reports_by(*, within: str, since: dt.datetime, field: str) -> dict[int, Tally]:
    """Reports filed since ``since`` per region and category name or state code:
    ``{region_id: {"reports": {category or state: n}}}`` (one query)."""
    if field not in ("category", "state"):
        raise ValueError("field must be category or state")
    grouped = "category__name" if field == "category" else "state"
    rows = (
        Report.objects.filter(region__path__startswith=within, created_at__gte=since)
        .values_list("region_id", grouped)
        .annotate(n=Count("id"))
        .order_by()
    )
    return tally_rows(rows, ("reports",))


def state_label(code: str) -> str:
    return str(dict(State.choices).get(code, code))


class _WholeMinutes(Func):
    """Whole minutes from filing to resolution (rounded down)."""

    output_field = IntegerField()

    def __init__(self) -> None:
        super().__init__(F("resolved_at"), F("created_at"))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "FLOOR(EXTRACT(EPOCH FROM (%(expressions)s)) / 60)::integer"
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Whole seconds apart on SQLite, whose timestamps are text: the same whole minutes but
        # where the resolution falls within a second of a whole minute.
        resolved, created = (compiler.compile(e) for e in self.get_source_expressions())
        seconds = "CAST(STRFTIME('%%s', {}) AS INTEGER)"
        sql = f"(({seconds.format(resolved[0])}) - ({seconds.format(created[0])})) / 60"
        return sql, (*resolved[1], *created[1])


def handling_by_month(*, within: str, since: dt.datetime) -> dict[int, Tally]:
    """Per region and month of filing, what the handling chart is worked out from
    (``handling_figures``): the handled reports by whole minutes from filing to resolution
    (``{"minutes": {month: {minute: n}}}``), and the reports counted for the overdue share and
    those of them that missed their deadline, resolved after it or open past it (``"counted"``,
    ``"late"``). Two queries."""
    qs = Report.objects.filter(region__path__startswith=within, created_at__gte=since)
    late = Q(resolved_at__gt=F("due_at")) | overdue_q(timezone.now())
    shares = (
        qs.exclude(state__in=FINAL_STATES)
        .annotate(month=TruncMonth("created_at"))
        .values_list("region_id", "month")
        .annotate(n=Count("id"), late=Count("id", filter=late))
        .order_by()
    )
    out = tally_rows(shares, ("counted", "late"), x=month_key)
    minutes = (
        qs.filter(state__in=HANDLED_STATES, resolved_at__isnull=False)
        .annotate(month=TruncMonth("created_at"), minutes=_WholeMinutes())
        .values_list("region_id", "month", "minutes")
        .annotate(n=Count("id"))
        .order_by()
    )
    for region_id, month, whole, n in minutes:
        tally_add(out.setdefault(region_id, {}), {"minutes": {month_key(month): {str(whole): n}}})
    return out


def _median(histogram: dict[str, int]) -> float:
    """The median of the values a histogram ``{value: count}`` counts: the mean of the two
    middle values when their number is even, as ``statistics.median``."""
    values = sorted((int(v), n) for v, n in histogram.items() if n)
    total = sum(n for _v, n in values)
    middle, seen, low = (total - 1) // 2, 0, None
    for value, n in values:
        if low is None and seen + n > middle:
            low = value
        if seen + n > total // 2:
            return (low + value) / 2
        seen += n
    raise ValueError("empty histogram")


def handling_figures(tally: Tally) -> dict[str, dict[str, float]]:
    """The handling chart of an area from its added-up ``handling_by_month`` tally: per month,
    the median hours from filing to resolution (from whole minutes, to one decimal) and the
    overdue share in percent."""
    out: dict[str, dict[str, float]] = {"median_hours": {}, "overdue_share": {}}
    minutes = tally.get("minutes", {})
    late = tally.get("late", {})
    for month, n in sorted(tally.get("counted", {}).items()):
        out["overdue_share"][month] = round(100 * late.get(month, 0) / n, 1) if n else 0.0
        if minutes.get(month):
            out["median_hours"][month] = round(_median(minutes[month]) / 60, 1)
    return out


def reports_by_month(*, within: str, since: dt.datetime) -> dict[int, Tally]:
    """Reports filed per region and month (随手拍), duplicates and rejected ones included:
    ``{region_id: {"reports": {month: n}}}`` (one query)."""
    rows = (
        Report.objects.filter(region__path__startswith=within, created_at__gte=since)
        .annotate(month=TruncMonth("created_at"))
        .values_list("region_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return tally_rows(rows, ("reports",), x=month_key)


def reports_by_reporter(*, within: str = "") -> dict[int, int]:
    """Reports (随手拍) per reporting account, filed in the subtree at ``within``, counted as
    ``figures_by_region`` counts them (one query; reports without an account are left out)."""
    rows = (
        Report.objects.filter(region__path__startswith=within, reporter__isnull=False)
        .values_list("reporter_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


def report_count_of(user: Any) -> int:
    """How many reports the user has filed (随手拍)."""
    return Report.objects.filter(reporter_id=getattr(user, "pk", None)).count()
