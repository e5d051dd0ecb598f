"""What the report pages hand their maps: the queue map's points and the detail map's point,
in the tiles' coordinate system (MAP_TILE_CRS), and picked points converted back on the way in."""

import datetime as dt
import re

import pytest

from nuanxin.geo.coords import gcj02_to_wgs84, wgs84_to_gcj02
from nuanxin.reports.models import Report
from tests.helpers import Clock
from tests.reports import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def gcj02_tiles(settings):
    settings.MAP_TILE_URL = "https://tiles.test/{z}/{x}/{y}.png"
    settings.MAP_TILE_CRS = "gcj02"
    settings.REPORTS_DAILY_LIMIT = 100


def test_the_queue_map_has_every_report_of_the_filter_not_only_the_page(
    client, tree, reviewer, cat, settings
):
    settings.REPORTS_DAILY_LIMIT = 100
    rider = f.worker(tree)
    for i in range(35):  # the list shows 30 a page
        f.submitted(tree, reporter=rider, cat=cat, point=(110.01 + i * 0.002, 21.05))
    f.submitted(tree, cat=cat, point=f.IN_A1B_1)  # the next community: not this reviewer's
    client.force_login(reviewer)

    answer = client.get("/reports/queue/map/", {"view": "waiting"}).json()

    assert answer["count"] == 35 and len(answer["points"]) == 35
    first = answer["points"][0]
    report = Report.objects.get(pk=first["id"])
    assert set(first) == {
        "id",
        "lon",
        "lat",
        "category_name",
        "state",
        "state_name",
        "overdue",
        "created",
        "area",
        "url",
    }
    assert first["category_name"] == cat.name and first["state_name"] == "待审核"
    assert first["area"] == "A1a社区"
    assert first["url"] == f"/reports/queue/{report.pk}/"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", first["created"])


def test_the_queue_map_follows_the_list_filters(client, tree, reviewer, cat, settings):
    other = f.category()
    f.submitted(tree, cat=cat)
    f.submitted(tree, cat=other)
    client.force_login(reviewer)

    answer = client.get("/reports/queue/map/", {"view": "all", "category": other.code}).json()

    assert [p["category_name"] for p in answer["points"]] == [other.name]


def test_the_queue_map_is_for_staff_only(client, tree, reporter):
    anonymous = client.get("/reports/queue/map/")
    client.force_login(reporter)
    worker = client.get("/reports/queue/map/")

    assert anonymous.status_code == 302
    assert worker.status_code == 403 and worker.json()["code"] == "auth.staff_only"


def test_on_gcj02_tiles_the_queue_map_points_are_shifted(client, tree, reviewer, gcj02_tiles):
    report = f.submitted(tree, point=(110.05, 21.05))
    client.force_login(reviewer)

    point = client.get("/reports/queue/map/").json()["points"][0]

    assert point["id"] == report.pk
    assert (point["lon"], point["lat"]) == pytest.approx(wgs84_to_gcj02(110.05, 21.05), abs=1e-6)


def test_on_gcj02_tiles_the_detail_map_point_is_shifted(client, tree, reviewer, gcj02_tiles):
    report = f.submitted(tree, point=(110.05, 21.05))
    client.force_login(reviewer)

    html = client.get(f"/reports/queue/{report.pk}/").content.decode()

    found = re.search(r'id="detail-map"[^>]*data-lon="([\d.]+)" data-lat="([\d.]+)"', html)
    shown = (float(found.group(1)), float(found.group(2)))
    assert shown == pytest.approx(wgs84_to_gcj02(110.05, 21.05), abs=1e-6)


def test_a_point_picked_on_gcj02_tiles_is_stored_as_wgs84(client, tree, reporter, cat, gcj02_tiles):
    tap = wgs84_to_gcj02(110.05, 21.05)
    client.force_login(reporter)

    client.post(
        "/reports/new/",
        {
            "category": cat.code,
            "lon": f"{tap[0]:.7f}",
            "lat": f"{tap[1]:.7f}",
            "coord_system": "gcj02",
            "description": "路口井盖缺失",
            "submit_key": "gcj-1",
        },
    )

    report = Report.objects.get()
    expected = gcj02_to_wgs84(float(f"{tap[0]:.7f}"), float(f"{tap[1]:.7f}"))
    assert (report.lon, report.lat) == pytest.approx(expected, abs=1e-7)
    assert (report.lon, report.lat) == pytest.approx((110.05, 21.05), abs=1e-6)
    assert report.region == tree["A1a-1"]


def test_the_public_map_dates_a_report_by_the_citys_calendar(client, tree, monkeypatch):
    # 23:30 UTC on 1 December is 07:30 on 2 December in Zhanjiang.
    Clock(monkeypatch, dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC))
    f.submitted(tree)

    feature = client.get("/api/v1/reports/public").json()["features"][0]

    assert feature["properties"]["created_date"] == "2026-12-02"
