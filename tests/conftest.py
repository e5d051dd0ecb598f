import io
import itertools
import os
import shutil

import pytest

from tests import demo_db
from tests.factories import build_tree
from tests.helpers import in_ci, verify_second_factor

CHROMIUM = os.environ.get("NUANXIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def pytest_addoption(parser, pluginmanager):
    if not pluginmanager.has_plugin("xdist"):
        # With xdist disabled (-p no:xdist) the -n and --dist of the ini's addopts mean nothing;
        # accept them so that a run in one process needs no other change. (Like xdist itself,
        # this needs _addoption: pytest reserves lower-case short options.)
        group = parser.getgroup("xdist", "distributed testing (pytest-xdist is disabled)")
        group._addoption("-n", "--numprocesses", dest="numprocesses", help="ignored")
        group._addoption("--dist", dest="dist", default="no", help="ignored")


def pytest_collection_modifyitems(items):
    """In a module whose tests partly use the demo, those that do not run first: the demo's
    database stays connected from the module's first demo test to the module's end."""
    ordered = []
    for _module, group in itertools.groupby(items, key=lambda item: item.nodeid.split("::")[0]):
        group = list(group)
        ordered += [item for item in group if "demo_city" not in item.fixturenames]
        ordered += [item for item in group if "demo_city" in item.fixturenames]
    items[:] = ordered


def pytest_collection_finish(session):
    # Start building the demo now, so that it is ready when the first test that needs it runs.
    if not session.config.option.collectonly and any(
        "demo_city" in item.fixturenames for item in session.items
    ):
        demo_db.build_start(demo_db.run_dir(session.config))


@pytest.fixture(scope="session")
def _demo_copy(request, django_db_setup, django_db_blocker):
    copy = demo_db.DemoCopy.create(demo_db.run_dir(request.config), django_db_blocker)
    yield copy
    copy.drop()


@pytest.fixture(scope="module")
def _demo_database(_demo_copy):
    with _demo_copy.active():
        yield _demo_copy


@pytest.fixture
def demo_city(request, _demo_database, settings):
    """The whole Zhanjiang demo city (a DemoContext with the demo's accounts in credentials).

    Built once per run; the test runs in a copy of it, rolled back at the end as usual (see
    tests/demo_db.py). A transactional test may commit: the copy is made afresh after it.
    """
    from nuanxin.demo.loader import DemoContext

    # The cases in which pytest-django runs a test with real commits.
    marker = request.node.get_closest_marker("django_db")
    if (
        (marker and (marker.args[:1] == (True,) or marker.kwargs.get("transaction")))
        or (marker and marker.kwargs.get("reset_sequences"))
        or {"transactional_db", "live_server"} & set(request.fixturenames)
    ):
        request.node.stash[_REFRESH_DEMO] = _demo_database
    _demo_database.link_media(settings.MEDIA_ROOT)
    return DemoContext(
        out=io.StringIO(_demo_database.output), credentials=_demo_database.credentials
    )


_REFRESH_DEMO = pytest.StashKey[demo_db.DemoCopy]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        if (copy := item.stash.get(_REFRESH_DEMO, None)) is not None:
            copy.refresh()


@pytest.fixture
def tree(db):
    return build_tree()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The production hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = demo_db.TEST_HASHERS


@pytest.fixture(autouse=True)
def _second_factor_with_force_login(monkeypatch):
    """``Client.force_login`` logs a user in as the login page does once every step passed: a
    user whose role needs a second factor gets an authenticator and a verified session. Tests
    of the second-factor gate log in with ``one_factor_login`` instead."""
    from django.test import Client

    from nuanxin.accounts.second_factor import second_factor_required

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if second_factor_required(user):
            verify_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "one_factor_login", original, raising=False)


@pytest.fixture(autouse=True)
def _default_language():
    """LocaleMiddleware leaves the last request's language active in the thread; every test
    starts in Chinese, the site's default."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_indexes():
    """In-memory indexes are per process, and so is Django's (local memory) cache; the test
    database is rebuilt between tests."""
    from django.core.cache import cache as django_cache

    from nuanxin.core.stamps import StampedCache

    for cache in StampedCache.instances:
        cache.clear()
    django_cache.clear()
    yield


@pytest.fixture(scope="session")
def browser():
    if not (shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)):
        if in_ci():
            pytest.fail(f"CI needs the system Chromium at {CHROMIUM} for browser tests")
        pytest.skip(
            f"browser test: no Chromium at {CHROMIUM} (install it, or set NUANXIN_CHROMIUM "
            "to its path; CI requires it)"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the Django calls the tests make
    # beside it are ordinary synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


_skipped_browser_tests: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped and "browser" in report.keywords:
        _skipped_browser_tests.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if not hasattr(session.config, "workerinput"):
        # The process that started the run (the xdist controller, or the only process).
        from pytest_django.plugin import blocking_manager_key

        with session.config.stash[blocking_manager_key].unblock():
            demo_db.build_cleanup(demo_db.run_dir(session.config))
    if in_ci() and _skipped_browser_tests:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            f"CI: {len(_skipped_browser_tests)} browser tests were skipped; failing the run."
        )
        session.exitstatus = 1


@pytest.fixture
def screenshot_dir():
    """Where browser tests leave screenshots for people to look at (data/screenshots)."""
    from django.conf import settings

    path = settings.DATA_DIR / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
