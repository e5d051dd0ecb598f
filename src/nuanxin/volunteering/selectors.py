"""Reads for workers (projects near me and in my community, my claims, my hours) and for staff
(their projects, a session's attendance sheet). Statistics are in ``stats``."""

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import not_found
from nuanxin.core.scoping import get_in_scope_or_404, scope_to_jurisdiction
from nuanxin.core.tally import Tally, month_key, tally_add
from nuanxin.geo.coords import haversine_m
from nuanxin.geo.models import RegionLevel
from nuanxin.volunteering.models import (
    ACTIVE_CLAIM_STATUSES,
    Attendance,
    Award,
    Claim,
    ClaimStatus,
    Outcome,
    Project,
    ProjectStatus,
    Session,
)
from nuanxin.volunteering.services._common import (
    attendance_missing,
    award_missing,
    claim_missing,
    project_missing,
    session_missing,
)

NEARBY_RADIUS_M = 5000
MAX_RADIUS_M = 50_000
SESSIONS_SHOWN = 6
METRES_PER_DEGREE_LAT = 111_320.0


@dataclass
class SessionLine:
    session: Session
    seated: int
    waiting: int
    my_claim: Claim | None = None

    @property
    def places_left(self) -> int:
        return max(0, self.session.places - self.seated)


@dataclass
class ProjectCard:
    project: Project
    distance_m: float | None
    in_my_area: bool
    sessions: list[SessionLine] = field(default_factory=list)


def session_lines(sessions: list[Session], user: Any) -> list[SessionLine]:
    """Seat counts for ``sessions`` and the user's active claim in each (two queries)."""
    ids = [s.pk for s in sessions]
    counts = {
        row["session_id"]: row
        for row in Claim.objects.filter(session_id__in=ids)
        .values("session_id")
        .annotate(
            seated=Count("id", filter=Q(status=ClaimStatus.CLAIMED)),
            waiting=Count("id", filter=Q(status=ClaimStatus.WAITLISTED)),
        )
    }
    mine: dict[int, Claim] = {}
    if getattr(user, "is_authenticated", False):
        for claim in Claim.objects.filter(
            session_id__in=ids, worker=user, status__in=ACTIVE_CLAIM_STATUSES
        ):
            mine[claim.session_id] = claim
    return [
        SessionLine(
            session=s,
            seated=counts.get(s.pk, {}).get("seated", 0),
            waiting=counts.get(s.pk, {}).get("waiting", 0),
            my_claim=mine.get(s.pk),
        )
        for s in sessions
    ]


def _area_filter(user: Any) -> Q | None:
    """Projects of the worker's registered community and of its street as a whole."""
    region = getattr(user, "region", None)
    if region is None:
        return None
    if region.level == RegionLevel.COMMUNITY:
        return Q(region=region) | Q(region_id=region.parent_id)
    if region.level == RegionLevel.GRID:
        community = region.parent
        return Q(region=community) | Q(region_id=community.parent_id)
    return Q(region=region)


def projects_for_worker(
    user: Any,
    *,
    lon: float | None = None,
    lat: float | None = None,
    radius_m: float = NEARBY_RADIUS_M,
    limit: int = 50,
) -> list[ProjectCard]:
    """Open projects with sessions still to come: the ``limit`` nearest whose meeting place is
    within ``radius_m`` of (lon, lat) (WGS-84), and those of the worker's own community and
    street. Nearest first, then the worker's own by date."""
    at = timezone.now()
    radius_m = max(100.0, min(float(radius_m), MAX_RADIUS_M))
    open_now = Project.objects.filter(status=ProjectStatus.PUBLISHED).filter(
        Exists(Session.objects.filter(project=OuterRef("pk"), ends_at__gt=at))
    )
    distances: dict[int, float] = {}
    if lon is not None and lat is not None:
        # The bounding box is an indexed range scan; the exact distance is taken after it.
        dlat = radius_m / METRES_PER_DEGREE_LAT
        dlon = dlat / max(0.01, math.cos(math.radians(lat)))
        boxed = open_now.filter(
            place_lat__range=(lat - dlat, lat + dlat), place_lon__range=(lon - dlon, lon + dlon)
        ).values_list("pk", "place_lon", "place_lat")
        for pk, p_lon, p_lat in boxed:
            distance = haversine_m(lon, lat, p_lon, p_lat)
            if distance <= radius_m:
                distances[pk] = distance
    nearest = sorted(distances, key=distances.__getitem__)[:limit]
    area = _area_filter(user)
    own: dict[int, tuple] = {}
    if area is not None:
        rows = (
            open_now.filter(area)
            .order_by("first_date", "pk")
            .values_list("pk", "first_date", "place_lon", "place_lat")[:limit]
        )
        own = {pk: (first, p_lon, p_lat) for pk, first, p_lon, p_lat in rows}
        for pk, (_first, p_lon, p_lat) in own.items():
            if pk not in distances and lon is not None and p_lon is not None:
                distances[pk] = haversine_m(lon, lat, p_lon, p_lat)
    # Order and cut on the ids first, so only the cards shown are loaded as objects.
    chosen = sorted(
        dict.fromkeys([*nearest, *own]),
        key=lambda pk: (pk not in distances, distances.get(pk, 0.0), own.get(pk, (None,))[0] or 0),
    )[:limit]
    by_pk = Project.objects.select_related("region").in_bulk(chosen)
    cards = [
        ProjectCard(project=by_pk[pk], distance_m=distances.get(pk), in_my_area=pk in own)
        for pk in chosen
    ]
    sessions = list(
        Session.objects.filter(project__in=[c.project for c in cards], ends_at__gt=at)
        .annotate(
            rank=Window(RowNumber(), partition_by=F("project_id"), order_by=F("starts_at").asc())
        )
        .filter(rank__lte=SESSIONS_SHOWN)
        .order_by("starts_at")
    )
    lines_by_project: dict[int, list[SessionLine]] = {}
    for line in session_lines(sessions, user):
        lines_by_project.setdefault(line.session.project_id, []).append(line)
    for card in cards:
        card.sessions = lines_by_project.get(card.project.pk, [])
    return cards


