"""The installable app in a real browser: the worker registers and answers offline."""

import pytest

from tests.web.worker_pages import KEPT_FORM, KEPT_FORM_SCRIPTS, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_service_worker_registers_and_a_page_offline_shows_the_offline_page(
    live_server, page, screenshot_dir
):
    base = live_server.url
    page.goto(f"{base}/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    scope = page.evaluate("() => navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{base}/"
    cached = page.evaluate(
        "() => caches.keys().then(names => Promise.all(names.map(n => caches.open(n)"
        ".then(c => c.keys())))).then(lists => lists.flat().map(r => new URL(r.url).pathname))"
    )
    assert "/offline/" in cached and "/static/nuanxin/app.css" in cached
    assert "/app-icons/maskable-512.png" in cached

    page.context.set_offline(True)
    page.goto(f"{base}/stations/")
    text = page.locator("main").inner_text()
    assert "现在没有网络" in text and "随手拍" in text
    # The shell's style sheet came from the cache: the page is styled, not bare.
    assert page.evaluate(
        "() => [...document.styleSheets].some(s => s.href && s.href.endsWith('app.css')"
        " && s.cssRules.length > 0)"
    )
    page.screenshot(path=str(screenshot_dir / "pwa-offline.png"), full_page=True)

    page.context.set_offline(False)
    page.goto(f"{base}/stations/")
    assert "现在没有网络" not in page.locator("main").inner_text()


def test_a_logged_in_workers_phone_keeps_the_report_form_before_it_is_opened(
    live_server, page, tree
):
    """The home page has the worker fetch the report form and what it loads: with no signal the
    form opens and keeps a report as a draft, though the rider never opened it online."""
    from tests.reports import factories as f
    from tests.web.worker_pages import log_in

    cat = f.category(code="kept-ahead", name="井盖松动（预存）", points=5)
    rider = f.worker(tree, phone="13977770011")
    base = live_server.url
    log_in(page, live_server, rider.phone)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    assert page.locator("link[rel=manifest]").get_attribute("data-keep") == "/reports/new/"
    wait_until(page, KEPT_FORM)
    wait_until(page, KEPT_FORM_SCRIPTS)

    page.context.set_offline(True)
    page.goto(f"{base}/reports/new/")
    assert page.locator("#report-form").is_visible()
    page.locator("#pick-map").click()  # no position asked: the pin is placed by a tap
    page.wait_for_function("() => document.getElementById('id_lon').value !== ''")
    page.get_by_label("问题类别").select_option(cat.code)
    page.get_by_label("问题描述").fill("离线时第一次打开随手拍")
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector("#drafts .draft[data-state='waiting']")
    assert not errors, errors

    page.context.set_offline(False)
    page.wait_for_selector("#drafts .draft[data-state='sent']")
    assert rider.reports.get().description == "离线时第一次打开随手拍"


def test_a_page_sent_to_the_login_is_not_kept_and_logging_out_forgets_the_kept_form(
    live_server, page, tree
):
    from tests.reports import factories as f
    from tests.web.worker_pages import log_in

    rider = f.worker(tree, phone="13977770012")
    base = live_server.url
    log_in(page, live_server, rider.phone)
    page.goto(f"{base}/")
    wait_until(page, KEPT_FORM)
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state("load")
    wait_until(page, f"() => ({KEPT_FORM})().then(kept => !kept)")
    # A visitor's pages ask for nothing to be kept.
    assert page.locator("link[rel=manifest]").get_attribute("data-keep") is None
