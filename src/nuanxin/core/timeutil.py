"""Time helpers: everything is aware; 'today' means today in the city's time zone."""

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def local_now() -> dt.datetime:
    return timezone.localtime(timezone.now())


def local_date(at: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(at or timezone.now()).date()


def start_of_local_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def start_of_local_month(day: dt.date) -> dt.datetime:
    return start_of_local_day(day.replace(day=1))
