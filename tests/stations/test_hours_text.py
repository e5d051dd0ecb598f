import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nuanxin.stations.hours_text import HoursTextError, format_weekly, parse_weekly
from nuanxin.stations.schedule import Span

T = dt.time


def test_workdays_and_weekend_with_two_spans():
    weekly = parse_weekly("周一至周五 08:00-20:00；周六、周日 09:00-12:00, 14:00-18:00")

    assert weekly[0] == weekly[4] == [Span(T(8), T(20))]
    assert weekly[5] == weekly[6] == [Span(T(9), T(12)), Span(T(14), T(18))]


def test_every_day_24_hours():
    assert parse_weekly("每天 24小时") == {d: [Span(T(0), T(0))] for d in range(7)}
    assert parse_weekly("24小时") == parse_weekly("每天 24小时")


def test_overnight_with_or_without_next_day_marker():
    assert parse_weekly("每天 22:00-次日06:00") == parse_weekly("每天 22:00-06:00")
    assert parse_weekly("每天 22:00-06:00")[3] == [Span(T(22), T(6))]


def test_rest_day_clears_what_an_earlier_part_set():
    weekly = parse_weekly("每天 08:00-20:00；周日 休息")

    assert weekly[6] == []
    assert weekly[5] == [Span(T(8), T(20))]


def test_english_day_names_and_glued_text_and_full_width_colon():
    assert parse_weekly("Mo-Fr 08:00-18:00") == parse_weekly("工作日 08:00-18:00")
    assert parse_weekly("周一至周五08：00-18：00") == parse_weekly("工作日 08:00-18:00")
    assert parse_weekly("周六至周一 10:00-16:00")[0] == [Span(T(10), T(16))]


def test_24_00_as_an_end_is_midnight():
    assert parse_weekly("每天 18:00-24:00")[0] == [Span(T(18), T(0))]


@pytest.mark.parametrize("text", ["", "周八 08:00-09:00", "每天 8点到9点", "每天 25:00-26:00"])
def test_text_that_is_not_hours_is_refused(text):
    with pytest.raises(HoursTextError):
        parse_weekly(text)


def test_format_groups_consecutive_days():
    weekly = parse_weekly("周一至周五 08:00-20:00；周六 22:00-06:00")

    assert format_weekly(weekly) == "周一至周五 08:00-20:00；周六 22:00-次日06:00"
    assert format_weekly(parse_weekly("每天 24小时")) == "每天 24小时"
    assert format_weekly({0: [], 1: []}) == ""


times = st.builds(lambda h, m: T(h, m), st.integers(0, 23), st.sampled_from([0, 5, 30]))
weeks = st.dictionaries(
    st.integers(0, 6), st.lists(st.builds(Span, times, times), min_size=1, max_size=3)
)


@given(weekly=weeks)
def test_format_reads_back_to_the_same_spans(weekly):
    text = format_weekly(weekly)
    if not text:
        return
    parsed = parse_weekly(text)
    for day in range(7):
        assert sorted(set(parsed[day]), key=lambda s: (s.start_s, s.end_s)) == sorted(
            set(weekly.get(day, [])), key=lambda s: (s.start_s, s.end_s)
        )
