"""The dashboard's snapshot on the demo city: every region reads from it exactly what it would
count live (figures, drill-down rows and charts, in Chinese and English), a view costs a few
queries, a change reaches the next snapshot, and a stale snapshot is not read."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from nuanxin.core.scheduler import all_jobs
from nuanxin.dashboard import figures as figures_module
from nuanxin.dashboard.figures import region_charts, region_figures
from nuanxin.dashboard.models import Snapshot
from nuanxin.dashboard.snapshots import snapshots_take
from nuanxin.geo.models import Region
from nuanxin.geo.services import region_save
from nuanxin.stations.models import Station, StationStatus
from nuanxin.stations.services import station_set_status

pytestmark = pytest.mark.django_db


def _read(region):
    found = region_figures(region)
    data = found.as_dict()
    return data.pop("as_of"), data, region_charts(region, figures=found)


def _live(region):
    found = figures_module._live(region)
    data = found.as_dict()
    data.pop("as_of")
    return data, region_charts(region, figures=found)


def _sample():
    """The city, every county, the streets of 坡头区 and the first community of each."""
    city = Region.objects.get(code="440800")
    counties = list(city.children.order_by("code"))
    potou = next(c for c in counties if c.name == "坡头区")
    streets = list(potou.children.order_by("code"))
    communities = [s.children.order_by("code").first() for s in streets]
    return [city, *counties, *streets, *[c for c in communities if c]]


def test_every_region_reads_from_the_snapshot_what_it_would_count_live(demo_city):
    taken = snapshots_take()

    assert taken == Region.objects.count() == Snapshot.objects.count()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for region in _sample():
                as_of, kept, kept_charts = _read(region)
                live, live_charts = _live(region)
                assert as_of == Snapshot.objects.get(region=region).taken_at, region.name
                assert kept == live, region.name
                assert kept_charts == live_charts, region.name


def test_the_snapshot_holds_data_for_every_chart(demo_city):
    snapshots_take()
    city = Region.objects.get(code="440800")

    for chart in region_charts(city):
        assert any(any(y for y in trace["y"]) for trace in chart["traces"]), chart["key"]


def test_a_view_from_the_snapshot_costs_a_few_queries(demo_city, django_assert_max_num_queries):
    snapshots_take()
    for region in _sample()[:3]:
        # the snapshot, the regions of two levels, the trail, the first mobile branch; the
        # industry chart (figures per park or chain, no region) is read live
        with django_assert_max_num_queries(6):
            found = region_figures(region)
            region_charts(region, figures=found)


def test_a_change_shows_at_the_next_snapshot(demo_city):
    leizhou = Region.objects.get(code="440882")
    snapshots_take()
    before = region_figures(leizhou).totals

    for station in Station.objects.filter(
        region__path__startswith=leizhou.path, status=StationStatus.OPEN
    ):
        station_set_status(station=station, actor=None, status="suspended", note="检修")

    assert region_figures(leizhou).totals == before  # the snapshot until the next run
    snapshots_take()
    after = region_figures(leizhou).totals
    assert after["stations_open"] == 0 < before["stations_open"]
    assert after == figures_module._live(leizhou).totals


def test_a_stale_snapshot_or_one_of_another_window_is_not_read(demo_city, settings):
    settings.DASHBOARD_REFRESH_MINUTES = 5
    city = Region.objects.get(code="440800")
    old = timezone.now() - dt.timedelta(minutes=16)
    snapshots_take(now=old)

    assert region_figures(city).as_of > old  # counted live

    snapshots_take()
    assert region_figures(city).as_of == Snapshot.objects.get(region=city).taken_at
    Snapshot.objects.update(since=timezone.now() - dt.timedelta(days=400))
    assert region_figures(city).as_of > Snapshot.objects.get(region=city).taken_at


def test_a_new_region_is_counted_live_until_the_next_snapshot(demo_city):
    snapshots_take()
    county = Region.objects.get(code="440882")
    region_save(code="440882999", name="新设街道", level="street", parent=county)

    found = region_figures(county)

    assert "新设街道" in [row.name for row in found.rows]
    assert found.traces is None  # counted live


def test_the_snapshot_is_a_periodic_job():
    assert "dashboard.snapshot" in [job.name for job in all_jobs()]
