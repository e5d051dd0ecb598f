"""QR check-in and the retention of visits.

Every station has a check-in URL carrying a signed token ("<station id>-<qr version>" signed
with the project's secret and a salt of its own), so a token cannot be made for another station
or for a poster that has been replaced. The token opens the check-in page; the check-in itself
also needs presence shown (``presence``: the phone's position within the station's radius, or
the rotating code of the station's screen), so a photo of the poster pays nothing. A logged-in
worker who shows presence and confirms records a visit: one per worker, station and day;
checking in again the same day counts a scan, not a visit.

Visits say where a person was and when, so they are not written to the audit log (which is kept
for good) and are kept only ``STATION_VISIT_RETENTION_DAYS`` days; ``visits_purge`` then folds
them into per-station, per-day, per-occupation counts and deletes them.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.accounts.models import Role
from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError, forbidden
from nuanxin.core.notifications import notification_send
from nuanxin.core.texts import text
from nuanxin.core.timeutil import local_date
from nuanxin.geo.models import LEVEL_DEPTH, Region, RegionLevel
from nuanxin.geo.selectors import region_at_point
from nuanxin.stations.models import Station, StationStatus, Visit, VisitAggregate
from nuanxin.stations.services.presence import Presence, code_attempts, presence_check

CHECKIN_SALT = "nuanxin.stations.checkin"
DEFAULT_RETENTION_DAYS = 180


def retention_days() -> int:
    return int(getattr(settings, "STATION_VISIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def _signer() -> signing.Signer:
    return signing.Signer(salt=CHECKIN_SALT)


def checkin_token(station: Station) -> str:
    return _signer().sign(f"{station.pk}-{station.qr_version}")


def checkin_path(station: Station) -> str:
    return reverse("stations:checkin", kwargs={"token": checkin_token(station)})


def station_from_token(token: str) -> Station:
    """The station a check-in token was issued for; ``stations.bad_qr`` or ``qr_outdated``."""
    try:
        value = _signer().unsign(token or "")
        station_id, _sep, version = value.partition("-")
        station = Station.objects.select_related("region").get(pk=int(station_id))
        qr_version = int(version)
    except (signing.BadSignature, ValueError, Station.DoesNotExist) as exc:
        raise ApplicationError("stations.bad_qr", _("签到二维码无效。"), status=404) from exc
    if qr_version != station.qr_version:
        raise ApplicationError(
            "stations.qr_outdated",
            _("该签到二维码已更换，请扫描驿站现场张贴的新二维码。"),
            extra={"station": station.pk},
            status=410,
        )
    return station


def _occupation_of(user: Any) -> str:
    """The worker's occupation code from the registry (台账), for the counts by occupation;
    "" for a worker the registry does not know. Visits keep what it was at check-in time."""
    from nuanxin.registry.selectors import occupation_of

    return occupation_of(user)


def _community_of(station: Station) -> Region | None:
    """The community whose points pool pays for check-ins at the station."""
    region = station.region
    if region is None:
        return None
    if region.level == RegionLevel.COMMUNITY:
        return region
    if region.depth > LEVEL_DEPTH[RegionLevel.COMMUNITY]:
        return next((r for r in region.ancestors() if r.level == RegionLevel.COMMUNITY), None)
    match = region_at_point(station.lon, station.lat)
    if match and match.region.path.startswith(region.path):
        found = match.region
        if found.level == RegionLevel.GRID:
            found = found.parent
        return found if found.level == RegionLevel.COMMUNITY else None
    return None


def _award_checkin_points(visit: Visit) -> tuple[int | None, str]:
    """Points for a counted visit and why they are fewer than the rule ("" when they are not);
    the one place check-ins touch the points ledger.

    Runs inside the check-in's transaction, so the visit and its ledger entry commit together.
    The ledger pays at most one check-in per worker and day, wherever it is: a second station
    the same day gets 0. A pool that cannot pay leaves the visit counted with no points (None)
    rather than refusing the rider a place to rest.
    """
    from nuanxin.points.rules import ONCE_A_DAY, POOL_EMPTY
    from nuanxin.points.services import earn_checkin

    community = _community_of(visit.station)
    if community is None:
        return None, ""
    try:
        result = earn_checkin(
            worker=visit.worker,
            community=community,
            station_reference=f"station:{visit.station.code}",
            day=visit.day,
        )
    except ApplicationError as error:
        if error.code == "points.budget_exhausted":
            return None, POOL_EMPTY
        raise
    if result.replayed:
        return 0, ONCE_A_DAY
    return result.granted, result.limited_by or ""


@dataclass(frozen=True)
class CheckinResult:
    visit: Visit
    counted: bool  # False when the worker had already checked in here today


def _require_worker(worker: Any) -> None:
    if not getattr(worker, "is_authenticated", False) or not worker.is_active:
        raise ApplicationError("auth.unauthenticated", _("请先登录。"), status=401)
    if worker.role != Role.WORKER:
        raise forbidden("stations.workers_only", _("二维码有效，但只有劳动者账号可以签到。"))


def _tell_points(visit: Visit) -> None:
    if visit.points_awarded:
        notification_send(
            user=visit.worker,
            kind="points.checkin",
            title=text(gettext_noop("驿站签到 +%(points)d 积分"), points=visit.points_awarded),
            body=text(gettext_noop("%(station)s，%(day)s"), station=visit.station.name,
                      day=visit.day.isoformat()),
            url=reverse("stations:my_visits"),
        )  # fmt: skip


def visit_record(*, station: Station, worker: Any, at: dt.datetime | None = None) -> CheckinResult:
    """Record a worker's visit to a station at ``at`` (now); one counted visit per day.

    The caller has established that the worker is there (``visit_checkin`` by presence, or
    the demo's history). Refused for non-workers, stations not in service and stations
    closed at that moment.
    """
    from nuanxin.stations.index import schedule_of

    at = at or timezone.now()
    _require_worker(worker)
    if station.status != StationStatus.OPEN:
        raise ApplicationError(
            "stations.not_in_service",
            _("该驿站当前%(status)s，暂不能签到。") % {"status": station.get_status_display()},
            status=409,
        )
    schedule = schedule_of(station)
    if not schedule.is_open_at(at):
        raise ApplicationError(
            "stations.closed_now", _("驿站当前不在开放时间，暂不能签到。"), status=409
        )
    day = at.astimezone(schedule.tz).date()
    with transaction.atomic():
        try:
            with transaction.atomic():
                visit = Visit.objects.create(
                    station=station,
                    worker=worker,
                    day=day,
                    first_at=at,
                    last_at=at,
                    occupation=_occupation_of(worker)[:32],
                )
        except IntegrityError:
            # Already checked in today (maybe a moment ago from a second tab): count the scan.
            visit = Visit.objects.select_for_update().get(station=station, worker=worker, day=day)
            Visit.objects.filter(pk=visit.pk).update(scans=F("scans") + 1, last_at=at)
            visit.refresh_from_db()
            return CheckinResult(visit, counted=False)
        visit.points_awarded, visit.points_limited_by = _award_checkin_points(visit)
        if visit.points_awarded is not None or visit.points_limited_by:
            visit.save(update_fields=["points_awarded", "points_limited_by"])
        _tell_points(visit)
    return CheckinResult(visit, counted=True)


def visit_checkin(
    *, token: str, worker: Any, presence: Presence | None = None, at: dt.datetime | None = None
) -> CheckinResult:
    """Check in with the token of a station's QR code and a proof of presence.

    Raises what ``station_from_token`` and ``visit_record`` raise, and the refusals of
    ``presence.presence_check`` (stations.presence_required, too_far, position_denied,
    position_unavailable, position_inaccurate, code_invalid, code_expired,
    code_other_station), and stations.code_attempts after too many wrong codes.
    """
    at = at or timezone.now()
    station = station_from_token(token)
    _require_worker(worker)
    with code_attempts(worker, presence):
        presence_check(station=station, presence=presence, at=at)
    return visit_record(station=station, worker=worker, at=at)


@dataclass(frozen=True)
class PurgeReport:
    before: dt.date
    visits_deleted: int
    aggregate_rows: int


def visits_purge(
    *, before: dt.date | None = None, actor: Any = None, dry_run: bool = False
) -> PurgeReport:
    """Fold visits of days before ``before`` (default: today minus the retention) into counts
    per station, day and occupation, then delete them. One transaction per day, so a long
    backlog does not hold one huge transaction; running it twice changes nothing."""
    cutoff = before or local_date() - dt.timedelta(days=retention_days())
    old = Visit.objects.filter(day__lt=cutoff)
    days = list(old.order_by("day").values_list("day", flat=True).distinct())
    deleted = rows = 0
    for day in days:
        with transaction.atomic():
            groups = (
                Visit.objects.filter(day=day)
                .values("station_id", "occupation")
                .annotate(visits=Count("id"), scans=Sum("scans"))
                .order_by("station_id", "occupation")
            )
            for group in groups:
                rows += 1
                if dry_run:
                    deleted += group["visits"]
                    continue
                aggregate, _created = VisitAggregate.objects.select_for_update().get_or_create(
                    station_id=group["station_id"], day=day, occupation=group["occupation"]
                )
                VisitAggregate.objects.filter(pk=aggregate.pk).update(
                    visits=F("visits") + group["visits"], scans=F("scans") + group["scans"]
                )
            if not dry_run:
                deleted += Visit.objects.filter(day=day).delete()[0]
    report = PurgeReport(before=cutoff, visits_deleted=deleted, aggregate_rows=rows)
    if deleted and not dry_run:
        with transaction.atomic():
            last = VisitAggregate.objects.order_by("-day", "-id").first()
            audit_record(
                actor=actor,
                action="visits.purge",
                obj=last,
                after={
                    "before": cutoff.isoformat(),
                    "visits_deleted": deleted,
                    "aggregate_rows": rows,
                },
                note=_("签到记录超过保存期限，已汇总为统计数据并删除。"),
            )
    return report
