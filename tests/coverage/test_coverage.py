"""Coverage of demand by open stations: sources, filters, tables, jurisdiction, hot spots."""

import datetime as dt
import io

import numpy as np
import pytest
from django.utils import timezone
from openpyxl import Workbook

from nuanxin.accounts.models import Role
from nuanxin.core.errors import ApplicationError
from nuanxin.core.models import AuditLog
from nuanxin.coverage.analysis import CoverageQuery, coverage_compute
from nuanxin.coverage.demand import cell_degrees
from nuanxin.coverage.models import HotSpot
from nuanxin.coverage.network import network_loaded
from nuanxin.coverage.planning import sites_maximise, sites_minimum
from nuanxin.coverage.routing import nearest_times
from nuanxin.coverage.services import hotspots_import
from nuanxin.geo.coords import wgs84_to_gcj02
from tests.factories import staff
from tests.reports import factories as reports
from tests.stations.factories import make_station

# A Sunday at 10:00 in the city's time zone
SUNDAY = timezone.make_aware(dt.datetime(2030, 5, 19, 10, 0))

SPOTS = [
    ("南街口", 110.020, 21.020, 30),
    ("市场", 110.060, 21.050, 20),
    ("学校", 110.090, 21.100, 10),
    ("北站", 110.030, 21.210, 15),  # in street A2
    ("远郊", 110.095, 21.125, 5),
]


def _sheet(rows, header=("名称", "经度", "纬度", "权重")):
    out = io.StringIO()
    out.write(",".join(header) + "\n")
    for row in rows:
        out.write(",".join(str(v) for v in row) + "\n")
    return out.getvalue().encode("utf-8")


@pytest.fixture
def spots(db):
    hotspots_import(data=_sheet(SPOTS), filename="spots.csv")


def _query(**kwargs):
    kwargs.setdefault("sources", {"hotspots": 1.0})
    return CoverageQuery.clean(**kwargs)


def test_coverage__weighted_share_within_the_threshold(tree, roads, spots, amenities):
    make_station(lon=110.021, lat=21.021, amenities=())
    make_station(lon=110.061, lat=21.049, amenities=())
    result = coverage_compute(_query(threshold_minutes=10))
    assert result.method == "network"
    times = nearest_times(network_loaded(), "ride", [s[1] for s in SPOTS], [s[2] for s in SPOTS],
                          [110.021, 110.061], [21.021, 21.049])  # fmt: skip
    covered = times.seconds <= 600
    weights = np.array([s[3] for s in SPOTS], dtype=float)
    assert result.total_weight == 80
    assert result.covered_weight == pytest.approx(weights[covered].sum())
    assert covered[0] and covered[1] and not covered[3]
    assert result.percent == round(100 * weights[covered].sum() / 80, 1)
    uncovered = [spot["label"] for spot in result.uncovered()]
    assert uncovered[0] == "北站"  # heaviest uncovered first
    assert "南街口" not in uncovered


def test_coverage__tables_per_county_and_street(tree, roads, spots, amenities):
    make_station(lon=110.021, lat=21.021, amenities=())
    result = coverage_compute(_query())
    streets = {row.name: row for row in result.table("street")}
    assert set(streets) == {"A1街道", "A2街道"}
    assert streets["A2街道"].demand == 15 and streets["A1街道"].demand == 65
    assert streets["A1街道"].covered >= 30
    (county,) = result.table("county")
    assert county.name == "A区" and county.demand == 80
    assert county.covered == pytest.approx(sum(r.covered for r in streets.values()))


def test_coverage__only_stations_open_at_the_time_with_the_amenity_count(
    tree, roads, spots, amenities
):
    make_station(lon=110.021, lat=21.021, amenities=(), hours="周一至周五 08:00-20:00")
    make_station(lon=110.061, lat=21.049, amenities=("toilet",))
    anytime = coverage_compute(_query())
    sunday = coverage_compute(_query(at=SUNDAY))
    toilet = coverage_compute(_query(amenities=["toilet"]))
    assert len(anytime.stations.ids) == 2
    assert len(sunday.stations.ids) == 1 and len(toilet.stations.ids) == 1
    assert sunday.stations.lons == toilet.stations.lons == [110.061]
    assert sunday.covered_weight < anytime.covered_weight
    with pytest.raises(ApplicationError) as caught:
        coverage_compute(_query(amenities=["jacuzzi"]))
    assert caught.value.code == "stations.unknown_amenity"


def test_coverage__reports_arrive_as_counts_per_cell_never_as_locations(tree, roads, amenities):
    points = [(110.0301, 21.0301), (110.0302, 21.0303), (110.0801, 21.0801)]
    for lon, lat in points:
        reports.submitted(tree, point=(lon, lat))
    result = coverage_compute(_query(sources={"reports": 2.0}))
    assert sorted(result.demand.weights.tolist()) == [2.0, 4.0]
    dlon, dlat = cell_degrees(round(float(np.mean(network_loaded().lats)), 1))
    for lon, lat in zip(result.demand.lons, result.demand.lats, strict=True):
        # the centre of a cell, not any report's own position
        assert (lon / dlon) % 1 == pytest.approx(0.5) and (lat / dlat) % 1 == pytest.approx(0.5)
        assert all(abs(lon - p[0]) > 1e-6 for p in points)


