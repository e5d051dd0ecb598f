import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone


@pytest.fixture(autouse=True)
def _no_remembered_failures():
    """Wrong-code counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


class Clock:
    """Holds the services' notion of now (django.utils.timezone.now) at a chosen moment."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = timezone.make_aware(dt.datetime(2030, 5, 15, 10, 0))
        monkeypatch.setattr(timezone, "now", lambda: self.at)

    def set(self, *args: int) -> dt.datetime:
        self.at = timezone.make_aware(dt.datetime(*args))
        return self.at

    def advance(self, **delta: float) -> dt.datetime:
        self.at += dt.timedelta(**delta)
        return self.at


@pytest.fixture
def clock(monkeypatch):
    """2030-05-15 10:00 in the city's time zone, moved by the test."""
    return Clock(monkeypatch)
