"""Visits are personal tracks: kept for the retention period, then only counts remain."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from nuanxin.accounts.models import Role
from nuanxin.core.audit import AuditLog
from nuanxin.core.timeutil import local_date
from nuanxin.stations import services
from nuanxin.stations.models import Visit, VisitAggregate
from nuanxin.stations.selectors import visit_counts
from nuanxin.stations.services import visits as visit_services
from tests.factories import UserFactory, staff
from tests.stations.factories import make_station

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> dt.datetime:
    noon = timezone.make_aware(dt.datetime.combine(local_date(), dt.time(12)))
    return noon - dt.timedelta(days=n)


@pytest.fixture
def history(tree, amenities, monkeypatch):
    """Two stations; riders and couriers visiting 1, 100, 200 and 400 days ago."""
    a = make_station(lon=110.05, lat=21.05, name="甲站")
    b = make_station(lon=110.15, lat=21.05, name="乙站")
    jobs = {}
    monkeypatch.setattr(visit_services, "_occupation_of", lambda user: jobs[user.pk])
    for i, job in enumerate(["外卖骑手", "外卖骑手", "快递员"]):
        worker = UserFactory(role=Role.WORKER)
        jobs[worker.pk] = job
        for n in (1, 100, 200, 400):
            services.visit_record(station=a, worker=worker, at=days_ago(n))
            services.visit_record(station=a, worker=worker, at=days_ago(n) + dt.timedelta(hours=1))
            if i == 0:
                services.visit_record(station=b, worker=worker, at=days_ago(n))
    return a, b


def counts(user, by):
    return {
        c.label: c.visits
        for c in visit_counts(
            user=user, date_from=local_date() - dt.timedelta(days=500), date_to=local_date(), by=by
        )
    }


def test_purge_keeps_recent_visits_and_folds_old_ones_into_counts(history, settings):
    settings.STATION_VISIT_RETENTION_DAYS = 180
    a, _b = history

    report = services.visits_purge()

    assert report.visits_deleted == 2 * 4  # 200 and 400 days ago: 3 at a, 1 at b, each day
    assert Visit.objects.count() == 2 * 4
    assert not Visit.objects.filter(day__lt=local_date() - dt.timedelta(days=180)).exists()
    aggregate = VisitAggregate.objects.get(
        station=a, day=local_date() - dt.timedelta(days=200), occupation="外卖骑手"
    )
    assert (aggregate.visits, aggregate.scans) == (2, 4)
    assert AuditLog.objects.filter(action="visits.purge").count() == 1


def test_counts_are_the_same_before_and_after_purging(history, tree):
    city = staff(Role.CITY_ADMIN, tree.city)
    before = {by: counts(city, by) for by in ("station", "day", "occupation")}

    services.visits_purge(before=local_date() - dt.timedelta(days=50))

    after = {by: counts(city, by) for by in ("station", "day", "occupation")}
    assert after == before
    assert before["occupation"] == {"外卖骑手": 12, "快递员": 4}
    assert before["station"] == {"甲站 · A区 A1街道": 12, "乙站 · A区 A1街道": 4}


def test_purging_twice_changes_nothing(history):
    services.visits_purge()
    aggregates = list(VisitAggregate.objects.values_list("station", "day", "occupation", "visits"))

    again = services.visits_purge()

    assert again.visits_deleted == 0
    assert list(VisitAggregate.objects.values_list("station", "day", "occupation", "visits")) == (
        aggregates
    )


def test_dry_run_deletes_nothing(history):
    report = services.visits_purge(dry_run=True)

    assert report.visits_deleted == 8
    assert Visit.objects.count() == 16
    assert not VisitAggregate.objects.exists()


def test_retention_comes_from_settings(history, settings):
    settings.STATION_VISIT_RETENTION_DAYS = 30

    services.visits_purge()

    assert Visit.objects.count() == 4  # only yesterday's


def test_purge_command_reports_what_it_did(history):
    out = io.StringIO()

    call_command("stations", "purge-visits", stdout=out)

    assert "已删除 8 条" in out.getvalue()


def test_counts_are_scoped_to_the_stations_a_user_manages(history, tree, keeper):
    _a, b = history
    services.station_update(station=b, actor=None, keepers=[keeper])

    community_b = counts(staff(Role.COMMUNITY_STAFF, tree["A1b"]), "station")  # b is in A1b
    next_county = counts(staff(Role.COUNTY_ADMIN, tree["B"]), "station")
    keeps_b = counts(keeper, "station")

    assert community_b == {"乙站 · A区 A1街道": 4}
    assert next_county == {}
    assert keeps_b == {"乙站 · A区 A1街道": 4}
