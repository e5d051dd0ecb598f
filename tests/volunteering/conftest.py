import datetime as dt

import pytest

from tests import helpers
from tests.volunteering.factories import DAY, TZ


class Clock(helpers.Clock):
    def set(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        self.at = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)
        return self.at


@pytest.fixture
def clock(monkeypatch):
    """Two days before the standard session day, 09:00 local time."""
    start = dt.datetime.combine(DAY - dt.timedelta(days=2), dt.time(9, 0), tzinfo=TZ)
    return Clock(monkeypatch, start)
