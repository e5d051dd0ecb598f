"""The nearest-station index patched after each edit holds what a fresh build reads, and
answers like the fresh build and the table scan; where the change log cannot say what changed,
the index is built from scratch."""

import datetime as dt
import random

import numpy as np
import pytest
from django.db import transaction
from django.utils import timezone

from nuanxin.core import stamps
from nuanxin.core.timeutil import local_date
from nuanxin.stations import index as index_module
from nuanxin.stations import services
from nuanxin.stations.index import (
    build_index,
    query_clean,
    station_index,
    stations_nearest,
    stations_nearest_scan,
)
from tests.stations.factories import make_station

pytestmark = pytest.mark.django_db

CODES = ["drinking_water", "toilet", "phone_charging", "first_aid"]
HOURS = ["每天 24小时", "每天 08:00-20:00", "每天 22:00-06:00", "周一至周五 09:00-18:00"]


@pytest.fixture
def builds(monkeypatch):
    """Counts full builds: those the cache starts and those a patch falls back to."""
    counted = {"n": 0}

    def counting():
        counted["n"] += 1
        return build_index()

    monkeypatch.setattr(station_index, "_build", counting)
    monkeypatch.setattr(index_module, "build_index", counting)
    return counted


def _point(rng: random.Random) -> tuple[float, float]:
    # A coarse grid part makes exact distance ties likely.
    return (
        round(110.05 + rng.choice([0, 0.004, 0.008]) + rng.uniform(0, 0.02), 6),
        round(21.05 + rng.choice([0, 0.004, 0.008]) + rng.uniform(0, 0.02), 6),
    )


def assert_same_index(patched, fresh) -> None:
    assert patched.ids.tolist() == fresh.ids.tolist()
    assert patched.lons.tolist() == fresh.lons.tolist()
    assert patched.lats.tolist() == fresh.lats.tolist()
    assert patched.kinds.tolist() == fresh.kinds.tolist()
    assert patched.amenity_codes == fresh.amenity_codes
    assert np.array_equal(patched.amenities, fresh.amenities)
    assert patched.schedules == fresh.schedules
    assert patched.since == fresh.since
    if fresh.tree is None:
        assert patched.tree is None
    else:
        assert np.array_equal(patched.tree.data, fresh.tree.data)


def assert_answers_agree(rng: random.Random, fresh) -> None:
    now = timezone.now()
    for _ in range(6):
        lon, lat = _point(rng)
        query = {
            "lon": lon,
            "lat": lat,
            "at": now + dt.timedelta(minutes=rng.randint(0, 4 * 24 * 60)),
            "amenities": rng.sample(CODES, rng.randint(0, 2)),
            "open_now": rng.random() < 0.6,
            "max_distance_m": rng.choice([None, 800, 3000]),
            "count": rng.randint(1, 8),
            "kind": rng.choice([None, None, "centre", "station"]),
        }
        by_index = stations_nearest(**query)
        assert by_index == stations_nearest_scan(**query), query
        cleaned = query_clean(known_amenities=fresh.amenity_codes, **query)
        assert by_index == fresh.nearest(cleaned), query


