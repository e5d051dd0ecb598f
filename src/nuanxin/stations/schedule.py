"""Opening hours as data: weekly spans, date exceptions and a time zone; pure Python.

The rules, shared by the nearest search, the pages and the API:

* A span is a start and an end wall-clock time. If the end is not after the start the span runs
  past midnight into the next day (22:00-06:00); if it equals the start the span lasts 24 hours
  (00:00-00:00 is a whole day).
* A span belongs to the day it starts. Friday's 22:00-06:00 is open until Saturday 06:00 even if
  Saturday is a holiday with the station closed.
* A date exception replaces that date's weekly spans: closed all day, or its own spans.
* Times are wall-clock times in the station's time zone: a station open 22:00-06:00 closes at
  06:00 local time whatever the clock did overnight.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

SECONDS_PER_DAY = 86_400
DEFAULT_HORIZON_DAYS = 14


def _seconds(t: dt.time) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1_000_000


@dataclass(frozen=True, slots=True)
class Span:
    start: dt.time
    end: dt.time

    @property
    def start_s(self) -> float:
        return _seconds(self.start)

    @property
    def end_s(self) -> float:
        """Seconds after the start day's midnight; past 86,400 for a span into the next day."""
        end = _seconds(self.end)
        return end if end > self.start_s else end + SECONDS_PER_DAY

    @property
    def overnight(self) -> bool:
        return self.end_s > SECONDS_PER_DAY

    @property
    def whole_day(self) -> bool:
        return self.start == self.end

    def label(self) -> str:
        if self.whole_day and self.start == dt.time(0):
            return _("24小时")
        start = f"{self.start:%H:%M}"
        if self.overnight:
            return _("%(start)s-次日%(end)s") % {"start": start, "end": f"{self.end:%H:%M}"}
        end = "24:00" if self.end == dt.time(0) else f"{self.end:%H:%M}"
        return f"{start}-{end}"

    def as_pair(self) -> list[str]:
        return [f"{self.start:%H:%M}", f"{self.end:%H:%M}"]


