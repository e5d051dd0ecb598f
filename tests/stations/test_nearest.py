import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nuanxin.core.errors import ApplicationError
from nuanxin.core.stamps import stamp_bump
from nuanxin.core.timeutil import local_date
from nuanxin.geo.coords import haversine_m
from nuanxin.stations import services
from nuanxin.stations.index import (
    station_index,
    stations_nearest,
    stations_nearest_scan,
    travel_minutes,
)
from nuanxin.stations.models import (
    Amenity,
    HoursException,
    Station,
    WeeklySpan,
)
from tests.stations.factories import make_station

pytestmark = pytest.mark.django_db

HERE = (110.05, 21.05)


def ids(hits):
    return [hit.station_id for hit in hits]


def test_results_are_ordered_by_distance_with_travel_times(tree, amenities):
    far = make_station(lon=110.07, lat=21.05, name="远")
    near = make_station(lon=110.051, lat=21.05, name="近")

    hits = stations_nearest(lon=HERE[0], lat=HERE[1])

    assert ids(hits) == [near.pk, far.pk]
    distance = haversine_m(*HERE, 110.051, 21.05)
    assert hits[0].distance_m == distance
    assert hits[0].walk_minutes == travel_minutes(distance, 4.5)
    assert hits[1].ride_minutes < hits[1].walk_minutes


def test_travel_time_uses_the_detour_factor_and_rounds_up():
    # 1 km straight is 1.3 km of streets: 17.3 minutes on foot, 5.2 on an e-bike.
    assert travel_minutes(1000, 4.5) == 18
    assert travel_minutes(1000, 15) == 6
    assert travel_minutes(0, 15) == 1


def test_amenity_filter_needs_every_amenity_asked_for(tree, amenities):
    make_station(lon=110.051, lat=21.05, amenities=["drinking_water"])
    both = make_station(lon=110.06, lat=21.05, amenities=["drinking_water", "toilet"])
    make_station(lon=110.052, lat=21.05, amenities=["toilet"])

    hits = stations_nearest(lon=HERE[0], lat=HERE[1], amenities=["drinking_water", "toilet"])

    assert ids(hits) == [both.pk]


def test_open_now_skips_closed_and_suspended_stations(tree, amenities):
    never = make_station(lon=110.051, lat=21.05, hours=None)
    suspended = make_station(lon=110.052, lat=21.05)
    services.station_set_status(station=suspended, actor=None, status="suspended", note="维修")
    open_ = make_station(lon=110.06, lat=21.05)

    open_hits = stations_nearest(lon=HERE[0], lat=HERE[1], open_now=True)
    all_hits = stations_nearest(lon=HERE[0], lat=HERE[1])

    assert ids(open_hits) == [open_.pk]
    assert ids(all_hits) == [never.pk, open_.pk]  # suspended stations are out of service
    assert all_hits[0].status.is_open is False


def test_open_now_honours_a_closure_exception_today(tree, amenities):
    closed_today = make_station(lon=110.051, lat=21.05)
    other = make_station(lon=110.06, lat=21.05)
    services.station_set_exception(
        station=closed_today, actor=None, date=local_date(), closed=True, note="临时闭站"
    )
    services.station_set_exception(
        station=closed_today,
        actor=None,
        date=local_date() - dt.timedelta(days=1),
        closed=True,
    )

    hits = stations_nearest(lon=HERE[0], lat=HERE[1], open_now=True)

    assert ids(hits) == [other.pk]


def test_maximum_distance_and_count(tree, amenities):
    stations = [make_station(lon=110.05 + 0.002 * i, lat=21.05) for i in range(1, 6)]

    within_500 = stations_nearest(lon=HERE[0], lat=HERE[1], max_distance_m=500)
    two = stations_nearest(lon=HERE[0], lat=HERE[1], count=2)

    assert ids(within_500) == [s.pk for s in stations[:2]]  # about 207 m and 415 m
    assert ids(two) == [s.pk for s in stations[:2]]


def test_equal_distances_are_ordered_by_id(tree, amenities):
    first = make_station(lon=110.06, lat=21.05)
    second = make_station(lon=110.06, lat=21.05)

    assert ids(stations_nearest(lon=HERE[0], lat=HERE[1], count=1)) == [first.pk]
    assert ids(stations_nearest(lon=HERE[0], lat=HERE[1])) == [first.pk, second.pk]


def test_kind_filter(tree, amenities):
    make_station(lon=110.051, lat=21.05, kind="station")
    centre = make_station(lon=110.06, lat=21.05, kind="centre")

    assert ids(stations_nearest(lon=HERE[0], lat=HERE[1], kind="centre")) == [centre.pk]


def test_the_only_match_far_beyond_the_first_candidates_is_found(tree, amenities):
    make_station(lon=110.05, lat=21.06, amenities=["toilet"])
    for i in range(60):
        make_station(lon=110.05 + 0.0005 * i, lat=21.05, amenities=["toilet"], hours=None)
    far = make_station(lon=110.19, lat=21.19, amenities=["first_aid"])

    hits = stations_nearest(lon=HERE[0], lat=HERE[1], amenities=["first_aid"], open_now=True)

    assert ids(hits) == [far.pk]


