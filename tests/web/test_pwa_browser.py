"""The installable app in a real browser: the worker registers and answers offline."""

import pytest

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
