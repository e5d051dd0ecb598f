"""Nearest-station search on an in-memory KD-tree, and its brute-force reference.

Each process keeps one ``StationIndex`` of the stations in service (``StampedCache`` on the
"stations" topic): their positions as unit-sphere vectors in a scipy ``cKDTree``, an amenity
matrix, and compiled opening hours. After an edit it is patched (``patch_index``: the changed
stations read again, the tree rebuilt if one moved) rather than built again. A query

1. asks the tree for the k nearest positions (within the distance bound), drops those without
   the wanted amenities (vectorised) and those closed at the asked time, and grows k until
   ``count`` stations are left or no position is left;
2. takes every station within the distance of the last one found (a ball query, so ties at
   that distance are complete), measures great-circle distances with the same function as the
   reference scan and orders them by distance, then id.

Step 2 makes the answer identical to ``stations_nearest_scan``, which reads the whole table
and checks every station; the tests hold the two to it.

Travel times are estimates on a straight line stretched by ``DETOUR_FACTOR`` (streets are not
straight; 1.3 is the usual urban circuity) at ``WALK_SPEED_KMH`` on foot and ``RIDE_SPEED_KMH``
on an e-bike in town traffic, rounded up to whole minutes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _
from scipy.spatial import cKDTree

from nuanxin.core.errors import ApplicationError
from nuanxin.core.stamps import StampedCache
from nuanxin.core.timeutil import local_date
from nuanxin.geo.coords import haversine_m
from nuanxin.geo.selectors import chord_for_metres, unit_vectors
from nuanxin.stations.models import (
    Amenity,
    HoursException,
    Station,
    StationStatus,
    WeeklySpan,
)
from nuanxin.stations.schedule import DayException, OpenStatus, Schedule, Span, span_from_pair
from nuanxin.stations.services.common import STATIONS_TOPIC

WALK_SPEED_KMH = 4.5
RIDE_SPEED_KMH = 15.0
DETOUR_FACTOR = 1.3
MAX_COUNT = 100
# Exceptions from this many days before the build are kept: an overnight span of yesterday's
# exception still matters this morning.
EXCEPTION_LOOKBACK_DAYS = 2
# How far from now an "open at" question may be asked.
QUERY_PAST = dt.timedelta(days=1)
QUERY_FUTURE = dt.timedelta(days=30)
# More changed stations than this and a patch rebuilds instead (and stays within the bound
# parameters of one SQL statement).
PATCH_MAX_STATIONS = 2000
# Floating-point slack for the chord bound of the ball query (about a micrometre).
_CHORD_SLACK = 1e-9


def travel_minutes(distance_m: float, speed_kmh: float) -> int:
    metres_per_minute = speed_kmh * 1000 / 60
    return max(1, math.ceil(distance_m * DETOUR_FACTOR / metres_per_minute))


@dataclass(frozen=True)
class NearestQuery:
    """A nearest search in WGS-84; ``at`` is the moment "open" refers to."""

    lon: float
    lat: float
    at: dt.datetime
    amenities: tuple[str, ...] = ()
    open_now: bool = False
    max_distance_m: float | None = None
    count: int = 5
    kind: str | None = None


@dataclass(frozen=True)
class NearestHit:
    station_id: int
    distance_m: float
    walk_minutes: int
    ride_minutes: int
    status: OpenStatus


def _hit(station_id: int, distance: float, schedule: Schedule, at: dt.datetime) -> NearestHit:
    return NearestHit(
        station_id=station_id,
        distance_m=distance,
        walk_minutes=travel_minutes(distance, WALK_SPEED_KMH),
        ride_minutes=travel_minutes(distance, RIDE_SPEED_KMH),
        status=schedule.status_at(at),
    )


def query_clean(
    *,
    lon: float,
    lat: float,
    at: dt.datetime | None = None,
    amenities: Sequence[str] = (),
    open_now: bool = False,
    max_distance_m: float | None = None,
    count: int = 5,
    kind: str | None = None,
    known_amenities: Sequence[str] = (),
) -> NearestQuery:
    """Validate a search; raises ``stations.*`` errors for what a client got wrong."""
    now = dj_timezone.now()
    at = at or now
    if dj_timezone.is_naive(at):
        at = dj_timezone.make_aware(at)
    if not now - QUERY_PAST <= at <= now + QUERY_FUTURE:
        raise ApplicationError("stations.bad_time", _("只能查询最近一天到未来 30 天内的开放情况。"))
    if not 1 <= count <= MAX_COUNT:
        raise ApplicationError(
            "stations.bad_count", _("数量必须在 1 到 %(max)d 之间。") % {"max": MAX_COUNT}
        )
    if max_distance_m is not None and not 0 < max_distance_m <= 20_000_000:
        raise ApplicationError("stations.bad_distance", _("最大距离必须大于 0。"))
    wanted = tuple(dict.fromkeys(a.strip() for a in amenities if a and a.strip()))
    unknown = [a for a in wanted if a not in known_amenities]
    if unknown:
        raise ApplicationError(
            "stations.unknown_amenity",
            _("未知的服务设施：%s。") % "、".join(unknown),
            extra={"codes": unknown},
        )
    return NearestQuery(
        lon=float(lon),
        lat=float(lat),
        at=at,
        amenities=wanted,
        open_now=open_now,
        max_distance_m=max_distance_m,
        count=count,
        kind=kind,
    )


def _clock(raw: Any) -> dt.time:
    """A time from the database, read as text to skip the per-row converters."""
    if isinstance(raw, dt.time):
        return raw
    hours, minutes, *_rest = str(raw).split(":")
    return dt.time(int(hours), int(minutes))


def load_schedules(
    station_ids: Sequence[int] | None, timezones: dict[int, str], since: dt.date
) -> dict[int, Schedule]:
    """Compiled schedules of the given stations (all in ``timezones`` when ids is None).

    Most stations keep one of a few timetables, so spans and schedules are shared: each
    station's weekly spans become a key of small integers, and a schedule is compiled once per
    distinct key. Times come as text (a cast in SQL) so no row pays for a time conversion;
    this keeps a rebuild of 100,000 stations to a few seconds.
    """
    span_numbers: dict[tuple[str, str], int] = {}
    spans: list[Span] = []
    week_items: dict[int, list[tuple[int, int]]] = {}
    rows = WeeklySpan.objects.annotate(
        start_text=Cast("start", CharField()), end_text=Cast("end", CharField())
    )
    exceptions = HoursException.objects.filter(date__gte=since)
    if station_ids is not None:
        rows = rows.filter(station_id__in=station_ids)
        exceptions = exceptions.filter(station_id__in=station_ids)
    for station_id, weekday, start, end in rows.values_list(
        "station_id", "weekday", "start_text", "end_text"
    ).iterator(chunk_size=20_000):
        number = span_numbers.get((start, end))
        if number is None:
            number = span_numbers[(start, end)] = len(spans)
            spans.append(Span(_clock(start), _clock(end)))
        week_items.setdefault(station_id, []).append((weekday, number))
    by_station: dict[int, dict[dt.date, DayException]] = {}
    for station_id, date, closed, pairs, note in exceptions.values_list(
        "station_id", "date", "is_closed", "spans", "note"
    ).iterator(chunk_size=10_000):
        spans_of_day = () if closed else tuple(span_from_pair(p) for p in pairs or [])
        by_station.setdefault(station_id, {})[date] = DayException(closed, spans_of_day, note)

    compiled: dict[tuple, Schedule] = {}
    out: dict[int, Schedule] = {}
    for pk, tz in timezones.items():
        key = (tuple(sorted(set(week_items.get(pk, ())))), tz)
        schedule = compiled.get(key)
        if schedule is None:
            weekly = [(weekday, spans[number]) for weekday, number in key[0]]
            schedule = compiled[key] = Schedule.build(weekly, {}, tz)
        if pk in by_station:
            schedule = Schedule(schedule.weekly, by_station[pk], schedule.tz)
        out[pk] = schedule
    return out


@dataclass
class StationIndex:
    ids: np.ndarray
    lons: np.ndarray
    lats: np.ndarray
    kinds: np.ndarray
    amenity_codes: tuple[str, ...]
    amenities: np.ndarray  # stations x amenity codes, bool
    schedules: list[Schedule]
    tree: cKDTree | None
    since: dt.date

    def __len__(self) -> int:
        return len(self.ids)

    def row_of(self, station_id: int) -> int | None:
        """The row of a station in the arrays (``ids`` is sorted), None if not in service."""
        i = int(np.searchsorted(self.ids, station_id))
        return i if i < len(self.ids) and self.ids[i] == station_id else None

    def amenities_of(self, station_id: int) -> list[str]:
        i = self.row_of(station_id)
        if i is None:
            return []
        return [
            code for code, has in zip(self.amenity_codes, self.amenities[i], strict=True) if has
        ]

    def schedule_of(self, station_id: int) -> Schedule | None:
        i = self.row_of(station_id)
        return None if i is None else self.schedules[i]

    def _static_ok(self, idx: np.ndarray, query: NearestQuery) -> np.ndarray:
        ok = np.ones(len(idx), dtype=bool)
        if query.amenities:
            cols = [self.amenity_codes.index(code) for code in query.amenities]
            ok &= self.amenities[np.ix_(idx, cols)].all(axis=1)
        if query.kind:
            ok &= self.kinds[idx] == query.kind
        return ok

    def nearest(self, query: NearestQuery) -> list[NearestHit]:
        n = len(self.ids)
        if n == 0 or self.tree is None:
            return []
        point = unit_vectors(np.array([query.lon]), np.array([query.lat]))[0]
        bound = math.inf
        if query.max_distance_m is not None:
            bound = chord_for_metres(query.max_distance_m) * (1 + _CHORD_SLACK) + _CHORD_SLACK
        open_seen: dict[int, bool] = {}

        def open_ok(i: int) -> bool:
            if not query.open_now:
                return True
            if i not in open_seen:
                open_seen[i] = self.schedules[i].is_open_at(query.at)
            return open_seen[i]

        k = min(n, max(16, 4 * query.count))
        radius = bound
        while True:
            chords, idx = self.tree.query(point, k=k, distance_upper_bound=bound)
            chords, idx = np.atleast_1d(chords), np.atleast_1d(idx)
            within = np.isfinite(chords)
            chords, idx = chords[within], idx[within]
            keep = self._static_ok(idx, query)
            found = 0
            for chord, i in zip(chords[keep], idx[keep], strict=True):
                if open_ok(int(i)):
                    found += 1
                    if found == query.count:
                        radius = float(chord) * (1 + _CHORD_SLACK) + _CHORD_SLACK
                        break
            if found == query.count or len(idx) < k or k == n:
                break
            k = min(n, k * 4)

        if math.isinf(radius):
            candidates = np.arange(n)
        else:
            candidates = np.asarray(self.tree.query_ball_point(point, r=radius), dtype=np.int64)
        candidates = candidates[self._static_ok(candidates, query)]
        scored = []
        for i in candidates.tolist():
            distance = haversine_m(query.lon, query.lat, float(self.lons[i]), float(self.lats[i]))
            if query.max_distance_m is not None and distance > query.max_distance_m:
                continue
            if open_ok(i):
                scored.append((distance, int(self.ids[i]), i))
        scored.sort()
        return [
            _hit(station_id, distance, self.schedules[i], query.at)
            for distance, station_id, i in scored[: query.count]
        ]


def _lookback_since() -> dt.date:
    return local_date() - dt.timedelta(days=EXCEPTION_LOOKBACK_DAYS)


def _amenity_matrix(
    ids: np.ndarray, links: np.ndarray, amenity_rows: list[tuple[int, str]]
) -> np.ndarray:
    """Stations (``ids``, sorted) x amenities, from (station id, amenity id) link rows."""
    matrix = np.zeros((len(ids), len(amenity_rows)), dtype=bool)
    if len(links) and len(ids) and amenity_rows:
        # Vectorised: the row of each link's station (ids are sorted), the column of its amenity.
        rows_at = np.searchsorted(ids, links[:, 0]).clip(max=len(ids) - 1)
        in_service = ids[rows_at] == links[:, 0]
        column_of = np.full(max(pk for pk, _code in amenity_rows) + 1, -1, dtype=np.int64)
        column_of[[pk for pk, _code in amenity_rows]] = np.arange(len(amenity_rows))
        columns = column_of[links[:, 1].clip(max=len(column_of) - 1)]
        keep = in_service & (columns >= 0)
        matrix[rows_at[keep], columns[keep]] = True
    return matrix


def _links(station_ids: Sequence[int] | None) -> np.ndarray:
    links = Station.amenities.through.objects.all()
    if station_ids is not None:
        links = links.filter(station_id__in=station_ids)
    return np.array(list(links.values_list("station_id", "amenity_id")), dtype=np.int64).reshape(
        -1, 2
    )


def _tree(lons: np.ndarray, lats: np.ndarray) -> cKDTree | None:
    return cKDTree(unit_vectors(lons, lats)) if len(lons) else None


def build_index() -> StationIndex:
    since = _lookback_since()
    rows = list(
        Station.objects.filter(status=StationStatus.OPEN)
        .order_by("id")
        .values_list("id", "lon", "lat", "kind", "timezone")
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    lons = np.array([r[1] for r in rows], dtype=float)
    lats = np.array([r[2] for r in rows], dtype=float)
    amenity_rows = list(Amenity.objects.order_by("code").values_list("id", "code"))
    timezones = {r[0]: r[4] for r in rows}
    schedules_by_id = load_schedules(None, timezones, since)
    return StationIndex(
        ids=ids,
        lons=lons,
        lats=lats,
        kinds=np.array([r[3] for r in rows], dtype=object),
        amenity_codes=tuple(code for _pk, code in amenity_rows),
        amenities=_amenity_matrix(ids, _links(None), amenity_rows),
        schedules=[schedules_by_id[r[0]] for r in rows],
        tree=_tree(lons, lats),
        since=since,
    )


def patch_index(index: StationIndex, station_ids: frozenset) -> StationIndex:
    """A new index: ``index`` with the rows of ``station_ids`` read again from the tables.

    Each of those stations is dropped, and added back if it is in service, with its position,
    kind, amenities and hours (exceptions from the index's ``since``), so the result holds what
    ``build_index`` would read. The tree is rebuilt (tens of milliseconds at 100,000 stations)
    unless no position changed. Builds from scratch instead when the lookback date moved (a
    fresh index drops the exceptions now too old), when an amenity is not in the index's list,
    or when so many stations changed that a build is as cheap.
    """
    since = _lookback_since()
    if since != index.since or len(station_ids) > PATCH_MAX_STATIONS:
        return build_index()
    wanted = sorted(int(pk) for pk in station_ids)
    rows = list(
        Station.objects.filter(pk__in=wanted, status=StationStatus.OPEN)
        .order_by("id")
        .values_list("id", "lon", "lat", "kind", "timezone")
    )
    new_ids = np.array([r[0] for r in rows], dtype=np.int64)
    amenity_rows = list(
        Amenity.objects.filter(code__in=index.amenity_codes).values_list("id", "code")
    )
    links = _links([r[0] for r in rows])
    if len(links) and not np.isin(links[:, 1], [pk for pk, _code in amenity_rows]).all():
        return build_index()
    column = {code: i for i, code in enumerate(index.amenity_codes)}
    ordered = sorted(amenity_rows, key=lambda row: column[row[1]])
    if [code for _pk, code in ordered] != list(index.amenity_codes):
        return build_index()
    schedules_by_id = load_schedules([r[0] for r in rows], {r[0]: r[4] for r in rows}, since)

    # Drop the old rows of these stations, then insert the new ones where their ids sort.
    gone = np.flatnonzero(np.isin(index.ids, wanted))
    kept_ids = np.delete(index.ids, gone)
    at = np.searchsorted(kept_ids, new_ids)
    ids = np.insert(kept_ids, at, new_ids)
    lons = np.insert(np.delete(index.lons, gone), at, [r[1] for r in rows])
    lats = np.insert(np.delete(index.lats, gone), at, [r[2] for r in rows])
    kinds = np.insert(np.delete(index.kinds, gone), at, np.array([r[3] for r in rows], object))
    matrix = np.insert(
        np.delete(index.amenities, gone, axis=0),
        at,
        _amenity_matrix(new_ids, links, ordered),
        axis=0,
    )
    schedules = list(index.schedules)
    for i in reversed(gone.tolist()):
        del schedules[i]
    for shift, (i, row) in enumerate(zip(at.tolist(), rows, strict=True)):
        schedules.insert(i + shift, schedules_by_id[row[0]])
    same_points = (
        np.array_equal(ids, index.ids)
        and np.array_equal(lons, index.lons)
        and np.array_equal(lats, index.lats)
    )
    return StationIndex(
        ids=ids,
        lons=lons,
        lats=lats,
        kinds=kinds,
        amenity_codes=index.amenity_codes,
        amenities=matrix,
        schedules=schedules,
        tree=index.tree if same_points else _tree(lons, lats),
        since=since,
    )


station_index: StampedCache[StationIndex] = StampedCache(STATIONS_TOPIC, build_index, patch_index)


def stations_nearest(**query: Any) -> list[NearestHit]:
    """Stations in service nearest to a WGS-84 point, closest first (ties by id).

    Keyword arguments are those of ``query_clean``: lon, lat, at, amenities (codes, all
    required), open_now, max_distance_m, count, kind.
    """
    index = station_index.get()
    return index.nearest(query_clean(known_amenities=index.amenity_codes, **query))


def schedule_of(station: Station) -> Schedule:
    """The schedule of one station, read from its own rows (no index)."""
    days: dict[int, list[Span]] = {}
    for row in station.weekly_spans.all():
        days.setdefault(row.weekday, []).append(Span(row.start, row.end))
    exceptions = {
        row.date: DayException(
            row.is_closed,
            () if row.is_closed else tuple(span_from_pair(p) for p in row.spans),
            row.note,
        )
        for row in station.hours_exceptions.all()
    }
    return Schedule.build(days, exceptions, station.timezone)


def stations_nearest_scan(**query: Any) -> list[NearestHit]:
    """The reference answer: read every station in service from the table and check each.

    Slow on purpose (it is what the index replaces); tests and benchmarks compare against it.
    """
    known = tuple(Amenity.objects.values_list("code", flat=True))
    q = query_clean(known_amenities=known, **query)
    stations = Station.objects.filter(status=StationStatus.OPEN).prefetch_related(
        "weekly_spans", "hours_exceptions", "amenities"
    )
    if q.kind:
        stations = stations.filter(kind=q.kind)
    scored = []
    for station in stations:
        codes = {a.code for a in station.amenities.all()}
        if not set(q.amenities) <= codes:
            continue
        distance = haversine_m(q.lon, q.lat, station.lon, station.lat)
        if q.max_distance_m is not None and distance > q.max_distance_m:
            continue
        schedule = schedule_of(station)
        if q.open_now and not schedule.is_open_at(q.at):
            continue
        scored.append((distance, station.pk, schedule))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [_hit(pk, distance, schedule, q.at) for distance, pk, schedule in scored[: q.count]]
