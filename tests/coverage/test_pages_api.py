"""The planner pages and the API: who may see them, what they show, exports."""

import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from nuanxin.accounts.models import Role
from nuanxin.coverage.services import hotspots_import
from tests.coverage.test_coverage import SPOTS, _sheet
from tests.factories import UserFactory, staff
from tests.helpers import send
from tests.stations.factories import make_station


@pytest.fixture
def city(tree, roads, amenities):
    hotspots_import(data=_sheet(SPOTS), filename="spots.csv")
    make_station(lon=110.021, lat=21.021, name="南街驿站", amenities=())
    return tree


@pytest.fixture
def planner(city):
    return staff(Role.COUNTY_ADMIN, city["A"], name="县规划员")


def test_map_page__shows_the_percentage_tables_and_the_method(client, planner):
    client.force_login(planner)
    response = client.get("/coverage/?mode=ride&threshold_minutes=15&sources=hotspots")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-method="network"' in html
    assert 'id="by-street"' in html and "A1街道" in html and "北站" in html
    data = json.loads(
        html.split('id="coverage-data" type="application/json">')[1].split("</script>")[0]
    )
    kinds = [f["properties"]["kind"] for f in data["features"]]
    assert kinds.count("station") == 1 and kinds.count("demand") == len(SPOTS)


def test_map_page__fields_left_out_take_their_defaults(client, planner):
    client.force_login(planner)
    response = client.get("/coverage/?sources=hotspots")
    assert response.status_code == 200
    assert 'data-percent="' in response.content.decode()
    siting = client.get("/coverage/siting/?sources=hotspots&candidates=hotspots")
    assert siting.status_code == 200 and 'id="sites"' in siting.content.decode()


def test_map_page__refuses_workers_and_keepers_alike(client, city):
    for role in (Role.WORKER, Role.STATION_KEEPER, Role.COMMUNITY_STAFF):
        client.force_login(UserFactory(role=role, region=city["A1a"]))
        response = client.get("/coverage/")
        assert response.status_code == 403
        assert 'data-code="coverage.forbidden"' in response.content.decode()


def test_map_page__a_bad_form_value_is_a_400_with_the_form(client, planner):
    client.force_login(planner)
    response = client.get("/coverage/?threshold_minutes=999&sources=hotspots")
    assert response.status_code == 400
    assert 'id="coverage-map"' not in response.content.decode()


def test_siting_page__proposes_sites_and_the_minimum(client, planner):
    client.force_login(planner)
    response = client.get(
        "/coverage/siting/?mode=ride&threshold_minutes=10&sources=hotspots&p=2&candidates=hotspots"
        "&solver=exact&time_limit_s=30&target_percent=100"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="sites"' in html and 'id="minimum"' in html
    assert "已证明为最优方案" in html


def test_export__xlsx_and_geojson(client, planner):
    client.force_login(planner)
    query = (
        "?sources=hotspots&p=2&candidates=hotspots&threshold_minutes=10&mode=ride"
        "&solver=exact&time_limit_s=30"
    )
    book = load_workbook(io.BytesIO(client.get("/coverage/export.xlsx" + query).content))
    assert {"概况", "按街道", "选址方案"} <= set(book.sheetnames)
    overview = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True)}
    assert overview["路网"] == "city.osm.pbf" and overview["计算方法"] == "network"
    geo = client.get("/coverage/export.geojson" + query)
    assert geo["Content-Type"] == "application/geo+json"
    kinds = {f["properties"]["kind"] for f in json.loads(geo.content)["features"]}
    assert kinds == {"station", "demand", "proposed"}


def test_api_summary__for_planners_in_their_jurisdiction(client, planner, city):
    response = send(client, "get", "/api/v1/coverage/summary?sources=hotspots:1", user=planner)
    assert response.status_code == 200
    body = response.json()
    assert body["summary"]["method"] == "network" and body["summary"]["demand"] == 80
    assert {row["name"] for row in body["streets"]} == {"A1街道", "A2街道"}
    street = staff(Role.STREET_ADMIN, city["A2"])
    body = send(client, "get", "/api/v1/coverage/summary?sources=hotspots:1", user=street).json()
    assert body["summary"]["demand"] == 15


