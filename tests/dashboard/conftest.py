import datetime as dt

import pytest

from tests.volunteering.conftest import Clock
from tests.volunteering.factories import DAY, TZ


@pytest.fixture
def clock(monkeypatch):
    """The volunteering tests' clock (two days before their session day, 09:00), for figures
    built from verified attendance."""
    return Clock(
        monkeypatch, dt.datetime.combine(DAY - dt.timedelta(days=2), dt.time(9), tzinfo=TZ)
    )