def project_get(pk: int) -> Project:
    qs = Project.objects.select_related("region", "street", "pool_region")
    return get_in_scope_or_404(qs, project_missing(), pk=pk)


def project_for_worker(pk: int) -> Project:
    """A project a worker may see: published, closed or cancelled (a draft is "not found")."""
    qs = Project.objects.exclude(status=ProjectStatus.DRAFT)
    qs = qs.select_related("region", "street", "pool_region")
    return get_in_scope_or_404(qs, project_missing(), pk=pk)


def _staff_scope(qs: QuerySet[Any], user: Any, region_field: str) -> QuerySet[Any]:
    return scope_to_jurisdiction(qs, user, region_field=region_field)


# Staff lookups: what lies outside the staff member's subtree answers like what does not exist.
def project_for_staff(user: Any, pk: int) -> Project:
    qs = _staff_scope(Project.objects.all(), user, "region")
    qs = qs.select_related("region", "street", "pool_region")
    return get_in_scope_or_404(qs, project_missing(), pk=pk)


def session_for_staff(user: Any, pk: int) -> Session:
    qs = _staff_scope(Session.objects.select_related("project__region"), user, "project__region")
    return get_in_scope_or_404(qs, session_missing(), pk=pk)


def claim_for_staff(user: Any, pk: int) -> Claim:
    qs = _staff_scope(Claim.objects.all(), user, "project__region")
    qs = qs.select_related("session", "project__region", "worker")
    return get_in_scope_or_404(qs, claim_missing(), pk=pk)


def attendance_for_staff(user: Any, pk: int) -> Attendance:
    qs = _staff_scope(Attendance.objects.all(), user, "project__region")
    qs = qs.select_related("claim", "project__region", "session", "worker")
    return get_in_scope_or_404(qs, attendance_missing(), pk=pk)


def award_for_staff(user: Any, pk: int) -> Award:
    qs = _staff_scope(Award.objects.all(), user, "attendance__project__region")
    qs = qs.select_related("attendance__project__region")
    return get_in_scope_or_404(qs, award_missing(), pk=pk)


# A worker's lookups: their own claims and attendances; sessions of projects they may see.
def session_for_worker(pk: int) -> Session:
    qs = Session.objects.exclude(project__status=ProjectStatus.DRAFT)
    return get_in_scope_or_404(qs.select_related("project__region"), session_missing(), pk=pk)


def claim_of_worker(user: Any, pk: int) -> Claim:
    qs = Claim.objects.filter(worker_id=getattr(user, "pk", None))
    qs = qs.select_related("session", "project__region", "worker")
    return get_in_scope_or_404(qs, claim_missing(), pk=pk)


def attendance_of_worker(user: Any, pk: int) -> Attendance:
    qs = Attendance.objects.filter(worker_id=getattr(user, "pk", None))
    qs = qs.select_related("claim", "project__region", "session", "worker")
    return get_in_scope_or_404(qs, attendance_missing(), pk=pk)


def upcoming_lines(project: Project, user: Any, limit: int = 30) -> list[SessionLine]:
    sessions = list(project.sessions.filter(ends_at__gt=timezone.now())[:limit])
    return session_lines(sessions, user)