def test_index_follows_changes_to_stations_and_hours(tree, amenities):
    station = make_station(lon=110.051, lat=21.05)
    assert ids(stations_nearest(lon=HERE[0], lat=HERE[1], open_now=True)) == [station.pk]

    services.station_set_weekly_hours(station=station, actor=None, weekly={})
    assert stations_nearest(lon=HERE[0], lat=HERE[1], open_now=True) == []

    services.station_update(station=station, actor=None, lon=110.3, lat=21.3)
    newer = make_station(lon=110.06, lat=21.05)
    assert ids(stations_nearest(lon=HERE[0], lat=HERE[1])) == [newer.pk, station.pk]


def test_index_is_reused_while_nothing_changes(tree, amenities):
    make_station(lon=110.051, lat=21.05)
    first = station_index.get()

    stations_nearest(lon=HERE[0], lat=HERE[1])

    assert station_index.get() is first


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"count": 0}, "stations.bad_count"),
        ({"count": 101}, "stations.bad_count"),
        ({"amenities": ["jacuzzi"]}, "stations.unknown_amenity"),
        ({"max_distance_m": -5}, "stations.bad_distance"),
        ({"at": timezone.now() - dt.timedelta(days=3)}, "stations.bad_time"),
    ],
)
def test_bad_queries_have_codes(tree, amenities, query, code):
    with pytest.raises(ApplicationError) as error:
        stations_nearest(lon=HERE[0], lat=HERE[1], **query)

    assert error.value.code == code


# --- the index against the brute-force scan ----------------------------------------------------

CODES = ["drinking_water", "toilet", "phone_charging", "first_aid"]
PATTERNS = {
    "24h": [(d, "00:00", "00:00") for d in range(7)],
    "office": [(d, "08:00", "20:00") for d in range(5)],
    "night": [(d, "22:00", "06:00") for d in range(7)],
    "split": [(d, s, e) for d in range(7) for s, e in (("06:00", "11:30"), ("13:00", "23:00"))],
    "weekend": [(5, "09:00", "18:00"), (6, "09:00", "18:00")],
    "never": [],
}
# A coarse grid makes exact ties likely; the fine offsets make near ties.
coord = st.one_of(
    st.integers(0, 6).map(lambda i: 0.004 * i),
    st.floats(0, 0.03, allow_nan=False).map(lambda v: round(v, 6)),
)
station_specs = st.fixed_dictionaries(
    {
        "dlon": coord,
        "dlat": coord,
        "amenities": st.sets(st.sampled_from(CODES)),
        "pattern": st.sampled_from(sorted(PATTERNS)),
        "status": st.sampled_from(["open", "open", "open", "suspended", "closed"]),
        "kind": st.sampled_from(["centre", "station"]),
        "exceptions": st.lists(
            st.tuples(st.integers(-1, 4), st.booleans(), st.sampled_from(["10:00", "21:00"])),
            max_size=2,
        ),
    }
)
queries = st.fixed_dictionaries(
    {
        "dlon": coord,
        "dlat": coord,
        "amenities": st.lists(st.sampled_from(CODES), max_size=2, unique=True),
        "open_now": st.booleans(),
        "minutes_ahead": st.integers(0, 6 * 24 * 60),
        "max_distance_m": st.one_of(st.none(), st.integers(50, 4000)),
        "count": st.integers(1, 8),
        "kind": st.sampled_from([None, None, "centre", "station"]),
    }
)


def _load(specs, region, today):
    Station.objects.all().delete()
    amenity_ids = dict(Amenity.objects.values_list("code", "pk"))
    stations = Station.objects.bulk_create(
        Station(
            code=f"T{i}",
            kind=spec["kind"],
            name=f"站{i}",
            host_type="bank",
            address="测试",
            lon=110.05 + spec["dlon"],
            lat=21.05 + spec["dlat"],
            region=region,
            status=spec["status"],
        )
        for i, spec in enumerate(specs)
    )
    links, spans, exceptions = [], [], []
    for station, spec in zip(stations, specs, strict=True):
        links += [
            Station.amenities.through(station_id=station.pk, amenity_id=amenity_ids[c])
            for c in spec["amenities"]
        ]
        spans += [
            WeeklySpan(station=station, weekday=d, start=s, end=e)
            for d, s, e in PATTERNS[spec["pattern"]]
        ]
        for offset, closed, start in {e[0]: e for e in spec["exceptions"]}.values():
            exceptions.append(
                HoursException(
                    station=station,
                    date=today + dt.timedelta(days=offset),
                    is_closed=closed,
                    spans=[] if closed else [[start, "02:00"]],
                )
            )
    Station.amenities.through.objects.bulk_create(links)
    WeeklySpan.objects.bulk_create(spans)
    HoursException.objects.bulk_create(exceptions)
    stamp_bump(services.STATIONS_TOPIC)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(station_specs, max_size=40), query_list=st.lists(queries, min_size=1, max_size=4)
)
def test_index_answers_exactly_like_the_brute_force_scan(tree, amenities, specs, query_list):
    _load(specs, tree["A1a"], local_date())
    now = timezone.now()
    for q in query_list:
        query = {
            "lon": 110.05 + q["dlon"],
            "lat": 21.05 + q["dlat"],
            "amenities": q["amenities"],
            "open_now": q["open_now"],
            "at": now + dt.timedelta(minutes=q["minutes_ahead"]),
            "max_distance_m": q["max_distance_m"],
            "count": q["count"],
            "kind": q["kind"],
        }

        assert stations_nearest(**query) == stations_nearest_scan(**query)
