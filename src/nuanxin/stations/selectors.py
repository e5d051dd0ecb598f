"""Reads of stations, hours and visits for the pages and the API."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractHour
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.core.scoping import get_in_scope_or_404
from nuanxin.core.tally import Tally, tally_add, tally_rows
from nuanxin.core.timeutil import local_date
from nuanxin.geo.coords import CoordSystem, from_wgs84
from nuanxin.geo.models import Region
from nuanxin.registry.selectors import occupation_label
from nuanxin.stations.index import NearestHit, query_clean, schedule_of, station_index
from nuanxin.stations.models import (
    Amenity,
    HoursException,
    Station,
    StationKind,
    StationPhoto,
    StationStatus,
    Visit,
    VisitAggregate,
)
from nuanxin.stations.permissions import station_missing, stations_managed_by
from nuanxin.stations.schedule import OpenStatus, Schedule

STATS_GROUPS = ("station", "day", "occupation")


def amenities_active() -> list[Amenity]:
    return list(Amenity.objects.filter(is_active=True))


def _with_details(qs: QuerySet[Station]) -> QuerySet[Station]:
    return qs.select_related("region").prefetch_related(
        "amenities",
        "weekly_spans",
        Prefetch("hours_exceptions", queryset=HoursException.objects.order_by("date")),
        Prefetch("photos", queryset=StationPhoto.objects.order_by("sort_order", "id")),
    )


def station_get(station_id: int) -> Station:
    """Any station, for the public pages (stations are public places)."""
    qs = _with_details(Station.objects.all())
    return get_in_scope_or_404(qs, station_missing(), pk=station_id)


def station_managed(user: Any, station_id: int) -> Station:
    """A station the user manages (governs or keeps); any other answers like a missing one."""
    qs = _with_details(stations_managed_by(user))
    return get_in_scope_or_404(qs, station_missing(), pk=station_id)


def station_schedule(station: Station) -> Schedule:
    """The station's schedule, from the index when it is in service (no queries)."""
    if station.status == StationStatus.OPEN:
        schedule = station_index.get().schedule_of(station.pk)
        if schedule is not None:
            return schedule
    return schedule_of(station)


def station_status_now(station: Station, at: dt.datetime | None = None) -> OpenStatus:
    """Open now? A station not in service is never open, whatever its hours say."""
    if station.status != StationStatus.OPEN:
        return OpenStatus(False)
    return station_schedule(station).status_at(at or timezone.now())


def stations_for_map(
    *,
    crs: str = CoordSystem.WGS84,
    at: dt.datetime | None = None,
    kind: str | None = None,
    region: Region | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> list[dict[str, Any]]:
    """Every station not closed for good, as GeoJSON features with their state at ``at``.

    Coordinates go out in ``crs`` (GCJ-02 for Chinese tile servers); ``bbox`` is in WGS-84.
    """
    at = at or timezone.now()
    index = station_index.get()
    qs = (
        Station.objects.exclude(status=StationStatus.CLOSED)
        .prefetch_related(Prefetch("amenities", queryset=Amenity.objects.only("code")))
        .only("id", "code", "name", "kind", "status", "lon", "lat", "address", "host_type")
        .order_by("id")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        qs = qs.filter(lon__gte=min_lon, lon__lte=max_lon, lat__gte=min_lat, lat__lte=max_lat)
    url_prefix = reverse("stations:map")  # detail pages are "<prefix><id>/"
    features = []
    for station in qs:
        schedule = index.schedule_of(station.pk)
        is_open = bool(
            station.status == StationStatus.OPEN and schedule and schedule.is_open_at(at)
        )
        lon, lat = from_wgs84(station.lon, station.lat, crs)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
                "properties": {
                    "id": station.pk,
                    "code": station.code,
                    "name": station.name,
                    "kind": station.kind,
                    "kind_label": str(station.get_kind_display()),
                    "status": station.status,
                    "status_label": str(station.get_status_display()),
                    "open_now": is_open,
                    "address": station.address,
                    "amenities": sorted(a.code for a in station.amenities.all()),
                    "url": f"{url_prefix}{station.pk}/",
                },
            }
        )
    return features


@dataclass(frozen=True)
class NearestStation:
    hit: NearestHit
    station: Station
    amenities: list[str]


NEAREST_FIELDS = ["id", "code", "name", "kind", "host_type", "address", "lon", "lat", "status"]


