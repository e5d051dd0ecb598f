"""The big screen in Chromium on the demo city, at a wall's 1920×1080 and a phone's 390×844:
every chart drawn with data, the map with the stations and the counties, the article's figures
on the tiles, drill-down by clicking down to 南调街道; screenshots into data/screenshots."""

import pytest
from django.test import Client

from nuanxin.accounts.models import Role, User
from nuanxin.dashboard.sources import CHARTS
from nuanxin.stations.models import Station

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"1920x1080": (1920, 1080), "390x844": (390, 844)}


def _page_of(browser, live_server, user, size):
    width, height = size
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def _tile(page, key):
    return page.locator(f".tile[data-figure='{key}'] .value").inner_text().replace(",", "")


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_big_screen__every_chart_has_data_and_the_article_figures_show(
    demo_city, live_server, browser, screenshot_dir, size
):
    admin = User.objects.filter(role=Role.CITY_ADMIN).order_by("id").first()
    context, page = _page_of(browser, live_server, admin, VIEWPORTS[size])
    try:
        page.goto(f"{live_server.url}/dashboard/?refresh=3600")
        page.wait_for_selector("#dashboard-map[data-loaded='1']")
        for chart in CHARTS:
            element = page.locator(f"#chart-{chart.key}")
            element.wait_for()
            page.wait_for_selector(f"#chart-{chart.key}[data-drawn='1']")
            assert int(element.get_attribute("data-points")) > 0, chart.key
            # Plotly drew marks: bars, pie slices or line points
            marks = element.locator("g.point, g.slice, path.point, g.trace.scatter path.js-line")
            assert marks.count() > 0, chart.key
        assert _tile(page, "enterprises") == "213"
        assert _tile(page, "party_members") == "165"
        assert _tile(page, "centres") == "46"
        assert _tile(page, "stations") == "51"
        assert _tile(page, "registered_enterprises") == "53"
        assert int(_tile(page, "workers")) >= 20_000
        assert 380 <= int(_tile(page, "registered_workers")) <= 420
        assert _tile(page, "party_organisations") == "18"
        assert _tile(page, "mass_organisations") == "88"
        assert _tile(page, "party_org_members") == "165"
        branch = page.locator(".tile[data-highlight='first_mobile_branch']")
        assert branch.locator(".value").inner_text() == "27"
        assert branch.locator(".name").inner_text() == "湛江市滴滴快车司机第一流动党支部"
        assert branch.locator(".since").inner_text() == "2021-05-20 成立"
        assert 0 < float(_tile(page, "coverage_15min")) < 100
        assert 0 < float(_tile(page, "organisation_coverage_rate")) < 100
        assert int(_tile(page, "must_set_up")) > 0
        shown = int(page.locator("#dashboard-map").get_attribute("data-stations"))
        assert shown == Station.objects.exclude(status="closed").count()
        assert page.locator("#dashboard-map").get_attribute("data-regions") == "10"
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert fits, "the page scrolls sideways"
        page.screenshot(path=str(screenshot_dir / f"dashboard-{size}.png"), full_page=True)
    finally:
        context.close()


def test_big_screen__drills_down_to_nandiao_by_clicking_and_the_url_keeps_the_level(
    demo_city, live_server, browser, screenshot_dir
):
    admin = User.objects.filter(role=Role.CITY_ADMIN).order_by("id").first()
    context, page = _page_of(browser, live_server, admin, VIEWPORTS["1920x1080"])
    try:
        page.goto(f"{live_server.url}/dashboard/?refresh=3600")
        page.locator("#region-table").get_by_role("link", name="坡头区").click()
        page.wait_for_url("**/dashboard/?region=440804")
        assert page.locator(".trail").inner_text().split() == ["湛江市", "›", "坡头区"]
        page.locator("#region-table").get_by_role("link", name="南调街道").click()
        page.wait_for_url("**/dashboard/?region=440804*")
        page.wait_for_selector("#dashboard-map[data-loaded='1']")
        assert "南调街道" in page.locator(".trail strong").inner_text()
        page.screenshot(path=str(screenshot_dir / "dashboard-nandiao.png"), full_page=True)
        page.locator(".trail").get_by_role("link", name="湛江市").click()
        page.wait_for_url("**/dashboard/?region=440800")
    finally:
        context.close()


def test_big_screen__a_refresh_keeps_the_highlight_and_the_rates(demo_city, live_server, browser):
    admin = User.objects.filter(role=Role.CITY_ADMIN).order_by("id").first()
    context, page = _page_of(browser, live_server, admin, VIEWPORTS["1920x1080"])
    try:
        page.goto(f"{live_server.url}/dashboard/?refresh=5")
        shown = _tile(page, "coverage_15min")
        page.wait_for_selector("body[data-refreshed='1']")
        branch = page.locator(".tile[data-highlight='first_mobile_branch']")
        assert branch.locator(".value").inner_text() == "27"
        assert "滴滴" in branch.locator(".name").inner_text()
        assert _tile(page, "coverage_15min") == shown
        # The city's remainder counts no enterprise: its coverage rate is a dash, not a 0.
        rows = page.locator("#region-table tr.remainder td").all_inner_texts()
        assert "—" in rows
    finally:
        context.close()
