"""The demo's history happened on earlier days.

Services stamp what they write with ``timezone.now()``, and some rows cannot be moved afterwards
(ledger entries are append-only), so the demo runs the services of its history with the clock
set to when it happened. What was earned then counts against that day's cap, never today's: a
worker who logs in to the demo can earn the full daily cap.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

from nuanxin.core.timeutil import start_of_local_day


def start_of_today() -> dt.datetime:
    return start_of_local_day(timezone.localdate())


def before_today(moment: dt.datetime) -> dt.datetime:
    """``moment``, or the last minute of yesterday when ``moment`` is today or later."""
    return min(moment, start_of_today() - dt.timedelta(minutes=1))


@contextmanager
def as_of(moment: dt.datetime) -> Iterator[None]:
    """Run the block with ``timezone.now()`` answering ``moment`` (the demo loader is one
    thread; the real clock is back when the block ends, whatever happens in it)."""
    real = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real