def _edit(rng: random.Random, stations: list) -> None:
    """One random edit through the services."""
    today = local_date()
    action = rng.choice(
        ["create", "move", "close", "reopen", "suspend", "hours", "exception", "unexception",
         "amenities", "kind"]
    )  # fmt: skip
    if action == "create" or not stations:
        lon, lat = _point(rng)
        stations.append(
            make_station(
                lon=lon,
                lat=lat,
                kind=rng.choice(["centre", "station"]),
                amenities=rng.sample(CODES, rng.randint(0, 3)),
                hours=rng.choice(HOURS),
            )
        )
        return
    station = rng.choice(stations)
    if action == "move":
        lon, lat = _point(rng)
        services.station_update(station=station, actor=None, lon=lon, lat=lat)
    elif action in ("close", "suspend"):
        status = "closed" if action == "close" else "suspended"
        services.station_set_status(station=station, actor=None, status=status, note="临时调整")
    elif action == "reopen":
        services.station_set_status(station=station, actor=None, status="open")
    elif action == "hours":
        services.station_set_weekly_hours(station=station, actor=None, text=rng.choice(HOURS))
    elif action == "exception":
        closed = rng.random() < 0.5
        services.station_set_exception(
            station=station,
            actor=None,
            date=today + dt.timedelta(days=rng.randint(-1, 3)),
            closed=closed,
            spans=[] if closed else [("21:00", "02:00")],
        )
    elif action == "unexception":
        services.station_remove_exception(
            station=station, actor=None, date=today + dt.timedelta(days=rng.randint(-1, 3))
        )
    elif action == "amenities":
        services.station_update(
            station=station, actor=None, amenities=rng.sample(CODES, rng.randint(0, 4))
        )
    else:
        services.station_update(station=station, actor=None, kind=rng.choice(["centre", "station"]))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_patched_index_equals_a_fresh_build_after_random_edits(tree, amenities, builds, seed):
    rng = random.Random(seed)
    stations = [
        make_station(lon=lon, lat=lat, amenities=rng.sample(CODES, 2), hours=rng.choice(HOURS))
        for lon, lat in (_point(rng) for _ in range(12))
    ]
    station_index.get()
    assert builds["n"] == 1
    for step in range(40):
        for _ in range(rng.choice([1, 1, 2])):
            _edit(rng, stations)
        patched = station_index.get()
        fresh = build_index()
        assert_same_index(patched, fresh)
        if step % 4 == 0:
            assert_answers_agree(rng, fresh)
    # Every edit was patched in: the one build is the first.
    assert builds["n"] == 1


def test_an_edit_of_hours_only_keeps_the_tree(tree, amenities, builds):
    station = make_station(lon=110.051, lat=21.05)
    make_station(lon=110.06, lat=21.05)
    before = station_index.get()

    services.station_set_weekly_hours(station=station, actor=None, weekly={})
    after = station_index.get()

    assert after is not before
    assert after.tree is before.tree
    assert after.schedule_of(station.pk) != before.schedule_of(station.pk)
    assert builds["n"] == 1


def test_an_amenity_catalogue_change_builds_from_scratch(tree, amenities, builds):
    make_station(lon=110.051, lat=21.05)
    station_index.get()

    services.amenity_save(code="shade", name="遮阳棚")

    assert "shade" in station_index.get().amenity_codes
    assert builds["n"] == 2


def test_a_gap_in_the_change_log_builds_from_scratch(tree, amenities, builds, monkeypatch):
    monkeypatch.setattr(stamps, "STAMP_LOG_KEEP", 4)
    monkeypatch.setattr(stamps, "STAMP_PRUNE_EVERY", 1)
    station = make_station(lon=110.051, lat=21.05)
    station_index.get()

    for step in range(6):  # more versions than the log keeps
        services.station_update(station=station, actor=None, name=f"改名{step}")
    services.station_update(station=station, actor=None, lon=110.2, lat=21.2)

    assert station_index.get().lons.tolist() == [110.2]
    assert builds["n"] == 2
    assert_same_index(station_index.get(), build_index())


def test_a_new_lookback_date_builds_from_scratch(tree, amenities, builds, monkeypatch):
    station = make_station(lon=110.051, lat=21.05)
    station_index.get()
    tomorrow = local_date() + dt.timedelta(days=1)
    monkeypatch.setattr(index_module, "local_date", lambda: tomorrow)

    services.station_set_weekly_hours(station=station, actor=None, weekly={})

    assert station_index.get().since == tomorrow - dt.timedelta(days=2)
    assert builds["n"] == 2


def test_a_rolled_back_edit_leaves_no_trace_in_the_index(tree, amenities, builds):
    moved = make_station(lon=110.051, lat=21.05)
    other = make_station(lon=110.06, lat=21.05)
    station_index.get()

    with pytest.raises(RuntimeError), transaction.atomic():
        services.station_update(station=moved, actor=None, lon=110.3, lat=21.3)
        # Read inside the transaction: this thread's index now holds the uncommitted move.
        assert station_index.get().lons.tolist() == [110.3, 110.06]
        raise RuntimeError("rolled back")
    # The next edit takes the stamp's number the rolled-back one had.
    services.station_update(station=other, actor=None, name="另一个名字")

    index = station_index.get()
    assert index.lons.tolist() == [110.051, 110.06]
    assert_same_index(index, build_index())
    query = {"lon": 110.05, "lat": 21.05}
    assert stations_nearest(**query) == stations_nearest_scan(**query)
