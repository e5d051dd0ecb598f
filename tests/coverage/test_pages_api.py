"""The planner pages and the API: who may see them, what they show, exports."""

import io
import json

from django.core.management import call_command
from openpyxl import load_workbook

from nuanxin.accounts.models import Role
from tests.coverage.test_coverage import SPOTS
from tests.factories import UserFactory, staff
from tests.helpers import send


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
    # a link fills in the siting form; nothing is computed until it is sent
    siting = client.get("/coverage/siting/?sources=hotspots&candidates=hotspots&p=4")
    html = siting.content.decode()
    assert siting.status_code == 200 and 'name="p" value="4"' in html and 'id="sites"' not in html


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


def test_export__xlsx_and_geojson(client, planner):
    client.force_login(planner)
    query = "?sources=hotspots&threshold_minutes=10&mode=ride"
    book = load_workbook(io.BytesIO(client.get("/coverage/export.xlsx" + query).content))
    assert {"概况", "按街道", "未覆盖热点"} <= set(book.sheetnames)
    overview = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True)}
    assert overview["路网"] == "city.osm.pbf" and overview["计算方法"] == "network"
    geo = client.get("/coverage/export.geojson" + query)
    assert geo["Content-Type"] == "application/geo+json"
    kinds = {f["properties"]["kind"] for f in json.loads(geo.content)["features"]}
    assert kinds == {"station", "demand"}


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


def test_api_roads__streets_in_the_box_each_once_with_their_names(client, planner):
    from nuanxin.coverage.network import network_loaded
    from tests.coverage.conftest import GRID

    lon0, lat0, step = GRID["lon0"], GRID["lat0"], GRID["step"]
    box = f"{lon0 - step / 2},{lat0 - step / 2},{lon0 + 2.5 * step},{lat0 + 2.5 * step}"
    # any logged-in user may ask (a worker's report map draws them too); no login, no streets
    assert client.get(f"/api/v1/coverage/roads?bbox={box}").status_code == 401
    client.force_login(UserFactory())
    body = client.get(f"/api/v1/coverage/roads?bbox={box}").json()
    lines = {tuple(map(tuple, f["geometry"]["coordinates"])) for f in body["features"]}
    assert len(lines) == len(body["features"])  # no street twice
    assert not any((b, a) in lines for a, b in lines)
    network = network_loaded()
    # 3 x 3 nodes inside: 12 streets between them, and those leaving the box
    assert len(lines) >= 12 and body["truncated"] is False
    assert all(network.lons.min() - 1e-6 <= a[0] for a, _b in lines)
    # row 0 is a named primary road; its label point (the middle of the way) is far east of
    # this box, so no name here; a box around the middle of row 0 has it
    assert body["names"] == []
    mid = lon0 + (GRID["cols"] // 2) * step
    box = f"{mid - 2 * step},{lat0 - step},{mid + 2 * step},{lat0 + step}"
    names = client.get(f"/api/v1/coverage/roads?bbox={box}").json()["names"]
    assert [n["name"] for n in names] == ["东西0路"]
    for bad in ("1,2,3", "a,b,c,d", "10,10,0,0", "0,0,200,10"):
        response = client.get(f"/api/v1/coverage/roads?bbox={bad}")
        assert response.json()["code"] == "coverage.bad_bbox"


def test_maps__with_no_tile_server_the_basemap_is_the_imported_streets(client, planner, settings):
    settings.MAP_TILE_URL = ""
    client.force_login(planner)
    html = client.get("/coverage/?sources=hotspots").content.decode()
    config = json.loads(html.split('id="map-config" type="application/json">')[1].split("<")[0])
    assert config["basemap"]["kind"] == "streets"
    assert config["basemap"]["url"] == "/api/v1/coverage/roads"
    assert config["basemap"]["generated"] is False


def test_maps__a_reader_who_is_not_logged_in_gets_the_outlines_not_streets_they_cannot_load(
    client, city, settings
):
    """The roads API needs a login, so the public maps offer the streets to logged-in readers
    only; anyone else sees the outlines with the notice, not an empty basemap."""
    settings.MAP_TILE_URL = ""

    def basemap_kind(path: str) -> str:
        html = client.get(path).content.decode()
        config = json.loads(html.split('id="map-config" type="application/json">')[1].split("<")[0])
        return config["basemap"]["kind"]

    assert basemap_kind("/reports/map/") == "outlines"
    assert basemap_kind("/stations/") == "outlines"
    client.force_login(UserFactory())
    assert basemap_kind("/reports/map/") == "streets"
    assert basemap_kind("/stations/") == "streets"
