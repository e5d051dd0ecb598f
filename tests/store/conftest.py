import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests import helpers


@pytest.fixture(autouse=True)
def _no_remembered_failures():
    """Wrong-code counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


class Clock(helpers.Clock):
    def set(self, *args: int) -> dt.datetime:
        """Local wall time: ``set(2030, 5, 20, 15, 0)``."""
        self.at = timezone.make_aware(dt.datetime(*args))
        return self.at


@pytest.fixture
def clock(monkeypatch):
    """2030-05-15 10:00 in the city's time zone, moved by the test."""
    return Clock(monkeypatch, timezone.make_aware(dt.datetime(2030, 5, 15, 10, 0)))