def nearest_stations(**query: Any) -> list[NearestStation]:
    """``stations_nearest`` with what a result shows: one query for the stations' own fields,
    amenities from the index (no query)."""
    index = station_index.get()
    hits = index.nearest(query_clean(known_amenities=index.amenity_codes, **query))
    stations = Station.objects.only(*NEAREST_FIELDS).in_bulk([hit.station_id for hit in hits])
    return [
        NearestStation(hit, stations[hit.station_id], index.amenities_of(hit.station_id))
        for hit in hits
        if hit.station_id in stations
    ]


def visits_of(worker: Any, *, limit: int = 50) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(worker=worker)
        .select_related("station")
        .order_by("-first_at", "-id")[:limit]
    )


def visits_today(station: Station) -> int:
    return Visit.objects.filter(station=station, day=local_date()).count()


def stations_managed_list(user: Any) -> QuerySet[Station]:
    """The stations ``user`` manages, by code, with their region and ``visits_today_count``
    (today's visits) in the same query: one query however many stations there are."""
    today = Visit.objects.filter(station=OuterRef("pk"), day=local_date())
    counted = today.order_by().values("station").annotate(n=Count("pk")).values("n")
    return (
        stations_managed_by(user)
        .select_related("region")
        .annotate(visits_today_count=Coalesce(Subquery(counted), 0))
        .order_by("code")
    )


@dataclass(frozen=True)
class VisitCount:
    key: Any
    label: str
    visits: int
    scans: int


def station_labels(station_ids: list[int]) -> dict[int, str]:
    """Each station's name with its county and street ("海盛驿站 · 坡头区 南调街道"), so that
    stations of like names in different places read apart in a list."""
    stations = Station.objects.filter(pk__in=station_ids)
    rows = list(stations.values_list("pk", "name", "region__path"))
    codes = {code for *_, path in rows for code in (path or "").strip("/").split("/")[1:3]}
    region_names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    labels = {}
    for pk, name, path in rows:
        place = " ".join(
            region_names[code]
            for code in (path or "").strip("/").split("/")[1:3]
            if code in region_names
        )
        labels[pk] = f"{name} · {place}" if place else name
    return labels


def visit_counts(
    *,
    user: Any,
    date_from: dt.date,
    date_to: dt.date,
    by: str,
    region: Region | None = None,
    station: Station | None = None,
) -> list[VisitCount]:
    """Visits per station, day or occupation in the stations the user manages.

    Counts add the live visits (still within the retention period) and the aggregates of
    purged ones; a day is in one or the other, never both, because purging moves whole days.
    """
    if by not in STATS_GROUPS:
        raise ValueError(f"by must be one of {STATS_GROUPS}")
    stations = stations_managed_by(user)
    if region is not None:
        stations = stations.filter(region__path__startswith=region.path)
    if station is not None:
        stations = stations.filter(pk=station.pk)
    field = {"station": "station_id", "day": "day", "occupation": "occupation"}[by]
    totals: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    live = (
        Visit.objects.filter(station__in=stations, day__gte=date_from, day__lte=date_to)
        .values(field)
        .annotate(visits=Count("id"), scans=Sum("scans"))
        .order_by()
    )
    archived = (
        VisitAggregate.objects.filter(station__in=stations, day__gte=date_from, day__lte=date_to)
        .values(field)
        .annotate(visits=Sum("visits"), scans=Sum("scans"))
        .order_by()
    )
    for rows in (live, archived):
        for row in rows:
            totals[row[field]][0] += row["visits"] or 0
            totals[row[field]][1] += row["scans"] or 0
    names: dict[Any, str] = {}
    if by == "station":
        names = station_labels(list(totals))
    out = []
    for key, (visits, scans) in totals.items():
        if by == "station":
            label = names.get(key, str(key))
        elif by == "day":
            label = key.isoformat()
        else:
            label = occupation_label(key) or key or _("未登记")
        out.append(VisitCount(key, label, visits, scans))
    if by == "day":
        out.sort(key=lambda c: c.key)
    else:
        out.sort(key=lambda c: (-c.visits, str(c.key)))
    return out


@dataclass(frozen=True)
class ServingStations:
    """Stations in service that pass a filter, as parallel lists (WGS-84)."""

    ids: list[int]
    names: list[str]
    lons: list[float]
    lats: list[float]


