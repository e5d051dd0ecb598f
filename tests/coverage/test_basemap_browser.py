"""The road network as the offline basemap: with no tile server set, every app's map draws the
imported streets for its view, with their names, in Chromium."""

import pytest

from nuanxin.accounts.models import Role
from tests.coverage.conftest import GRID
from tests.factories import staff
from tests.helpers import browser_second_factor
from tests.reports import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A point among the test streets, and the middle of row 0 (东西0路's label point).
INSIDE = (21.05, 110.05)
NAMED = (GRID["lat0"], GRID["lon0"] + (GRID["cols"] // 2) * GRID["step"])


@pytest.fixture
def offline(settings, tree, roads, amenities):
    settings.MAP_TILE_URL = ""
    settings.MAP_TILE_LABEL_URL = ""
    settings.MAP_TILE_CRS = "wgs84"
    return tree


def log_in(page, base: str, user, path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={path}")
    page.get_by_label("手机号").fill(user.phone)
    page.get_by_label("密码").fill("test-pass-2024!")
    page.get_by_role("button", name="登录").click()
    browser_second_factor(page, user)  # the reviewer and the planner are staff
    page.wait_for_url(f"**{path}")


def streets_drawn(page, element_id: str) -> tuple[int, list[str]]:
    """Move the map in ``element_id`` to the streets, then to a named one: the lines drawn
    there and the names shown."""
    page.wait_for_function(f"() => NuanxinMap.of(document.getElementById('{element_id}'))")
    assert page.locator(f"#{element_id}").get_attribute("data-basemap") == "streets"
    # The page's own first moves (fitting its data, the phone's position) come first: a move
    # made by the test before them would be undone.
    page.wait_for_load_state("networkidle")
    lat, lon = INSIDE
    page.evaluate(
        f"() => NuanxinMap.of(document.getElementById('{element_id}'))"
        f".setView([{lat}, {lon}], 15, {{animate: false}})"
    )
    page.wait_for_function(
        f"() => Number(document.getElementById('{element_id}').dataset.streets) > 0"
    )
    lines = page.locator(f"#{element_id} .leaflet-streets-pane path").count()
    lat, lon = NAMED
    page.evaluate(
        f"() => NuanxinMap.of(document.getElementById('{element_id}'))"
        f".setView([{lat}, {lon}], 16, {{animate: false}})"
    )
    page.wait_for_function(
        f"() => [...document.querySelectorAll('#{element_id} .street-name')]"
        ".some(e => e.textContent === '东西0路')"
    )
    names = page.locator(f"#{element_id} .street-name").all_inner_texts()
    return lines, names


def test_every_map_draws_the_imported_streets_with_no_tile_server(
    live_server, browser, offline, screenshot_dir
):
    tree = offline
    rider = f.worker(tree, phone="13911117777")
    reviewer = f.community_staff(tree, phone="13911118888")
    planner = staff(Role.COUNTY_ADMIN, tree["A"], name="县规划员")
    maps = [
        (rider, "/stations/", "stations-map", None),
        (rider, "/reports/new/", "pick-map", None),
        (rider, "/reports/map/", "public-map", None),
        (reviewer, "/reports/queue/", "queue-map", "地图视图"),
        (planner, "/coverage/", "coverage-map", None),
    ]
    for user, path, element_id, button in maps:
        context = browser.new_context(
            viewport={"width": 1024, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            log_in(page, live_server.url, user, path)
            if button:
                page.get_by_role("button", name=button).click()
            lines, names = streets_drawn(page, element_id)
            assert lines > 10, (path, lines)
            assert "东西0路" in names, (path, names)
            # no "no basemap" notice: the streets are the basemap, credited in the corner
            assert page.locator(f"#{element_id} .map-notice").count() == 0
            corner = page.locator(f"#{element_id} .leaflet-control-attribution").inner_text()
            assert "街道：导入的路网" in corner
            page.screenshot(path=str(screenshot_dir / f"basemap-streets-{element_id}.png"))
        finally:
            context.close()
