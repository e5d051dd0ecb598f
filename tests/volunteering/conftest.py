import datetime as dt

import pytest
from django.utils import timezone

from tests.volunteering.factories import DAY, TZ


class Clock:
    """Holds the services' notion of now (django.utils.timezone.now) at a chosen moment."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.at = dt.datetime.combine(DAY - dt.timedelta(days=2), dt.time(9, 0), tzinfo=TZ)
        monkeypatch.setattr(timezone, "now", lambda: self.at)

    def set(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        self.at = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)
        return self.at

    def advance(self, **delta: float) -> dt.datetime:
        self.at += dt.timedelta(**delta)
        return self.at


@pytest.fixture
def clock(monkeypatch):
    """Two days before the standard session day, 09:00 local time."""
    return Clock(monkeypatch)
