"""The dashboard's handling figures: the median hours from filing to resolution per month of
filing, the same on SQLite (in Python) and PostgreSQL (one grouped query)."""

import datetime as dt
import statistics
from zoneinfo import ZoneInfo

import pytest

from nuanxin.reports.models import Report, State
from nuanxin.reports.selectors import handling_by_month
from tests.reports.factories import submitted

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _handled(tree, filed: dt.datetime, hours: float) -> Report:
    report = submitted(tree)
    Report.objects.filter(pk=report.pk).update(
        state=State.RESOLVED,
        created_at=filed,
        resolved_at=filed + dt.timedelta(hours=hours),
        due_at=filed + dt.timedelta(days=3),
    )
    return report


def test_the_median_of_each_month_of_filing_in_local_time(tree):
    # 2026-03: an even number of durations (the mean of the middle two); 2026-04: odd. The
    # report filed at 23:30 on 31 March local time (15:30 UTC) belongs to March.
    march = [1.5, 10.0, 4.0, 30.25]
    for day, hours in zip((3, 9, 17, 31), march, strict=True):
        _handled(tree, dt.datetime(2026, 3, day, 23, 30, tzinfo=SHANGHAI), hours)
    april = [2.0, 100.0, 7.75]
    for day, hours in zip((1, 2, 30), april, strict=True):
        _handled(tree, dt.datetime(2026, 4, day, 8, 0, tzinfo=SHANGHAI), hours)
    submitted(tree)  # open, not handled: counted in no median

    found = handling_by_month(within="", since=dt.datetime(2026, 1, 1, tzinfo=SHANGHAI))

    assert statistics.median(march) == 7.0 and statistics.median(april) == 7.75
    assert found["median_hours"] == {"2026-03": 7.0, "2026-04": 7.8}
