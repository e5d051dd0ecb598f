"""The Content-Security-Policy in a real browser: a crawl of the demo's pages as a worker, a
community worker and the city admin (the admin included) meets no violation, so no page relies on
an inline script or style the policy blocks; the two pages with Plotly charts draw them, laid out
and answering hover, from nuanxin/charts.css with no style element of Plotly's own."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from nuanxin.demo.loader import DEMO_PASSWORD
from tests.helpers import browser_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects the browser's own reports of blocked content, from before any page script runs.
WATCH = """
window.__blocked = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__blocked.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""
SKIP = ("export", "xlsx", "download", "template", "logout", "/media/", "photo")
PAGES_PER_ROLE = 20


def _log_in(page, base: str, phone: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    browser_second_factor(page, phone)
    page.wait_for_load_state("networkidle")


@contextmanager
def _watched_page(browser) -> Iterator[tuple[Any, list[str]]]:
    """A page whose blocked content (``window.__blocked``) and CSP console messages are kept."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(15_000)
    console: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and console.append(m.text))
    try:
        yield page, console
    finally:
        context.close()


def _crawl(page, base: str, start: list[str]) -> dict[str, list[str]]:
    seen: set[str] = set()
    queue = list(start)
    blocked: dict[str, list[str]] = {}
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        if found := page.evaluate("window.__blocked"):
            blocked[path] = found
        for href in page.eval_on_selector_all(
            "a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
        ):
            link = href.split("#")[0]
            if link and link not in seen and not any(word in link for word in SKIP):
                queue.append(link)
    assert len(seen) >= 5, seen
    return blocked


@pytest.mark.parametrize("phone", ["13800000007", "13800000001"])
def test_no_page_of_the_demo_breaks_the_policy(demo_city, live_server, browser, phone):
    with _watched_page(browser) as (page, console):
        _log_in(page, live_server.url, phone)
        start = ["/", "/map/", "/stations/", "/reports/new/", "/store/", "/admin/"]
        blocked = _crawl(page, live_server.url, start)
    assert blocked == {} and console == []


# The two pages that draw Plotly charts, each with the selector of its charts. Plotly's styles
# come from nuanxin/charts.css there: a style element Plotly wrote would be a violation.
CHART_PAGES = {
    "/dashboard/?refresh=3600": ".screen-grid .chart",
    "/party/staff/industry/": ".industry-chart",
}
# Of each chart: its size, its SVG layers (how many, stacked at its top left, letting the
# pointer through) and whether the drag layer in them takes it (hover, zoom).
CHART_LAYOUT = """(charts) => charts.map((chart) => {
  const box = chart.getBoundingClientRect();
  const layers = [...chart.querySelectorAll("svg.main-svg")].map((svg) => {
    const style = getComputedStyle(svg);
    const at = svg.getBoundingClientRect();
    return [style.position, style.pointerEvents, Math.round(at.left - box.left),
            Math.round(at.top - box.top), Math.round(at.width) === Math.round(box.width)];
  });
  const drag = chart.querySelector(".draglayer");
  return {id: chart.id, width: box.width, height: box.height, layers,
          drag: drag && getComputedStyle(drag).pointerEvents};
})"""


def _hover_the_biggest_mark(page, selector: str) -> int:
    """Point at the middle of the largest bar or line point of the charts; the hover labels."""
    marks = page.locator(f"{selector} g.point path, {selector} path.point")
    areas = [
        (box["width"] * box["height"], index)
        for index, box in enumerate(mark.bounding_box() for mark in marks.all())
        if box
    ]
    marks.nth(max(areas)[1]).hover(force=True)  # over it, though the drag layer takes the pointer
    page.wait_for_selector(f"{selector} .hoverlayer .hovertext")
    return page.locator(f"{selector} .hoverlayer .hovertext").count()


def test_the_chart_pages_draw_without_an_inline_style(demo_city, live_server, browser):
    with _watched_page(browser) as (page, console):
        _log_in(page, live_server.url, "13800000001")
        for path, selector in CHART_PAGES.items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            charts = page.locator(selector)
            assert charts.count() >= 4, path
            page.wait_for_function(
                "(s) => [...document.querySelectorAll(s)].every(c => c.querySelector('.main-svg'))",
                arg=selector,
            )
            for chart in page.eval_on_selector_all(selector, CHART_LAYOUT):
                assert chart["width"] >= 200 and chart["height"] >= 150, (path, chart)
                assert len(chart["layers"]) == 3, (path, chart)
                stacked = ["absolute", "none", 0, 0, True]
                assert all(layer == stacked for layer in chart["layers"]), (path, chart)
                assert chart["drag"] == "all", (path, chart)
            # The marker link is the page's own, and Plotly added no style element beside it.
            marker = page.evaluate("document.getElementById('plotly.js-style-global').tagName")
            assert marker == "LINK", path
            assert page.evaluate("document.querySelectorAll('style').length") == 0, path
            assert _hover_the_biggest_mark(page, selector) >= 1, path
            assert page.evaluate("window.__blocked") == [], path
    assert console == []
