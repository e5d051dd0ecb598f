"""Maps as a rider and a reviewer meet them, in Chromium at phone size: who draws the map, the
no-basemap notice and named regions, clusters and popups, and the GCJ-02 shift both ways."""

import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from PIL import Image

from nuanxin.geo.coords import gcj02_to_wgs84, haversine_m, wgs84_to_gcj02
from nuanxin.reports.models import Report
from nuanxin.stations.services import amenity_defaults_ensure
from tests.helpers import browser_second_factor, give_location_consent
from tests.reports import factories as f
from tests.stations.factories import make_station

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIANDITU = (
    "https://t{s}.tianditu.gov.cn/%s/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=%s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=TEST"
)
AMAP = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"


def _tile() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (236, 240, 232)).save(out, format="PNG")
    return out.getvalue()


TILE = _tile()


def serve_tiles(page, pattern: str) -> list[str]:
    """Answer the tile server's requests from here (the machine has no internet)."""
    asked: list[str] = []

    def answer(route):
        asked.append(route.request.url)
        route.fulfill(body=TILE, content_type="image/png")

    page.route(pattern, answer)
    return asked


def leaflet(page, element_id: str, expression: str):
    """Evaluate ``expression`` with ``map`` bound to the Leaflet map drawn in ``element_id``."""
    return page.evaluate(
        f"() => {{ const map = NuanxinMap.of(document.getElementById('{element_id}'));"
        f" return {expression}; }}"
    )


def wait_for_clusters(page, element_id: str, total: int) -> tuple[list[str], int]:
    """The cluster counts and single markers shown once clustering has settled on ``total``
    (while clusters split or merge, the old ones fade out beside the new)."""
    page.wait_for_function(
        f"""() => {{
          const root = document.getElementById('{element_id}');
          const counts = [...root.querySelectorAll('.marker-cluster')].map(e => +e.textContent);
          const singles = root.querySelectorAll('.report-marker').length;
          return counts.reduce((a, b) => a + b, 0) + singles === {total};
        }}"""
    )
    clusters = page.locator(f"#{element_id} .marker-cluster").all_inner_texts()
    return clusters, page.locator(f"#{element_id} .report-marker").count()


