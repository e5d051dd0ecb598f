import datetime as dt
import threading

import pytest
from django.core import signing
from django.db import connection

from nuanxin.accounts.models import Role
from nuanxin.core.errors import ApplicationError
from nuanxin.stations import services
from nuanxin.stations.models import Visit
from nuanxin.stations.selectors import visit_counts
from nuanxin.stations.services import visits as visit_services
from tests.factories import UserFactory, staff
from tests.stations.factories import NOON, make_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(tree, amenities):
    return make_station(lon=110.05, lat=21.05, name="海盛驿站")


def test_token_opens_its_own_station(station):
    token = services.checkin_token(station)

    assert services.station_from_token(token) == station
    assert token.startswith(f"{station.pk}-1:")


def test_a_token_cannot_be_made_for_another_station(station):
    other = make_station(lon=110.06, lat=21.05)
    signature = services.checkin_token(station).split(":", 1)[1]

    with pytest.raises(ApplicationError) as error:
        services.station_from_token(f"{other.pk}-1:{signature}")

    assert error.value.code == "stations.bad_qr"


def test_a_token_signed_with_another_salt_is_refused(station):
    token = signing.Signer(salt="something.else").sign(f"{station.pk}-1")

    with pytest.raises(ApplicationError) as error:
        services.station_from_token(token)

    assert error.value.code == "stations.bad_qr"


def test_a_replaced_poster_no_longer_works(station):
    old = services.checkin_token(station)
    services.station_rotate_qr(station=station, actor=None)
    station.refresh_from_db()

    with pytest.raises(ApplicationError) as error:
        services.station_from_token(old)

    assert error.value.code == "stations.qr_outdated"
    assert services.station_from_token(services.checkin_token(station)) == station


def test_one_counted_visit_per_station_and_day(station, worker):
    token = services.checkin_token(station)
    here = services.Presence(lon=station.lon, lat=station.lat)

    first = services.visit_checkin(token=token, worker=worker, presence=here, at=NOON)
    again = services.visit_checkin(
        token=token, worker=worker, presence=here, at=NOON + dt.timedelta(hours=2)
    )
    next_day = services.visit_checkin(
        token=token, worker=worker, presence=here, at=NOON + dt.timedelta(days=1)
    )

    assert (first.counted, again.counted, next_day.counted) == (True, False, True)
    visits = list(Visit.objects.order_by("day").values_list("day", "scans", "first_at", "last_at"))
    assert visits == [
        (NOON.date(), 2, NOON, NOON + dt.timedelta(hours=2)),
        (
            NOON.date() + dt.timedelta(days=1),
            1,
            NOON + dt.timedelta(days=1),
            NOON + dt.timedelta(days=1),
        ),
    ]


def test_visits_to_two_stations_on_one_day_both_count(station, worker):
    other = make_station(lon=110.06, lat=21.05)

    services.visit_record(station=station, worker=worker, at=NOON)
    services.visit_record(station=other, worker=worker, at=NOON)

    assert Visit.objects.filter(worker=worker, day=NOON.date()).count() == 2


@pytest.mark.parametrize("role", [Role.STATION_KEEPER, Role.COMMUNITY_STAFF])
def test_only_workers_check_in(station, role, tree):
    user = UserFactory(role=role, region=tree["A1a"])

    with pytest.raises(ApplicationError) as error:
        services.visit_record(station=station, worker=user, at=NOON)

    assert error.value.code == "stations.workers_only"
    assert not Visit.objects.exists()


def test_no_check_in_at_a_suspended_station(station, worker):
    services.station_set_status(station=station, actor=None, status="suspended", note="维修")
    station.refresh_from_db()

    with pytest.raises(ApplicationError) as error:
        services.visit_record(station=station, worker=worker, at=NOON)

    assert error.value.code == "stations.not_in_service"


def test_no_check_in_outside_opening_hours(station, worker):
    services.station_set_weekly_hours(station=station, actor=None, text="每天 08:00-20:00")

    with pytest.raises(ApplicationError) as error:
        services.visit_record(station=station, worker=worker, at=NOON + dt.timedelta(hours=10))

    assert error.value.code == "stations.closed_now"
    assert not Visit.objects.exists()


def test_points_are_asked_for_once_per_counted_visit(station, worker, monkeypatch):
    asked = []

    def award(visit):
        asked.append(visit.pk)
        return 5, ""

    monkeypatch.setattr(visit_services, "_award_checkin_points", award)

    first = services.visit_record(station=station, worker=worker, at=NOON)
    services.visit_record(station=station, worker=worker, at=NOON + dt.timedelta(minutes=5))

    assert asked == [first.visit.pk]
    assert Visit.objects.get().points_awarded == 5


def test_a_counted_visit_earns_the_policy_check_in_points_once_a_day(station, worker, tree):
    from nuanxin.points.selectors import balance_of
    from nuanxin.points.services import current_policy
    from tests.points.factories import funded_pool

    funded_pool(tree, "A1a")
    other = make_station(lon=110.06, lat=21.05)

    services.visit_record(station=station, worker=worker, at=NOON)
    services.visit_record(station=station, worker=worker, at=NOON + dt.timedelta(minutes=5))
    services.visit_record(station=other, worker=worker, at=NOON + dt.timedelta(hours=1))

    points = current_policy().checkin_points
    assert points > 0
    assert balance_of(worker).available == points
    awarded = dict(Visit.objects.values_list("station_id", "points_awarded"))
    assert awarded == {station.pk: points, other.pk: 0}


def test_a_visit_counts_even_when_the_community_pool_is_empty(station, worker):
    from nuanxin.points.selectors import balance_of

    result = services.visit_record(station=station, worker=worker, at=NOON)

    assert result.counted
    assert Visit.objects.get().points_awarded is None
    assert balance_of(worker).available == 0


def test_the_occupation_comes_from_the_registry(station, worker, tree):
    from nuanxin.registry.models import Occupation
    from tests.registry.factories import make_worker

    make_worker(tree["A1a"], phone=worker.phone, occupation=Occupation.COURIER)

    services.visit_record(station=station, worker=worker, at=NOON)

    assert Visit.objects.get().occupation == "courier"
    counts = visit_counts(
        user=staff(Role.COUNTY_ADMIN, tree["A"]),
        date_from=NOON.date(),
        date_to=NOON.date(),
        by="occupation",
    )
    assert [(c.label, c.visits) for c in counts] == [("快递员", 1)]


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_the_same_moment_make_one_visit(tree, amenities):
    station = make_station(lon=110.05, lat=21.05)
    worker = UserFactory(role=Role.WORKER)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def scan():
        try:
            barrier.wait()
            results.append(services.visit_record(station=station, worker=worker, at=NOON).counted)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [False, True]
    visit = Visit.objects.get()
    assert visit.scans == 2
