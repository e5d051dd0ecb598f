"""The pages a worker uses most, opened in Chromium as a demo worker (shared by the browser tests
that look at them: tap targets, language)."""

from django.conf import settings
from django.test import Client

from nuanxin.accounts.models import User
from nuanxin.stations.models import Station, StationStatus
from nuanxin.store.models import Stock
from nuanxin.volunteering.models import Project

DEMO_WORKER = "13800000007"  # 骑手小李, the demo's rider


def worker_paths() -> list[str]:
    """Home, stations list and a station, the report form, my reports, points, the shop and an
    item's page (where an order is confirmed), volunteering list and a project, notifications, and
    the page the app shows with no connection."""
    station = Station.objects.filter(status=StationStatus.OPEN).order_by("pk").first()
    project = Project.objects.filter(status="published").order_by("pk").first()
    stock = (
        Stock.objects.filter(on_shelf__gt=0, station__shop__is_open=True, item__retired=False)
        .order_by("pk")
        .first()
    )
    assert station and project and stock, "the demo has stations, projects and shops"
    return [
        "/",
        "/stations/",
        f"/stations/{station.pk}/",
        "/reports/new/",
        "/reports/mine/",
        "/points/",
        "/store/",
        f"/store/s/{stock.station_id}/i/{stock.item_id}/",
        "/volunteer/",
        f"/volunteer/p/{project.pk}/",
        "/me/notifications/",
        "/offline/",
    ]


def log_in(page, live_server, phone: str = DEMO_WORKER, language: str = "zh-hans") -> User:
    """Give the browser a logged-in session of the user (no login form in the way)."""
    user = User.objects.get(phone=phone)
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookies = [
        {"name": settings.SESSION_COOKIE_NAME, "value": session},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language},
    ]
    page.context.add_cookies([{**cookie, "url": live_server.url} for cookie in cookies])
    return user


# Whether the phone keeps the report form, and the scripts it needs to write a draft offline.
KEPT_FORM = "() => caches.open('nuanxin-pages').then(c => c.match('/reports/new/')).then(Boolean)"
KEPT_FORM_SCRIPTS = (
    "() => caches.keys().then(names => Promise.all(names.map(n => caches.open(n)"
    ".then(c => c.keys())))).then(lists => lists.flat().map(r => new URL(r.url).pathname))"
    ".then(paths => paths.some(p => p.endsWith('/drafts.js'))"
    " && paths.some(p => p.endsWith('/report-new.js')))"
)


def wait_until(page, script: str, tries: int = 150) -> None:
    """Poll a script whose answer is a promise (the Cache API's) until it gives true."""
    for _ in range(tries):
        if page.evaluate(script):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {script}")
