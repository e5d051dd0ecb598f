"""Writes to opening hours: the weekly spans and the date exceptions of a station."""

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError
from nuanxin.core.stamps import stamp_bump
from nuanxin.core.timeutil import local_date
from nuanxin.stations.hours_text import HoursTextError, format_weekly, parse_weekly
from nuanxin.stations.models import HoursException, Station, WeeklySpan
from nuanxin.stations.permissions import require_manager
from nuanxin.stations.schedule import Span, span_from_pair
from nuanxin.stations.services.common import STATIONS_TOPIC

MAX_SPANS_PER_DAY = 6
MAX_EXCEPTION_DAYS_AHEAD = 400


def _bad_hours(message: str, **extra: Any) -> ApplicationError:
    return ApplicationError("stations.bad_hours", message, extra=extra)


def weekly_from_text(text: str) -> dict[int, list[Span]]:
    """Parse the text form (``周一至周五 08:00-20:00``), or raise ``stations.bad_hours``."""
    try:
        return parse_weekly(text)
    except HoursTextError as exc:
        raise _bad_hours(_("无法识别的营业时间：%(detail)s") % {"detail": exc}) from exc


def _spans_clean(spans: Iterable[Any]) -> list[Span]:
    out: list[Span] = []
    for item in spans:
        if isinstance(item, Span):
            span = item
        else:
            try:
                span = span_from_pair(item)
            except (TypeError, ValueError) as exc:
                raise _bad_hours(_("时间段必须是两个 HH:MM 时间。"), span=str(item)) from exc
        if span not in out:
            out.append(span)
    if len(out) > MAX_SPANS_PER_DAY:
        raise _bad_hours(
            _("每天最多 %(count)d 个时间段。") % {"count": MAX_SPANS_PER_DAY}, spans=len(out)
        )
    out.sort(key=lambda s: (s.start_s, s.end_s))
    # Overlaps are almost always typing mistakes (08:00-12:00 and 11:00-18:00).
    for first, second in itertools.pairwise(out):
        if second.start_s < first.end_s:
            raise _bad_hours(
                _("时间段 %(a)s 与 %(b)s 重叠。") % {"a": first.label(), "b": second.label()}
            )
    return out


def _weekly_snapshot(station: Station) -> str:
    spans: dict[int, list[Span]] = {}
    for row in station.weekly_spans.all():
        spans.setdefault(row.weekday, []).append(Span(row.start, row.end))
    return format_weekly(spans)


@transaction.atomic
def station_set_weekly_hours(
    *,
    station: Station,
    actor: Any,
    weekly: Mapping[int, Iterable[Any]] | None = None,
    text: str | None = None,
) -> Station:
    """Replace the station's weekly spans, given as {weekday: [(start, end), ...]} or as text.

    Weekday 0 is Monday. A span may run past midnight (22:00-06:00) and 00:00-00:00 is a whole
    day. Days not given are closed.
    """
    if (weekly is None) == (text is None):
        raise TypeError("pass exactly one of weekly= or text=")
    station = Station.objects.select_for_update().select_related("region").get(pk=station.pk)
    if actor is not None:
        require_manager(actor, station)
    days = weekly_from_text(text) if text is not None else dict(weekly or {})
    clean: dict[int, list[Span]] = {}
    for weekday, spans in days.items():
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise _bad_hours(_("星期必须是 0（周一）到 6（周日）。"), weekday=str(weekday))
        clean[weekday] = _spans_clean(spans)
    before = _weekly_snapshot(station)
    station.weekly_spans.all().delete()
    WeeklySpan.objects.bulk_create(
        WeeklySpan(station=station, weekday=day, start=span.start, end=span.end)
        for day, spans in sorted(clean.items())
        for span in spans
    )
    after = format_weekly(clean)
    if before != after:
        audit_record(
            actor=actor,
            action="station.set_hours",
            obj=station,
            before={"weekly": before},
            after={"weekly": after},
            region_path=station.region.path,
        )
        stamp_bump(STATIONS_TOPIC, keys=[station.pk])
    return station


@transaction.atomic
def station_set_exception(
    *,
    station: Station,
    actor: Any,
    date: dt.date,
    closed: bool,
    spans: Iterable[Any] = (),
    note: str = "",
) -> HoursException:
    """Set the hours of one date (a holiday, a temporary closure), replacing the weekly spans."""
    station = Station.objects.select_for_update().select_related("region").get(pk=station.pk)
    if actor is not None:
        require_manager(actor, station)
    today = local_date()
    if date < today - dt.timedelta(days=1) or date > today + dt.timedelta(
        days=MAX_EXCEPTION_DAYS_AHEAD
    ):
        raise ApplicationError(
            "stations.bad_exception_date",
            _("只能为昨天到 %(days)d 天内的日期设置特殊安排。")
            % {"days": MAX_EXCEPTION_DAYS_AHEAD},
            extra={"date": date.isoformat()},
        )
    clean = [] if closed else _spans_clean(spans)
    if not closed and not clean:
        raise _bad_hours(_("请填写当天的开放时段，或设为全天闭站。"))
    note = (note or "").strip()
    if len(note) > 100:
        raise ApplicationError("stations.bad_note", _("说明不超过 100 个字。"))
    existing = HoursException.objects.filter(station=station, date=date).first()
    before = (
        {"closed": existing.is_closed, "spans": existing.spans, "note": existing.note}
        if existing
        else None
    )
    exception = existing or HoursException(station=station, date=date)
    exception.is_closed = closed
    exception.spans = [span.as_pair() for span in clean]
    exception.note = note
    exception.save()
    audit_record(
        actor=actor,
        action="station.set_exception",
        obj=station,
        before=before,
        after={
            "date": date.isoformat(),
            "closed": closed,
            "spans": exception.spans,
            "note": note,
        },
        region_path=station.region.path,
    )
    stamp_bump(STATIONS_TOPIC, keys=[station.pk])
    return exception


@transaction.atomic
def station_remove_exception(*, station: Station, actor: Any, date: dt.date) -> bool:
    """Drop a date exception so the weekly spans apply again; False if there was none."""
    station = Station.objects.select_for_update().select_related("region").get(pk=station.pk)
    if actor is not None:
        require_manager(actor, station)
    existing = HoursException.objects.filter(station=station, date=date).first()
    if existing is None:
        return False
    before = {
        "date": date.isoformat(),
        "closed": existing.is_closed,
        "spans": existing.spans,
        "note": existing.note,
    }
    existing.delete()
    audit_record(
        actor=actor,
        action="station.remove_exception",
        obj=station,
        before=before,
        region_path=station.region.path,
    )
    stamp_bump(STATIONS_TOPIC, keys=[station.pk])
    return True
