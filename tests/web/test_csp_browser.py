"""The Content-Security-Policy in a real browser: a crawl of the demo's pages as a worker, a
community worker and the city admin (the admin included) meets no violation, so no page relies on
an inline script or style the policy blocks."""

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
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(15_000)
    console = []
    page.on("console", lambda m: "Content Security Policy" in m.text and console.append(m.text))
    try:
        _log_in(page, live_server.url, phone)
        start = ["/", "/map/", "/stations/", "/reports/new/", "/store/", "/admin/"]
        blocked = _crawl(page, live_server.url, start)
    finally:
        context.close()
    assert blocked == {} and console == []