def test_coverage__grid_demand_is_area_coverage_and_needs_a_network(tree, amenities):
    with pytest.raises(ApplicationError) as caught:
        coverage_compute(_query(sources={"grid": 1.0}))
    assert caught.value.code == "coverage.grid_needs_network"


def test_coverage__without_a_network_says_it_estimated(tree, spots, amenities):
    make_station(lon=110.021, lat=21.021, amenities=())
    result = coverage_compute(_query())
    assert result.method == "straight_line"
    assert result.summary()["method_counts"] == {"network": 0, "straight_line": 5}


def test_coverage__a_planner_sees_the_demand_of_their_jurisdiction(tree, roads, spots, amenities):
    make_station(lon=110.021, lat=21.021, amenities=())
    street = staff(Role.STREET_ADMIN, tree["A2"])
    county = staff(Role.COUNTY_ADMIN, tree["A"])
    other = staff(Role.COUNTY_ADMIN, tree["B"])
    assert coverage_compute(_query(), user=street).total_weight == 15
    assert coverage_compute(_query(), user=county).total_weight == 80
    assert coverage_compute(_query(), user=other).total_weight == 0


def test_coverage__bad_queries_have_codes(db):
    for kwargs, code in [
        ({"mode": "car"}, "coverage.bad_mode"),
        ({"threshold_minutes": 0}, "coverage.bad_threshold"),
        ({"sources": {"gossip": 1.0}}, "coverage.unknown_source"),
        ({"sources": {"grid": -1.0}}, "coverage.bad_weight"),
        ({"sources": {"grid": 0.0}}, "coverage.no_source"),
    ]:
        with pytest.raises(ApplicationError) as caught:
            CoverageQuery.clean(**kwargs)
        assert caught.value.code == code


def test_siting__new_sites_cover_what_the_stations_miss(tree, roads, spots, amenities):
    make_station(lon=110.021, lat=21.021, amenities=())
    coverage = coverage_compute(_query(threshold_minutes=10))
    plan = sites_maximise(coverage, p=2, candidates="hotspots")
    summary = plan.summary()
    assert summary["optimal"] and summary["gap"] == 0
    assert summary["percent_after"] > summary["percent_before"]
    sites = plan.sites()
    assert len(sites) == 2 and sites[0]["gain"] >= sites[1]["gain"] > 0
    assert sum(s["gain"] for s in sites) == pytest.approx(
        summary["covered_after"] - summary["covered_before"]
    )
    minimum = sites_minimum(coverage, target_percent=100, candidates="hotspots")
    assert minimum.summary()["percent_after"] == 100.0
    assert len(minimum.sites()) >= len(sites)


def test_hotspots_import__converts_gcj02_and_audits(db):
    lon, lat = wgs84_to_gcj02(110.3, 21.2)
    data = _sheet(
        [("热点", lon, lat, 12, "gcj02")], header=("名称", "经度", "纬度", "人数", "坐标系")
    )
    assert hotspots_import(data=data, filename="x.csv") == 1
    spot = HotSpot.objects.get()
    assert spot.lon == pytest.approx(110.3, abs=1e-6) and spot.weight == 12
    assert AuditLog.objects.filter(action="coverage.hotspots_import").count() == 1


def test_hotspots_import__xlsx_replaces_the_previous_sheet(db):
    hotspots_import(data=_sheet(SPOTS), filename="a.csv")
    book = Workbook()
    book.active.append(["名称", "经度", "纬度", "权重"])
    book.active.append(["新热点", 110.1, 21.1, 3])
    out = io.BytesIO()
    book.save(out)
    assert hotspots_import(data=out.getvalue(), filename="b.xlsx") == 1
    assert list(HotSpot.objects.values_list("name", flat=True)) == ["新热点"]


def test_hotspots_import__one_bad_row_refuses_the_sheet_and_changes_nothing(db):
    hotspots_import(data=_sheet(SPOTS), filename="a.csv")
    with pytest.raises(ApplicationError) as caught:
        hotspots_import(
            data=_sheet([("好", 110.1, 21.1, 1), ("坏", 200, 21.1, 1)]), filename="b.csv"
        )
    assert caught.value.code == "coverage.bad_rows"
    assert caught.value.extra["rows"][0]["row"] == 3
    assert HotSpot.objects.count() == len(SPOTS)


def test_coverage__checkins_and_volunteer_places_are_demand_at_public_places(tree, amenities):
    from nuanxin.stations.services import visit_record
    from tests.factories import UserFactory
    from tests.volunteering.factories import make_project

    station = make_station(lon=110.03, lat=21.03, amenities=())
    for _i in range(3):
        visit_record(station=station, worker=UserFactory(role=Role.WORKER))
    make_project(tree, place=(110.06, 21.06), places=7)
    make_project(tree, publish=False, place=(110.07, 21.07), places=9)  # a draft
    result = coverage_compute(_query(sources={"checkins": 2.0, "volunteer": 1.0}))
    points = sorted(zip(result.demand.sources.tolist(), result.demand.lons.tolist(),
                        result.demand.weights.tolist(), strict=True))  # fmt: skip
    assert points == [("checkins", 110.03, 6.0), ("volunteer", 110.06, 7.0)]
    # no network here: 4.4 km in a straight line x 1.3 at 15 km/h is 23 minutes
    assert result.covered.tolist() == [True, False]
