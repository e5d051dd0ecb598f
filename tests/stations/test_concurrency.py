"""Check-ins racing (threads, real commits), on SQLite and PostgreSQL: one counted visit per
worker, station and day, and the day's check-in points paid once wherever the worker is."""

import pytest

from nuanxin.points.models import Entry
from nuanxin.stations import services
from nuanxin.stations.models import Visit
from tests.helpers import race
from tests.points.factories import city_admin, funded_pool
from tests.stations.factories import NOON, make_station
from tests.volunteering.factories import worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_eight_scans_of_one_station_at_once_count_one_visit(tree):
    station = make_station(lon=110.05, lat=21.05, amenities=())
    person = worker(tree)

    results = race([lambda: services.visit_record(station=station, worker=person, at=NOON)] * 8)

    assert sum(r.counted for r in results) == 1
    visit = Visit.objects.get(station=station, worker=person)
    assert visit.scans == 8


def test_eight_stations_at_once_pay_the_days_check_in_points_once(tree):
    from nuanxin.points import services as points

    points.policy_update(actor=city_admin(tree), checkin_points=2)
    funded_pool(tree, "A1a", 100)
    stations = [
        make_station(lon=110.01 + i * 0.01, lat=21.05, name=f"驿站{i}", amenities=())
        for i in range(8)
    ]
    person = worker(tree)

    results = race(
        [lambda s=s: services.visit_record(station=s, worker=person, at=NOON) for s in stations]
    )

    assert all(r.counted for r in results)
    paid = sorted(r.visit.points_awarded or 0 for r in results)
    assert paid == [0] * 7 + [2]
    assert Entry.objects.filter(credit=points.worker_account(person)).count() == 1