def session_get(pk: int) -> Session:
    qs = Session.objects.select_related("project__region")
    return get_in_scope_or_404(qs, session_missing(), pk=pk)


def claim_get(pk: int) -> Claim:
    qs = Claim.objects.select_related("session", "project__region", "worker")
    return get_in_scope_or_404(qs, claim_missing(), pk=pk)


def claims_of(user: Any, *, limit: int = 100) -> QuerySet[Claim]:
    """The worker's claims, newest session first, with what happened on each."""
    return (
        Claim.objects.filter(worker=user)
        .select_related(
            "session", "project", "attendance", "errand_evidence", "livestream_evidence"
        )
        .order_by("-session__starts_at", "-id")[:limit]
    )


def claim_rows(user: Any, *, limit: int = 100) -> list[tuple[Claim, Attendance | None]]:
    """The worker's claims paired with their attendance (None before any check-in)."""
    rows = []
    for claim in claims_of(user, limit=limit):
        try:
            attendance = claim.attendance
        except Attendance.DoesNotExist:
            attendance = None
        rows.append((claim, attendance))
    return rows


@dataclass(frozen=True)
class HoursSummary:
    sessions: int
    hours: Decimal
    leaflets: int
    points: int
    no_shows: int


def hours_of(user: Any) -> HoursSummary:
    """The worker's verified volunteering: sessions served, hours, leaflets, points."""
    totals = Attendance.objects.filter(worker=user).aggregate(
        sessions=Count("id", filter=Q(outcome__in=[Outcome.FULL, Outcome.PARTIAL])),
        hours=Sum("hours_verified", filter=Q(outcome__in=[Outcome.FULL, Outcome.PARTIAL])),
        leaflets=Sum("quantity_verified", filter=Q(outcome__in=[Outcome.FULL, Outcome.PARTIAL])),
        points=Sum("points_awarded"),
        no_shows=Count("id", filter=Q(outcome=Outcome.NO_SHOW)),
    )
    return HoursSummary(
        sessions=totals["sessions"] or 0,
        hours=Decimal(totals["hours"] or 0).quantize(Decimal("0.01")),
        leaflets=totals["leaflets"] or 0,
        points=totals["points"] or 0,
        no_shows=totals["no_shows"] or 0,
    )


def staff_projects(user: Any, *, status: str | None = None) -> QuerySet[Project]:
    qs = scope_to_jurisdiction(
        Project.objects.select_related("region", "pool_region"), user, region_field="region"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        session_count=Count("sessions", distinct=True),
    ).order_by("-first_date", "-id")


def sheet_claims(session: Session) -> list[Claim]:
    """Every claim of a session for its attendance sheet: seated first, then waiting, then the
    rest, each in claim order; with attendance and awards loaded."""
    order = {
        ClaimStatus.CLAIMED: 0,
        ClaimStatus.WAITLISTED: 1,
    }
    claims = list(
        Claim.objects.filter(session=session)
        .select_related(
            "worker", "worker__region", "attendance", "errand_evidence", "livestream_evidence"
        )
        .prefetch_related(
            Prefetch("attendance__awards", queryset=Award.objects.order_by("revision"))
        )
        .order_by("created_at", "id")
    )
    return sorted(claims, key=lambda c: order.get(c.status, 2))


def sheet_rows(session: Session) -> list[tuple[Claim, Attendance | None, list[Award]]]:
    """The sheet's claims with their attendance and award history, ready for the page."""
    rows = []
    for claim in sheet_claims(session):
        try:
            attendance = claim.attendance
        except Attendance.DoesNotExist:
            attendance = None
        awards = list(attendance.awards.all()) if attendance is not None else []
        rows.append((claim, attendance, awards))
    return rows


def claim_by_code(session: Session, code: str) -> Claim:
    claim = (
        Claim.objects.filter(session=session, code=(code or "").strip().upper())
        .select_related("worker")
        .first()
    )
    if claim is None:
        raise not_found("volunteering.bad_code", _("本场次没有这个认领码。"))
    return claim


def session_progress(session: Session) -> dict[str, int]:
    """Seats and reported quantity so far, for the sheet's header."""
    claims = Claim.objects.filter(session=session).aggregate(
        seated=Count("id", filter=Q(status=ClaimStatus.CLAIMED)),
        waiting=Count("id", filter=Q(status=ClaimStatus.WAITLISTED)),
    )
    attendance = Attendance.objects.filter(session=session).aggregate(
        checked_in=Count("id", filter=Q(checked_in_at__isnull=False)),
        reported=Sum("quantity_reported"),
    )
    return {
        "seated": claims["seated"] or 0,
        "waiting": claims["waiting"] or 0,
        "checked_in": attendance["checked_in"] or 0,
        "reported": attendance["reported"] or 0,
    }


