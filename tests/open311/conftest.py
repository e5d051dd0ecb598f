from urllib.parse import urlencode

import pytest

from tests.open311 import factories as f
from tests.reports import factories as rf

BASE = "/open311/v2"


@pytest.fixture(autouse=True)
def _default_categories(db):
    """The reports app's default departments and categories (a transactional test elsewhere on
    the same worker may have flushed the ones the migration installed)."""
    from nuanxin.reports.services import defaults_install

    defaults_install()


@pytest.fixture
def app_key(db):
    """A registered client application and its API key."""
    return f.client_app()


@pytest.fixture
def cat(tree):
    return rf.category(code="pothole", name="道路坑洼", handling_hours=48)


@pytest.fixture
def qcat(tree):
    return f.category_with_questions(code="charging", name="飞线充电", handling_hours=24)


@pytest.fixture
def post(client, app_key):
    """POST requests.<fmt> url-encoded as the spec sends it, with the fixture client's key unless
    one is given (``api_key=None`` sends none); lists are sent as repeated fields."""

    def send(fmt: str = "json", headers: dict | None = None, **data):
        data.setdefault("api_key", app_key[1])
        data = {k: v for k, v in data.items() if v is not None}
        return client.post(
            f"{BASE}/requests.{fmt}",
            data=urlencode(data, doseq=True),
            content_type="application/x-www-form-urlencoded",
            headers=headers or {},
        )

    return send