def stations_serving(
    *, at: dt.datetime | None = None, amenities: tuple[str, ...] = ()
) -> ServingStations:
    """Stations in service that have every amenity in ``amenities`` and, when ``at`` is
    given, are open at that moment; ordered by id. Raises ``stations.unknown_amenity``."""
    index = station_index.get()
    unknown = [code for code in amenities if code not in index.amenity_codes]
    if unknown:
        raise ApplicationError(
            "stations.unknown_amenity",
            _("未知的服务设施：%s。") % "、".join(unknown),
            extra={"codes": unknown},
        )
    keep = []
    cols = [index.amenity_codes.index(code) for code in amenities]
    for i in range(len(index)):
        if cols and not index.amenities[i, cols].all():
            continue
        if at is not None and not index.schedules[i].is_open_at(at):
            continue
        keep.append(i)
    ids = [int(index.ids[i]) for i in keep]
    names = dict(Station.objects.filter(pk__in=ids).values_list("pk", "name"))
    return ServingStations(
        ids=ids,
        names=[names.get(pk, "") for pk in ids],
        lons=[float(index.lons[i]) for i in keep],
        lats=[float(index.lats[i]) for i in keep],
    )


def checkins_by_station(*, since: dt.date | None = None) -> list[tuple[float, float, int]]:
    """Visits per station (live and archived counts) at the station's position: (lon, lat,
    visits). Counts only; which worker visited is not part of the answer."""
    totals: dict[int, int] = defaultdict(int)
    live = Visit.objects.all()
    archived = VisitAggregate.objects.all()
    if since is not None:
        live, archived = live.filter(day__gte=since), archived.filter(day__gte=since)
    for pk, n in live.values("station_id").annotate(n=Count("id")).values_list("station_id", "n"):
        totals[pk] += n
    for pk, n in (
        archived.values("station_id").annotate(n=Sum("visits")).values_list("station_id", "n")
    ):
        totals[pk] += n or 0
    positions = Station.objects.filter(pk__in=totals).values_list("pk", "lon", "lat")
    return [(lon, lat, totals[pk]) for pk, lon, lat in sorted(positions)]


def figures_by_region(*, within: str = "") -> dict[int, dict[str, int]]:
    """Centres and stations not withdrawn, and those open now, per region (one query)."""
    rows = (
        Station.objects.exclude(status=StationStatus.CLOSED)
        .filter(region__path__startswith=within)
        .values_list("region_id")
        .annotate(
            centres=Count("id", filter=Q(kind=StationKind.CENTRE)),
            stations=Count("id", filter=Q(kind=StationKind.STATION)),
            in_service=Count("id", filter=Q(status=StationStatus.OPEN)),
        )
        .order_by()
    )
    return {
        region_id: {"centres": c, "stations": s, "stations_open": o} for region_id, c, s, o in rows
    }


def visits_by_occupation(*, within: str, since: dt.date) -> dict[int, Tally]:
    """Visits since ``since`` per region of the station and occupation code ("" where none was
    recorded), live and purged alike: ``{region_id: {"visits": {code: n}}}`` (two queries)."""
    out: dict[int, Tally] = {}
    for model, figure in ((Visit, Count("id")), (VisitAggregate, Sum("visits"))):
        rows = (
            model.objects.filter(day__gte=since, station__region__path__startswith=within)
            .values_list("station__region_id", "occupation")
            .annotate(n=figure)
            .order_by()
        )
        for region_id, tally in tally_rows(rows, ("visits",), x=lambda c: c or "").items():
            tally_add(out.setdefault(region_id, {}), tally)
    return out


def occupation_name(code: str) -> str:
    """An occupation code's Chinese label (the code itself if unknown; "未登记" for none)."""
    return occupation_label(code) or code or _("未登记")


def visits_by_hour(*, within: str, since: dt.date) -> dict[int, Tally]:
    """Visits since ``since`` per region of the station and local hour of the first check-in,
    0-23: ``{region_id: {"visits": {hour: n}}}`` (one query).

    Purged visits keep only their day, so the hours are those still within retention."""
    rows = (
        Visit.objects.filter(day__gte=since, station__region__path__startswith=within)
        .annotate(hour=ExtractHour("first_at", tzinfo=timezone.get_current_timezone()))
        .values_list("station__region_id", "hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    return tally_rows(rows, ("visits",))


def stations_on_map(*, within: str) -> list[dict[str, Any]]:
    """Centres and stations not withdrawn, as points (WGS-84) with kind and state."""
    rows = (
        Station.objects.exclude(status=StationStatus.CLOSED)
        .filter(region__path__startswith=within)
        .order_by("code")
        .values("code", "name", "kind", "status", "lon", "lat")
    )
    return list(rows)
