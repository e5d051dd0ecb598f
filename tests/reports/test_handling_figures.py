"""The dashboard's handling figures: the median hours from filing to resolution per month of
filing, from whole minutes counted per region (so the medians of any area can be worked out
from its regions' counts), the same on SQLite and PostgreSQL."""

import datetime as dt
import statistics
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nuanxin.core.tally import tally_add
from nuanxin.reports.models import Report, State
from nuanxin.reports.selectors import _median, handling_by_month, handling_figures
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

    by_region = handling_by_month(within="", since=dt.datetime(2026, 1, 1, tzinfo=SHANGHAI))
    (grid,) = by_region  # every report was filed in one grid
    found = handling_figures(tally_add({}, by_region[grid]))

    assert by_region[grid]["minutes"]["2026-03"] == {
        "90": 1, "600": 1, "240": 1, "1815": 1
    }  # fmt: skip
    assert statistics.median(march) == 7.0 and statistics.median(april) == 7.75
    assert found["median_hours"] == {"2026-03": 7.0, "2026-04": 7.8}
    # One April report took 100 hours against 3 days allowed; the open report counts in the
    # overdue share only (not late: it is not due yet).
    assert found["overdue_share"] == {"2026-03": 0.0, "2026-04": 33.3, _this_month(): 0.0}


def _this_month() -> str:
    return f"{dt.datetime.now(SHANGHAI):%Y-%m}"


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60))
def test_the_median_of_a_histogram_is_the_median_of_its_values(values):
    histogram: dict[str, int] = {}
    for value in values:
        histogram[str(value)] = histogram.get(str(value), 0) + 1

    assert _median(histogram) == statistics.median(values)