def volunteer_places() -> list[tuple[float, float, int]]:
    """Meeting places of published and closed projects (public places, not persons):
    (lon, lat, places per session) for those with a position."""
    rows = (
        Project.objects.filter(
            status__in=(ProjectStatus.PUBLISHED, ProjectStatus.CLOSED),
            place_lon__isnull=False,
            place_lat__isnull=False,
        )
        .order_by("id")
        .values_list("place_lon", "place_lat", "places")
    )
    return [(float(lon), float(lat), int(places)) for lon, lat, places in rows]


# Attendances that count as service (the statistics' rule): full or partial, verified.
_SERVED = Q(outcome__in=[Outcome.FULL, Outcome.PARTIAL])


def figures_by_region(*, within: str = "") -> dict[int, dict[str, float]]:
    """Verified volunteer service per region of the project: times served, hours, leaflets
    handed out (随手派), errands done (随手办), livestreams and the items they sold as
    reported (随时推) — one query."""
    rows = (
        Attendance.objects.filter(_SERVED, project__region__path__startswith=within)
        .values_list("project__region_id")
        .annotate(
            served=Count("id"),
            hours=Sum("hours_verified"),
            leaflets=Sum("quantity_verified"),
            errands=Sum("claim__errand_evidence__errands"),
            livestreams=Count("claim__livestream_evidence"),
            items=Sum("claim__livestream_evidence__items_sold"),
        )
        .order_by()
    )
    return {
        region_id: {
            "volunteer_services": served,
            "volunteer_hours": float(Decimal(str(hours or 0)).quantize(Decimal("0.1"))),
            "leaflets": leaflets or 0,
            "errands": errands or 0,
            "livestreams": livestreams,
            "livestream_items": items or 0,
        }
        for region_id, served, hours, leaflets, errands, livestreams, items in rows
    }


def service_by_month(*, within: str, since: Any) -> dict[int, Tally]:
    """Verified hours, leaflets, errands and livestreams per region of the project and month of
    the session: ``{region_id: {"hours": {month: h}, "leaflets": ..., ...}}`` (one query)."""
    rows = (
        Attendance.objects.filter(
            _SERVED, project__region__path__startswith=within, session__starts_at__gte=since
        )
        .annotate(month=TruncMonth("session__starts_at"))
        .values_list("project__region_id", "month")
        .annotate(
            hours=Sum("hours_verified"),
            leaflets=Sum("quantity_verified"),
            errands=Sum("claim__errand_evidence__errands"),
            livestreams=Count("claim__livestream_evidence"),
        )
        .order_by()
    )
    out = {}
    for region_id, month, hours, *counts in rows:
        hours = float(Decimal(str(hours or 0)).quantize(Decimal("0.1")))
        numbers = (hours, *(n or 0 for n in counts))
        tally = out.setdefault(region_id, {})
        for trace, n in zip(("hours", "leaflets", "errands", "livestreams"), numbers, strict=True):
            tally_add(tally, {trace: {month_key(month): n}})
    return out


# The "随手" channels volunteering records, per worker: 随手派 (leaflets handed out), 随手办
# (errands done online for residents) and 随时推 (livestreams of local products). Verified
# service only, as in every other count of volunteering; the dashboard adds 随手拍 from reports.
CHANNEL_KEYS = ("leaflets", "errands", "livestreams")


def _channels_per_worker(qs: QuerySet[Attendance]) -> dict[int, dict[str, int]]:
    rows = (
        qs.filter(_SERVED)
        .values_list("worker_id")
        .annotate(
            leaflets=Sum("quantity_verified"),
            errands=Sum("claim__errand_evidence__errands"),
            livestreams=Count("claim__livestream_evidence"),
        )
        .order_by()
    )
    return {
        worker_id: {"leaflets": leaflets or 0, "errands": errands or 0, "livestreams": streams}
        for worker_id, leaflets, errands, streams in rows
        if leaflets or errands or streams
    }


def channels_by_worker(*, within: str = "") -> dict[int, dict[str, int]]:
    """Per worker, the channels' counts on the projects of the subtree at ``within`` (one query;
    workers with none are left out). A project counts in its own region, as in
    ``figures_by_region``, so the workers of an area add up to the area's figures."""
    return _channels_per_worker(Attendance.objects.filter(project__region__path__startswith=within))


def channels_of(user: Any) -> dict[str, int]:
    """The worker's own counts, wherever the projects were (one query)."""
    found = _channels_per_worker(Attendance.objects.filter(worker_id=getattr(user, "pk", None)))
    return next(iter(found.values()), dict.fromkeys(CHANNEL_KEYS, 0))