def popup_text(page, marker: str) -> str:
    """Tap ``marker`` until its popup opens: under load the cluster layer may still redraw the
    marker just after the map reports it is loaded, and a tap on the old one is lost."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    popup = "#public-map .leaflet-popup-content"
    for _attempt in range(5):
        page.locator(marker).click()
        try:
            page.wait_for_selector(popup, timeout=3_000)
        except PlaywrightTimeout:
            continue
        return page.locator(popup).inner_text()
    raise AssertionError(f"no popup opened on {marker}")


def lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


@pytest.fixture
def no_basemap(settings):
    settings.MAP_TILE_URL = ""
    settings.MAP_TILE_LABEL_URL = ""
    settings.MAP_TILE_CRS = "wgs84"


@pytest.fixture
def tianditu(settings):
    settings.MAP_TILE_URL = TIANDITU % ("vec_w", "vec")
    settings.MAP_TILE_LABEL_URL = TIANDITU % ("cva_w", "cva")
    settings.MAP_TILE_SUBDOMAINS = ""
    settings.MAP_TILE_ATTRIBUTION = ""
    settings.MAP_TILE_CRS = "wgs84"


@pytest.fixture
def amap(settings):
    settings.MAP_TILE_URL = AMAP
    settings.MAP_TILE_LABEL_URL = ""
    settings.MAP_TILE_SUBDOMAINS = ""
    settings.MAP_TILE_ATTRIBUTION = ""
    settings.MAP_TILE_CRS = "gcj02"


def finger_sized(box: dict) -> bool:
    """At least 44 x 44 CSS px. A marker on a map layer is placed with transforms, so its box
    comes back as 43.99999…: measured to a hundredth of a pixel."""
    return round(box["width"], 2) >= 44 and round(box["height"], 2) >= 44


def test_the_corner_names_the_map_in_chinese_with_no_flag(live_server, page, tree, tianditu):
    asked = serve_tiles(page, "https://*.tianditu.gov.cn/**")

    page.goto(f"{live_server.url}/reports/map/")
    page.wait_for_selector("#public-map[data-loaded='0']")
    page.wait_for_function(
        "() => document.querySelectorAll('#public-map img.leaflet-tile-loaded').length > 0"
    )
    corner = page.locator("#public-map .leaflet-control-attribution")

    assert corner.inner_text() == "地图：Leaflet | 地图数据 © 天地图（国家地理信息公共服务平台）"
    assert corner.locator("svg, .leaflet-attribution-flag").count() == 0
    assert page.locator("#public-map .map-notice").count() == 0
    # Both Tianditu layers are asked for, from its eight servers t0-t7, with the key.
    layers = {urlsplit(u).path for u in asked}
    hosts = {urlsplit(u).hostname for u in asked}
    assert layers == {"/vec_w/wmts", "/cva_w/wmts"}
    assert hosts <= {f"t{i}.tianditu.gov.cn" for i in range(8)} and len(hosts) > 1
    assert all(parse_qs(urlsplit(u).query)["tk"] == ["TEST"] for u in asked)


def test_the_corner_and_the_notice_are_english_in_english_mode(live_server, page, tree, no_basemap):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    page.goto(f"{live_server.url}/reports/map/")
    page.wait_for_selector("#public-map[data-loaded='0']")

    assert page.locator("#public-map .leaflet-control-attribution").inner_text() == "Map: Leaflet"
    notice = page.locator("#public-map .map-notice").inner_text()
    # A resident is told what the map shows; how to set a basemap is for staff.
    assert notice.startswith("This map shows region outlines and names only")
    assert "MAP_TILE_URL" not in notice


def test_only_staff_are_told_how_to_set_a_basemap(live_server, page, tree, no_basemap):
    from tests.reports.test_browser import log_in

    staff = f.community_staff(tree, phone="13911119999", name="社区小李")
    log_in(page, live_server.url, staff.phone)
    page.goto(f"{live_server.url}/reports/map/")
    page.wait_for_selector("#public-map .map-notice")

    notice = page.locator("#public-map .map-notice").inner_text()
    assert notice.startswith("未配置底图，地图只显示区域边界。")
    assert "MAP_TILE_URL" in notice


def test_without_a_basemap_the_rider_sees_why_and_where_the_pin_is(
    live_server, page, tree, no_basemap, screenshot_dir
):
    rider = f.worker(tree, phone="13911115555")
    give_location_consent(rider)  # the pages ask for the position only then
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 21.05, "longitude": 110.05})
    page.goto(f"{live_server.url}/accounts/login/?next=/reports/new/")
    page.get_by_label("手机号").fill(rider.phone)
    page.get_by_label("密码").fill("test-pass-2024!")
    page.get_by_role("button", name="登录").click()
    browser_second_factor(page, rider.phone)
    page.wait_for_url("**/reports/new/")

    notice = page.locator("#pick-map .map-notice")
    assert notice.is_visible()
    # The rider reads what the map shows, not the operators' setting.
    assert notice.inner_text().startswith("这张地图只显示区域边界和名称，不显示街道。")
    assert "MAP_TILE_URL" not in notice.inner_text() and "管理员" not in notice.inner_text()
    page.get_by_role("button", name="使用我的位置").click()
    # The permission was given, so the form may already have placed the pin on opening: wait
    # for the tap's own answer (the status says "locating" until the fix comes back).
    page.wait_for_function(
        "() => document.getElementById('location-status').textContent.includes('A1a社区 · A1街道')"
    )

    assert page.locator("#pick-map .pin-label").inner_text() == "A1a社区 · A1街道"
    page.wait_for_function(
        "() => NuanxinMap.of(document.getElementById('pick-map')).getZoom() === 14"
    )
    # Around the pin the community outlines are drawn and named.
    page.wait_for_function("() => Number(document.getElementById('pick-map').dataset.labels) > 0")
    assert "A1a社区" in page.locator("#pick-map .region-label").all_inner_texts()
    assert page.locator("#pick-map .leaflet-outlines-pane path").count() >= 8
    page.screenshot(path=str(screenshot_dir / "maps-report-form-no-basemap.png"))

    # At the boundary both communities are named; a tap across it moves the pin there.
    leaflet(page, "pick-map", "map.setView([21.05, 110.1], 14, {animate: false}) && 1")
    page.wait_for_function(
        "() => "
        "[...document.querySelectorAll('#pick-map .region-label')].map(e => e.textContent)"
        ".includes('A1b社区')"
    )
    assert {"A1a社区", "A1b社区"} <= set(page.locator("#pick-map .region-label").all_inner_texts())
    box = page.locator("#pick-map").bounding_box()
    east = leaflet(page, "pick-map", "map.latLngToContainerPoint([21.05, 110.1008])")
    page.mouse.click(box["x"] + east["x"], box["y"] + east["y"])
    page.wait_for_function(
        "() => document.querySelector('#pick-map .pin-label').textContent === 'A1b社区 · A1街道'"
    )
    assert page.locator("#id_coord_system").input_value() == "wgs84"


def test_public_map_clusters_200_reports_and_a_tap_on_a_cluster_zooms_in(
    live_server, page, tree, no_basemap, settings, screenshot_dir
):
    settings.REPORTS_DAILY_LIMIT = 500
    rider = f.worker(tree)
    cat = f.category(name="井盖缺失（测试）")
    for i in range(200):
        f.submitted(
            tree,
            reporter=rider,
            cat=cat,
            point=(110.01 + (i % 20) * 0.019, 21.01 + i // 20 * 0.038),
        )

    page.goto(f"{live_server.url}/reports/map/")
    page.wait_for_selector("#public-map[data-loaded='200']")
    clusters, singles = wait_for_clusters(page, "public-map", 200)

    assert clusters and len(clusters) + singles < 200
    assert "共 200 条" in page.locator("#public-count").inner_text()
    page.screenshot(path=str(screenshot_dir / "maps-public-clusters.png"))

    # Clusters and zoom buttons are finger-sized on a phone.
    for target in ["#public-map .marker-cluster >> nth=0", "#public-map .leaflet-control-zoom-in"]:
        box = page.locator(target).bounding_box()
        assert finger_sized(box), (target, box)

    before = leaflet(page, "public-map", "map.getZoom()")
    page.locator("#public-map .marker-cluster").first.click()
    page.wait_for_function(
        f"() => NuanxinMap.of(document.getElementById('public-map')).getZoom() > {before}"
    )


def test_a_public_popup_shows_category_state_date_and_area_in_each_language(
    live_server, page, tree, no_basemap
):
    cat = f.category(name="占道经营（测试）")
    f.submitted(tree, cat=cat)
    today = timezone.localdate().isoformat()  # the city's date (Asia/Shanghai)

    page.goto(f"{live_server.url}/reports/map/")
    page.wait_for_selector("#public-map[data-loaded='1']")
    marker = page.locator("#public-map .report-marker")
    assert finger_sized(marker.bounding_box()), marker.bounding_box()
    chinese = lines(popup_text(page, "#public-map .report-marker"))

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/reports/map/")
    page.wait_for_selector("#public-map[data-loaded='1']")
    english = lines(popup_text(page, "#public-map .report-marker"))

    assert chinese == ["占道经营（测试）", "待审核", f"上报于 {today}", "A1a社区"]
    assert english[1:3] == ["Pending", f"Reported on {today}"]


def test_the_queue_map_clusters_every_waiting_report_of_the_area(
    live_server, page, tree, no_basemap, settings
):
    settings.REPORTS_DAILY_LIMIT = 100
    rider = f.worker(tree)
    cat = f.category(name="乱堆杂物（测试）")
    for i in range(40):
        f.submitted(tree, reporter=rider, cat=cat, point=(110.005 + i * 0.002, 21.05))
    reviewer = f.community_staff(tree, phone="13911116666")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/accounts/login/?next=/reports/queue/")
    page.get_by_label("手机号").fill(reviewer.phone)
    page.get_by_label("密码").fill("test-pass-2024!")
    page.get_by_role("button", name="登录").click()
    browser_second_factor(page, reviewer.phone)
    page.wait_for_url("**/reports/queue/")

    page.get_by_role("button", name="地图视图").click()
    page.wait_for_selector("#queue-map[data-loaded='40']")

    assert page.locator("#queue-map-count").inner_text() == "地图显示 40 条（共 40 条）"
    clusters, singles = wait_for_clusters(page, "queue-map", 40)
    assert clusters and len(clusters) + singles < 40
    # Zoomed to street level each report has its own dot and popup, linking to its page.
    leaflet(page, "queue-map", "map.setView([21.05, 110.005], 18, {animate: false}) && 1")
    first = Report.objects.order_by("id").first()
    page.locator(f"#queue-map .report-marker[title='#{first.pk}']").click()
    popup = page.locator("#queue-map .leaflet-popup-content")
    assert popup.locator("a").get_attribute("href") == f"/reports/queue/{first.pk}/"
    assert lines(popup.inner_text())[:2] == [f"#{first.pk} 乱堆杂物（测试）", "待审核"]


def test_on_gcj02_tiles_a_station_is_drawn_shifted_and_a_tap_goes_back_as_wgs84(
    live_server, page, tree, amap, screenshot_dir
):
    asked = serve_tiles(page, "https://*.is.autonavi.com/**")
    amenity_defaults_ensure()
    station = make_station(lon=110.05, lat=21.05, name="坐标测试驿站")
    page.context.clear_permissions()

    page.goto(f"{live_server.url}/stations/")
    page.wait_for_selector("#stations-map[data-loaded='1'] .station-marker")

    drawn = leaflet(
        page,
        "stations-map",
        "(() => { let at = null; map.eachLayer(l => { if (l.options.icon &&"
        " l.options.icon.options.className.includes('station-marker')) at = l.getLatLng(); });"
        " return [at.lng, at.lat]; })()",
    )
    assert drawn == pytest.approx(list(wgs84_to_gcj02(station.lon, station.lat)), abs=1e-6)
    assert "高德地图" in page.locator("#stations-map .leaflet-control-attribution").inner_text()
    assert {urlsplit(u).hostname for u in asked} <= {f"webrd0{i}.is.autonavi.com" for i in "1234"}

    # No position from the phone: the rider taps the map a little east of the station.
    page.get_by_role("button", name="找最近的开放驿站").click()
    page.wait_for_function(
        "() => document.getElementById('finder-status').textContent.includes('点一下')"
    )
    box = page.locator("#stations-map").bounding_box()
    at = leaflet(page, "stations-map", f"map.latLngToContainerPoint([{drawn[1]}, {drawn[0]}])")
    with page.expect_response("**/api/v1/stations/nearest*") as answer:
        page.mouse.click(box["x"] + at["x"] + 40, box["y"] + at["y"])
    sent = parse_qs(urlsplit(answer.value.url).query)
    tap = (float(sent["lon"][0]), float(sent["lat"][0]))
    found = json.loads(answer.value.text())["results"][0]

    # The browser sends the tap as it is on the tiles, saying so; the server measures from the
    # true (WGS-84) position, as the project's own conversion gives it.
    assert sent["coord_system"] == ["gcj02"] and sent["crs"] == ["gcj02"]
    true_tap = gcj02_to_wgs84(*tap)
    assert found["distance_m"] == pytest.approx(
        haversine_m(*true_tap, station.lon, station.lat), abs=1.0
    )
    assert abs(haversine_m(*tap, station.lon, station.lat) - found["distance_m"]) > 100
    popup = page.locator("#stations-map .leaflet-popup-content")
    popup.wait_for()
    assert popup.inner_text().startswith("坐标测试驿站")
    assert "开放中" in popup.inner_text() and "距您" in popup.inner_text()
    page.wait_for_function(
        "() => "
        "getComputedStyle(document.querySelector('#stations-map .leaflet-popup')).opacity === '1'"
    )
    page.screenshot(path=str(screenshot_dir / "maps-stations-gcj02.png"))


def test_on_gcj02_tiles_the_phone_fix_is_drawn_shifted_and_stored_as_sent(
    live_server, page, tree, amap, settings
):
    serve_tiles(page, "https://*.is.autonavi.com/**")
    rider = f.worker(tree, phone="13911117777")
    cat = f.category(name="路灯不亮（测试）")
    give_location_consent(rider)  # the pages ask for the position only then
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 21.05, "longitude": 110.05})
    page.goto(f"{live_server.url}/accounts/login/?next=/reports/new/")
    page.get_by_label("手机号").fill(rider.phone)
    page.get_by_label("密码").fill("test-pass-2024!")
    page.get_by_role("button", name="登录").click()
    browser_second_factor(page, rider.phone)
    page.wait_for_url("**/reports/new/")

    page.get_by_role("button", name="使用我的位置").click()
    page.wait_for_selector("#pick-map .pin-label")

    pin = leaflet(
        page,
        "pick-map",
        "(() => { let at = null; map.eachLayer(l => { if (l.options.draggable)"
        " at = l.getLatLng(); }); return [at.lng, at.lat]; })()",
    )
    assert pin == pytest.approx(list(wgs84_to_gcj02(110.05, 21.05)), abs=1e-6)
    assert page.locator("#id_coord_system").input_value() == "wgs84"
    assert page.locator("#pick-map .map-notice").count() == 0
    page.get_by_label("问题类别").select_option(cat.code)
    page.get_by_label("问题描述").fill("路口路灯不亮")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/reports/mine/*/")

    report = Report.objects.get()
    assert (report.lon, report.lat) == pytest.approx((110.05, 21.05), abs=1e-7)
