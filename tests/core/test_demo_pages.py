"""The demo's pages as each of its people meets them: the menus offer only what opens, and a
walk over the links finds no 500, no internal key or code, no error on a form nobody has sent,
and no date input the browser cannot fill.

One logged-in client per demo account (and one anonymous visitor); the walk follows same-site
links with GET only, a few pages per URL pattern, a bounded number per person.
"""

import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from nuanxin.accounts.models import User
from nuanxin.core.navigation import STAFF_NAV, WORKER_NAV

pytestmark = pytest.mark.django_db

PAGES_PER_PERSON = 80
PAGES_PER_PATTERN = 2
# Not pages: downloads, the API, files; and links that act (log out) or leave the shell.
SKIP_PREFIXES = ("/api/", "/media/", "/static/", "/open311/", "/i18n/", "/accounts/logout/")
SKIP_SUFFIXES = (".png", ".svg", ".xlsx", ".json", ".csv", "/export/", "/poster/")

# An internal key: a ledger transfer id, a cache key ("volunteer:88:verify").
RAW_KEY = re.compile(r"\b[a-z_]+:\d+:[a-z_]+\b")
# A stable error code shown as text instead of its message ("store.staff_only").
APP_LABELS = (
    "accounts|auth|core|geo|images|idempotency|open311|points|registry|reports|stations|store|"
    "volunteering"
)
ERROR_CODE = re.compile(rf"\b(?:{APP_LABELS})\.[a-z]+_[a-z_]+\b")
FORM_ERRORS = ("这个字段是必填项", 'class="errorlist', "This field is required")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Page(HTMLParser):
    """Links, visible text and date inputs of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []
        self.date_values: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "input" and attributes.get("type") == "date" and attributes.get("value"):
            self.date_values.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _people(demo_city) -> list[tuple[str, User | None]]:
    people: list[tuple[str, User | None]] = [("anonymous", None)]
    seen = set()
    for role_label, name, phone in demo_city.credentials:
        if phone not in seen:
            seen.add(phone)
            people.append((f"{role_label} {name}", User.objects.get(phone=phone)))
    return people


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _nav_urls(html: str) -> set[str]:
    nav = re.findall(r'<nav class="(?:staffnav|tabbar)".*?</nav>', html, re.S)
    return set(re.findall(r'href="([^"]+)"', "".join(nav)))


def _opens(response, user: User | None) -> bool:
    if response.status_code == 200:
        return True
    # A visitor is sent to log in (and told why) by the pages that need only a login.
    return user is None and response.status_code == 302 and "/accounts/login/" in response.url


def test_every_menu_entry_opens_for_whoever_sees_it_and_none_hidden_would(demo_city):
    from django.urls import reverse

    entries = {reverse(entry.url_name) for entry in (*WORKER_NAV, *STAFF_NAV)}
    problems = []
    for who, user in _people(demo_city):
        client = _client(user)
        shown = _nav_urls(client.get("/").content.decode())
        assert shown, who
        for url in sorted(entries):
            response = client.get(url)
            if url in shown and not _opens(response, user):
                problems.append(f"{who}: menu offers {url}, which answers {response.status_code}")
            elif url not in shown and response.status_code == 200 and user is not None:
                menu = STAFF_NAV if user.is_staff else WORKER_NAV
                if url in {reverse(e.url_name) for e in menu}:
                    problems.append(f"{who}: menu hides {url}, which would open")
    assert problems == []


def test_the_keeper_and_the_liaison_see_only_their_own_work(demo_city):
    keeper = User.objects.get(phone="13800000005")
    liaison = User.objects.get(phone="13800000006")

    keeper_home = _client(keeper).get("/").content.decode()
    liaison_home = _client(liaison).get("/").content.decode()

    assert {"/reports/queue/", "/registry/"}.isdisjoint(_nav_urls(keeper_home))
    assert {"/store/verify/", "/stations/staff/stats/"} <= _nav_urls(keeper_home)
    assert {"/store/verify/", "/stations/staff/stats/"}.isdisjoint(_nav_urls(liaison_home))
    assert "积分池" not in liaison_home and "辖区驿站" not in liaison_home
    assert "/volunteer/staff/" not in _nav_urls(liaison_home)


def _pattern(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route or match.view_name


def _crawl(client: Client, user: User | None, start: list[str], visited: set[str]) -> list[str]:
    problems = []
    queue = deque(start)
    per_pattern: dict[str, int] = {}
    while queue and len(visited) < PAGES_PER_PERSON:
        url = queue.popleft()
        if url in visited:
            continue
        pattern = _pattern(urlsplit(url).path)
        if pattern is None or per_pattern.get(pattern, 0) >= PAGES_PER_PATTERN:
            continue
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        visited.add(url)
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        page = _parse(html)
        text = " ".join(page.text)
        for pattern_name, regex in (("raw key", RAW_KEY), ("error code", ERROR_CODE)):
            if found := regex.search(text):
                problems.append(f"{url}: {pattern_name} {found[0]!r} on the page")
        if any(marker in html for marker in FORM_ERRORS):
            problems.append(f"{url}: error text on a form nobody has sent")
        for value in page.date_values:
            if not ISO_DATE.match(value):
                problems.append(f"{url}: date input with value {value!r}")
        for href in page.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES):
                continue
            if parts.path.startswith("/admin/") and parts.path != "/admin/":
                continue  # the admin is Django's own; its index is enough here
            queue.append(path)
    return problems


def test_a_walk_over_the_demo_finds_no_raw_keys_no_stale_errors_and_no_500(demo_city):
    from django.urls import reverse

    problems = []
    patterns: set[str] = set()
    for who, user in _people(demo_city):
        client = _client(user)
        visited: set[str] = set()
        menu = STAFF_NAV if user is not None and user.is_staff else WORKER_NAV
        start = ["/", *(reverse(entry.url_name) for entry in menu)]
        start += ["/accounts/login/", "/accounts/login/?mode=sms"] if user is None else []
        problems += [f"{who}: {problem}" for problem in _crawl(client, user, start, visited)]
        patterns |= {_pattern(urlsplit(url).path) for url in visited}
    assert problems == []
    # The walk reached the pages of every part of the demo, staff sheets included.
    assert len(patterns) > 40, sorted(patterns)
    assert {"volunteer/staff/s/<int:pk>/", "registry/", "store/verify/"} <= patterns, sorted(
        patterns
    )


def test_with_phones_sealed_the_pages_find_export_and_answer_as_before(demo_city, settings):
    """The deployment that seals phones (PII_SEAL_PHONES, then rotate-keys over what is
    stored): every person's walk still finds no 500, and staff still find a worker, a rider's
    account and a login by the whole number or its last four digits, in the pages and the
    admin, and export the ledger with full numbers."""
    from django.core.management import call_command

    from nuanxin.core.crypto import is_sealed
    from nuanxin.registry.models import Worker

    settings.PII_SEAL_PHONES = True
    call_command("rotate_keys", stdout=io.StringIO())
    worker = Worker.objects.filter(user__isnull=False).order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM registry_worker WHERE id = %s", [worker.pk])
        assert is_sealed(cursor.fetchone()[0])

    problems = []
    for who, user in _people(demo_city):
        menu = STAFF_NAV if user is not None and user.is_staff else WORKER_NAV
        start = ["/", *(reverse(entry.url_name) for entry in menu)]
        problems += [f"{who}: {problem}" for problem in _crawl(_client(user), user, start, set())]
    assert problems == []

    boss = _client(User.objects.filter(role="city_admin", is_superuser=False).first())
    phone, tail = worker.phone, worker.phone[-4:]
    for url, name in (
        (f"/registry/workers/?q={phone}", worker.name),
        (f"/registry/workers/?q={tail}", worker.name),
        (f"/admin/registry/worker/?q={phone}", worker.name),
        (f"/admin/registry/worker/?q={tail}", worker.name),
        (f"/admin/accounts/user/?q={phone}", worker.user.name),
        (f"/admin/accounts/user/?q={tail}", worker.user.name),
    ):
        page = boss.get(url)
        assert page.status_code == 200, url
        assert name in page.content.decode(), url
    for model in ("registry/enterprise", "reports/report", "open311/clientapplication"):
        assert boss.get(f"/admin/{model}/").status_code == 200, model
