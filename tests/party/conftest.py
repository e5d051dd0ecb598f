import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests import helpers

TZ = ZoneInfo("Asia/Shanghai")
MEETING_START = dt.datetime(2026, 3, 10, 19, 0, tzinfo=TZ)


@pytest.fixture
def clock(monkeypatch):
    """The day of the standard meeting, 12:00 local time."""
    return helpers.Clock(monkeypatch, dt.datetime(2026, 3, 10, 12, 0, tzinfo=TZ))