@dataclass(frozen=True, slots=True)
class DayException:
    closed: bool
    spans: tuple[Span, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class OpenStatus:
    """Whether a station is open at a moment, when it closes, or when it opens next.

    ``closes_at`` is None when the station stays open beyond the search horizon (a 24-hour
    station); ``opens_at`` is None when it is open, or does not open within the horizon.
    """

    is_open: bool
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class ResolvedDay:
    date: dt.date
    spans: tuple[Span, ...]
    exception: DayException | None


def _sorted_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    return tuple(sorted(set(spans), key=lambda s: (s.start_s, s.end_s)))


@dataclass(frozen=True)
class Schedule:
    """A station's weekly spans (Monday first), exceptions by date and time zone."""

    weekly: tuple[tuple[Span, ...], ...]
    exceptions: Mapping[dt.date, DayException] = field(default_factory=dict, hash=False)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))

    @classmethod
    def build(
        cls,
        weekly: Mapping[int, Iterable[Span]] | Iterable[tuple[int, Span]],
        exceptions: Mapping[dt.date, DayException] | None = None,
        tz: str | ZoneInfo = "Asia/Shanghai",
    ) -> Schedule:
        days: list[list[Span]] = [[] for _ in range(7)]
        items = weekly.items() if isinstance(weekly, Mapping) else weekly
        for weekday, spans in _grouped(items):
            days[weekday].extend(spans)
        zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        return cls(tuple(_sorted_spans(d) for d in days), dict(exceptions or {}), zone)

    @property
    def is_empty(self) -> bool:
        return not any(self.weekly) and not any(
            e.spans for e in self.exceptions.values() if not e.closed
        )

    def spans_on(self, day: dt.date) -> tuple[Span, ...]:
        exception = self.exceptions.get(day)
        if exception is not None:
            return () if exception.closed else exception.spans
        return self.weekly[day.weekday()]

    def is_open_at(self, at: dt.datetime) -> bool:
        local = at.astimezone(self.tz)
        day = local.date()
        now_s = _seconds(local.time())
        for span in self.spans_on(day):
            if span.start_s <= now_s < span.end_s:
                return True
        # Yesterday's overnight spans reach into today.
        for span in self.spans_on(day - dt.timedelta(days=1)):
            if now_s + SECONDS_PER_DAY < span.end_s:
                return True
        return False

    def _intervals(self, first: dt.date, last: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """Merged open intervals as naive wall-clock datetimes for spans starting first..last."""
        raw: list[tuple[dt.datetime, dt.datetime]] = []
        day = first
        while day <= last:
            midnight = dt.datetime.combine(day, dt.time(0))
            for span in self.spans_on(day):
                raw.append(
                    (
                        midnight + dt.timedelta(seconds=span.start_s),
                        midnight + dt.timedelta(seconds=span.end_s),
                    )
                )
            day += dt.timedelta(days=1)
        raw.sort()
        merged: list[tuple[dt.datetime, dt.datetime]] = []
        for start, end in raw:
            if merged and start <= merged[-1][1]:
                if end > merged[-1][1]:
                    merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        return merged

    def status_at(self, at: dt.datetime, horizon_days: int = DEFAULT_HORIZON_DAYS) -> OpenStatus:
        local = at.astimezone(self.tz).replace(tzinfo=None)
        day = local.date()
        # Most answers lie within a day; look further only when they do not.
        for window in sorted({min(1, horizon_days), horizon_days}):
            last = day + dt.timedelta(days=window)
            # Spans of later days start at or after this, so an interval ending before it is
            # complete; one reaching it may go on (a 24-hour station).
            window_end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0))
            final = window == horizon_days
            for start, end in self._intervals(day - dt.timedelta(days=1), last):
                if end <= local:
                    continue
                if start <= local:
                    if end < window_end:
                        return OpenStatus(True, closes_at=end.replace(tzinfo=self.tz))
                    if final:
                        return OpenStatus(True)
                    break
                return OpenStatus(False, opens_at=start.replace(tzinfo=self.tz))
        return OpenStatus(False)

    def opens_next_at(
        self, at: dt.datetime, horizon_days: int = DEFAULT_HORIZON_DAYS
    ) -> dt.datetime | None:
        """The first moment at or after ``at`` when the station is open (``at`` if open now)."""
        status = self.status_at(at, horizon_days)
        return at if status.is_open else status.opens_at

    def resolve(self, first: dt.date, days: int) -> list[ResolvedDay]:
        """The spans of each of ``days`` dates from ``first``, exceptions applied."""
        out = []
        for offset in range(days):
            day = first + dt.timedelta(days=offset)
            out.append(ResolvedDay(day, self.spans_on(day), self.exceptions.get(day)))
        return out


def _grouped(items: Iterable[tuple[int, Span | Iterable[Span]]]) -> Iterable[tuple[int, list]]:
    for weekday, value in items:
        if not 0 <= int(weekday) <= 6:
            raise ValueError(f"weekday must be 0..6, got {weekday!r}")
        yield int(weekday), [value] if isinstance(value, Span) else list(value)


def always_open() -> dict[int, list[Span]]:
    """Weekly spans of a 24-hour station."""
    return {weekday: [Span(dt.time(0), dt.time(0))] for weekday in range(7)}


def parse_clock(text: str) -> dt.time:
    """ "08:00" -> time(8); "24:00" is midnight at the end of the day, i.e. 00:00."""
    text = text.strip().replace("：", ":")
    hours, _sep, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
        raise ValueError(f"not a HH:MM time: {text!r}")
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        return dt.time(0)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise ValueError(f"not a HH:MM time: {text!r}")
    return dt.time(h, m)


def span_from_pair(pair: Iterable[str]) -> Span:
    values = list(pair)
    if len(values) != 2:
        raise ValueError("a span is a pair of times")
    return Span(parse_clock(str(values[0])), parse_clock(str(values[1])))
