"""Opening hours as data: weekly spans, overnight spans, exceptions, time zones."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from nuanxin.stations.schedule import DayException, Schedule, Span, always_open

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = dt.time


def at(year: int, month: int, day: int, hour: int, minute: int = 0, tz=SHANGHAI) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=tz)


# 2030-05-13 is a Monday, 2030-05-17 a Friday, 2030-05-18 a Saturday.
OFFICE = Schedule.build({day: [Span(T(8), T(20))] for day in range(5)})
NIGHT_FRIDAY = Schedule.build({4: [Span(T(22), T(6))]})


def test_open_inside_a_span_and_closed_outside_with_the_end_exclusive():
    assert OFFICE.is_open_at(at(2030, 5, 13, 8))
    assert OFFICE.is_open_at(at(2030, 5, 13, 19, 59))
    assert not OFFICE.is_open_at(at(2030, 5, 13, 20))
    assert not OFFICE.is_open_at(at(2030, 5, 13, 7, 59))
    assert not OFFICE.is_open_at(at(2030, 5, 18, 12))  # Saturday


def test_overnight_span_runs_into_the_next_morning():
    assert NIGHT_FRIDAY.is_open_at(at(2030, 5, 17, 23))
    assert NIGHT_FRIDAY.is_open_at(at(2030, 5, 18, 5, 59))
    assert not NIGHT_FRIDAY.is_open_at(at(2030, 5, 18, 6))
    assert not NIGHT_FRIDAY.is_open_at(at(2030, 5, 17, 5))  # Thursday night had no span


def test_overnight_span_belongs_to_the_day_it_starts():
    closed_saturday = Schedule.build(
        {4: [Span(T(22), T(6))]}, {dt.date(2030, 5, 18): DayException(closed=True)}
    )
    closed_friday = Schedule.build(
        {4: [Span(T(22), T(6))]}, {dt.date(2030, 5, 17): DayException(closed=True)}
    )

    assert closed_saturday.is_open_at(at(2030, 5, 18, 3))
    assert not closed_friday.is_open_at(at(2030, 5, 17, 23))
    assert not closed_friday.is_open_at(at(2030, 5, 18, 3))


def test_exception_with_special_spans_replaces_the_weekly_ones():
    half_day = Schedule.build(
        {day: [Span(T(8), T(20))] for day in range(7)},
        {dt.date(2030, 5, 15): DayException(closed=False, spans=(Span(T(9), T(12)),))},
    )

    assert half_day.is_open_at(at(2030, 5, 15, 10))
    assert not half_day.is_open_at(at(2030, 5, 15, 8, 30))
    assert not half_day.is_open_at(at(2030, 5, 15, 15))
    assert half_day.is_open_at(at(2030, 5, 16, 15))


def test_whole_day_span_means_24_hours():
    schedule = Schedule.build(always_open())

    status = schedule.status_at(at(2030, 5, 15, 3))

    assert schedule.is_open_at(at(2030, 5, 15, 0))
    assert schedule.is_open_at(at(2030, 5, 15, 23, 59))
    assert status.is_open and status.closes_at is None


def test_status_says_when_an_open_station_closes():
    status = OFFICE.status_at(at(2030, 5, 13, 10))

    assert status.is_open
    assert status.closes_at == at(2030, 5, 13, 20)


def test_adjacent_and_overnight_spans_chain_into_one_opening():
    schedule = Schedule.build({0: [Span(T(8), T(12)), Span(T(12), T(23))], 1: [Span(T(23), T(2))]})
    chained = Schedule.build({0: [Span(T(20), T(2))], 1: [Span(T(2), T(9))]})

    assert schedule.status_at(at(2030, 5, 13, 9)).closes_at == at(2030, 5, 13, 23)
    assert chained.status_at(at(2030, 5, 13, 21)).closes_at == at(2030, 5, 14, 9)


def test_opens_next_skips_the_weekend_and_a_holiday():
    holiday = Schedule.build(
        {day: [Span(T(8), T(20))] for day in range(5)},
        {dt.date(2030, 5, 20): DayException(closed=True, note="调休")},
    )

    assert OFFICE.opens_next_at(at(2030, 5, 17, 21)) == at(2030, 5, 20, 8)
    assert holiday.opens_next_at(at(2030, 5, 17, 21)) == at(2030, 5, 21, 8)
    assert OFFICE.opens_next_at(at(2030, 5, 13, 9)) == at(2030, 5, 13, 9)


def test_opens_next_is_none_when_nothing_opens_within_the_horizon():
    closed_a_month = Schedule.build(
        {0: [Span(T(8), T(9))]},
        {dt.date(2030, 5, 13) + dt.timedelta(days=7 * w): DayException(True) for w in range(4)},
    )

    assert closed_a_month.opens_next_at(at(2030, 5, 13, 10), horizon_days=14) is None
    assert Schedule.build({}).status_at(at(2030, 5, 13, 10)).opens_at is None


def test_times_in_another_zone_are_read_in_the_station_zone():
    utc_morning = dt.datetime(2030, 5, 13, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai

    assert OFFICE.is_open_at(utc_morning)
    assert not OFFICE.is_open_at(dt.datetime(2030, 5, 13, 13, 0, tzinfo=dt.UTC))


def test_spans_are_wall_clock_times_across_a_daylight_saving_change():
    helsinki = ZoneInfo("Europe/Helsinki")
    # Clocks went forward at 03:00 on Sunday 2030-03-31; the Saturday night span still ends
    # at 06:00 local time.
    night = Schedule.build({5: [Span(T(22), T(6))]}, tz=helsinki)

    assert night.is_open_at(dt.datetime(2030, 3, 31, 5, 30, tzinfo=helsinki))
    assert not night.is_open_at(dt.datetime(2030, 3, 31, 6, 0, tzinfo=helsinki))
    assert night.status_at(dt.datetime(2030, 3, 30, 23, tzinfo=helsinki)).closes_at == (
        dt.datetime(2030, 3, 31, 6, 0, tzinfo=helsinki)
    )


def test_span_labels_say_next_day_and_24_hours():
    assert Span(T(22), T(6)).label() == "22:00-次日06:00"
    assert Span(T(0), T(0)).label() == "24小时"
    assert Span(T(18), T(0)).label() == "18:00-24:00"
    assert Span(T(8), T(20)).label() == "08:00-20:00"


times = st.builds(lambda h, m: T(h, m), st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
spans = st.builds(Span, times, times)
weeks = st.dictionaries(st.integers(0, 6), st.lists(spans, max_size=2), max_size=7)
days = st.dates(dt.date(2030, 5, 10), dt.date(2030, 5, 25))
exception_maps = st.dictionaries(
    days,
    st.builds(DayException, st.booleans(), st.lists(spans, max_size=2).map(tuple)),
    max_size=4,
)
moments = st.datetimes(dt.datetime(2030, 5, 12), dt.datetime(2030, 5, 24)).map(
    lambda d: d.replace(tzinfo=SHANGHAI)
)


@settings(max_examples=200, deadline=None)
@given(weekly=weeks, exceptions=exception_maps, moment=moments)
def test_is_open_at_agrees_with_the_merged_intervals(weekly, exceptions, moment):
    schedule = Schedule.build(weekly, exceptions)

    status = schedule.status_at(moment)

    assert status.is_open == schedule.is_open_at(moment)
    if status.is_open and status.closes_at is not None:
        assert status.closes_at > moment
        assert not schedule.is_open_at(status.closes_at)
        assert schedule.is_open_at(status.closes_at - dt.timedelta(minutes=1))
    if not status.is_open and status.opens_at is not None:
        assert status.opens_at > moment
        assert schedule.is_open_at(status.opens_at)
        assert not schedule.is_open_at(status.opens_at - dt.timedelta(minutes=1))
