"""The main worker pages on a slow phone network: Chromium (/usr/bin/chromium) throttled through
the DevTools protocol to a 3G-like link (1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip),
a 390 x 844 phone, the demo database served as `nuanxin serve` serves it (granian, whitenoise).

Each page is a first visit: a fresh browser context with an empty cache and no service worker, so
every byte comes over the throttled link. Per page: bytes transferred (as sent on the wire, so
compressed where the server compressed), CSS + JS bytes on the wire excluding the map library
(Leaflet and its cluster plug-in, which only map pages load), first contentful paint and the
load event. The targets: first contentful paint under 3 s and CSS + JS under 150 KB on every
page. The ceiling is the profile itself: the figures say how much of the 3 s the page uses.

    uv run python benchmarks/run.py worker_pages
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_http_server import free_port, wait_for  # noqa: E402

CHROMIUM = os.environ.get("NUANXIN_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
# 3G-like: DevTools takes bytes per second and milliseconds.
PROFILE = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
FCP_TARGET_MS = 3000
CSS_JS_TARGET_BYTES = 150 * 1024
MAP_LIBRARY = ("/static/leaflet/", "/static/leaflet_markercluster/", "markercluster")
PAGES = [
    "/accounts/login/?mode=sms",
    "/",
    "/stations/",
    "/reports/new/",
    "/reports/mine/",
    "/points/",
    "/store/",
    "/volunteer/",
    "/me/notifications/",
]
DEMO_WORKER = "13800000007"

SESSION = r"""
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from nuanxin.accounts.models import User
user = User.objects.get(phone=PHONE)
store = SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
print(store.session_key)
"""


def _session_key(env: dict[str, str]) -> str:
    code = SESSION.replace("PHONE", repr(DEMO_WORKER))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def _measure(browser, base: str, path: str, session: str | None) -> dict:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        service_workers="block",
    )
    if session:
        context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", PROFILE)
    kinds: dict[str, tuple[str, str]] = {}
    wire: dict[str, int] = {}
    cdp.on(
        "Network.responseReceived",
        lambda e: kinds.__setitem__(e["requestId"], (e["type"], e["response"]["url"])),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: wire.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    page.goto(base + path, wait_until="load", timeout=60_000)
    page.wait_for_timeout(500)  # requests started by the page's scripts finish on the wire
    timing = page.evaluate(
        "() => ({fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,"
        " load: performance.timing.loadEventEnd - performance.timing.navigationStart})"
    )
    context.close()
    total = sum(wire.values())
    css_js = sum(
        size
        for rid, size in wire.items()
        if kinds.get(rid, ("", ""))[0] in ("Stylesheet", "Script")
        and not any(part in kinds[rid][1] for part in MAP_LIBRARY)
    )
    return {
        "bytes": total,
        "css_js_bytes": css_js,
        "fcp_ms": round(timing["fcp"] or 0),
        "load_ms": round(timing["load"]),
        "requests": len(wire),
    }


def main() -> dict:
    from playwright.sync_api import sync_playwright

    data = Path(tempfile.mkdtemp(prefix="nuanxin-bench-pages-"))
    env = {
        **os.environ,
        "NUANXIN_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "nuanxin.settings",
        "NUANXIN_JOBS": "off",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "nuanxin.cli", "demo", "--no-serve"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    session = _session_key(env)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "nuanxin.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    figures: dict[str, dict] = {}
    try:
        wait_for(port, timeout=120)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            _measure(browser, base, "/", session)  # warm-up: the server's first requests
            for path in PAGES:
                figures[path] = _measure(
                    browser, base, path, None if path.startswith("/accounts/") else session
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{'page':<28}{'KB':>8}{'CSS+JS KB':>11}{'FCP ms':>9}{'load ms':>9}{'req':>5}")
    for path, row in figures.items():
        print(
            f"{path:<28}{row['bytes'] / 1024:>8.1f}{row['css_js_bytes'] / 1024:>11.1f}"
            f"{row['fcp_ms']:>9}{row['load_ms']:>9}{row['requests']:>5}"
        )
    slowest = max(row["fcp_ms"] for row in figures.values())
    heaviest = max(row["css_js_bytes"] for row in figures.values())
    summary = {
        "fcp_worst_ms": slowest,
        "fcp_worst_over_target": round(slowest / FCP_TARGET_MS, 2),
        "css_js_worst_bytes": heaviest,
        "css_js_worst_over_target": round(heaviest / CSS_JS_TARGET_BYTES, 2),
        "targets_met": slowest < FCP_TARGET_MS and heaviest < CSS_JS_TARGET_BYTES,
    }
    print(summary)
    return {"profile": PROFILE, "pages": figures, **summary}


if __name__ == "__main__":
    main()