def test_api__refusals_and_bad_input_have_codes(client, planner, city):
    worker = UserFactory(role=Role.WORKER)
    assert (
        send(client, "get", "/api/v1/coverage/summary", user=worker).json()["code"]
        == "coverage.forbidden"
    )
    client.force_login(planner)
    for url, code in [
        ("/api/v1/coverage/summary?sources=nope:1", "coverage.unknown_source"),
        ("/api/v1/coverage/summary?sources=hotspots:x", "coverage.bad_sources"),
        ("/api/v1/coverage/summary?threshold_minutes=0", "coverage.bad_threshold"),
        ("/api/v1/coverage/summary?mode=car", "coverage.bad_mode"),
    ]:
        response = client.get(url)
        assert (response.status_code, response.json()["code"]) == (400, code)


def test_api_siting_and_minimum(client, planner):
    body = {"p": 2, "candidates": "hotspots", "sources": {"hotspots": 1.0}, "threshold_minutes": 10}
    response = send(client, "post", "/api/v1/coverage/siting", body, user=planner)
    assert response.status_code == 200, response.content
    plan = response.json()
    assert plan["summary"]["optimal"] is True and len(plan["sites"]) == 2
    assert plan["summary"]["percent_after"] > plan["summary"]["percent_before"]
    body = {"target_percent": 100.0, "candidates": "hotspots", "sources": {"hotspots": 1.0}}
    response = send(client, "post", "/api/v1/coverage/minimum", body, user=planner)
    assert response.status_code == 200 and response.json()["summary"]["percent_after"] == 100.0
    bad = send(client, "post", "/api/v1/coverage/siting", {**body, "p": 0}, user=planner)
    assert bad.json()["code"] == "coverage.bad_p"


def test_cli__coverage_and_site_stations_print_tables_and_write_files(city, tmp_path):
    out = io.StringIO()
    xlsx = tmp_path / "c.xlsx"
    call_command(
        "coverage", "--sources", "hotspots:1", "--minutes", "10", "--xlsx", str(xlsx), stdout=out
    )
    text = out.getvalue()
    assert "计算方法：路网最短路径" in text and "A1街道" in text and "北站" in text
    assert "按街道" in load_workbook(xlsx).sheetnames
    out = io.StringIO()
    geojson = tmp_path / "s.geojson"
    call_command(
        "site_stations", "--sources", "hotspots:1", "--minutes", "10", "--p", "2",
        "--candidates", "hotspots", "--target", "100", "--geojson", str(geojson), stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "最大覆盖选址：新建 2 个" in text and "已证明最优" in text
    assert "达到 100.0% 的最少新建数" in text
    kinds = {f["properties"]["kind"] for f in json.loads(geojson.read_text())["features"]}
    assert "proposed" in kinds


def test_api_roads__streets_in_the_box_each_once(client, planner):
    from nuanxin.coverage.network import network_loaded
    from tests.coverage.conftest import GRID

    lon0, lat0, step = GRID["lon0"], GRID["lat0"], GRID["step"]
    box = f"{lon0 - step / 2},{lat0 - step / 2},{lon0 + 2.5 * step},{lat0 + 2.5 * step}"
    body = send(client, "get", f"/api/v1/coverage/roads?bbox={box}", user=planner).json()
    lines = {tuple(map(tuple, f["geometry"]["coordinates"])) for f in body["features"]}
    assert len(lines) == len(body["features"])  # no street twice
    assert not any((b, a) in lines for a, b in lines)
    network = network_loaded()
    # 3 x 3 nodes inside: 12 streets between them, and those leaving the box
    assert len(lines) >= 12 and body["truncated"] is False
    assert all(network.lons.min() - 1e-6 <= a[0] for a, _b in lines)
    for bad in ("1,2,3", "a,b,c,d", "10,10,0,0", "0,0,200,10"):
        response = client.get(f"/api/v1/coverage/roads?bbox={bad}")
        assert response.json()["code"] == "coverage.bad_bbox"


def test_map_page__names_the_street_layer_for_offline_maps(client, planner):
    client.force_login(planner)
    html = client.get("/coverage/?sources=hotspots").content.decode()
    assert 'data-roads-url="/api/v1/coverage/roads"' in html
