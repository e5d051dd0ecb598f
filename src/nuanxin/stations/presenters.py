"""Stations as plain data for the API and the pages (one shape for both)."""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.timeutil import local_date
from nuanxin.geo.coords import from_wgs84
from nuanxin.stations.display import navigation_links, status_label
from nuanxin.stations.hours_text import format_weekly, format_weekly_shown
from nuanxin.stations.index import NearestHit
from nuanxin.stations.models import StandardService, Station, Weekday
from nuanxin.stations.schedule import OpenStatus, Schedule, Span
from nuanxin.stations.selectors import station_schedule, station_status_now

NEXT_DAYS = 7


def span_data(span: Span) -> dict[str, Any]:
    start, end = span.as_pair()
    return {"start": start, "end": end, "overnight": span.overnight, "label": span.label()}


def open_data(station: Station, status: OpenStatus, now: dt.datetime) -> dict[str, Any]:
    return {
        "is_open": status.is_open,
        "opens_at": status.opens_at,
        "closes_at": status.closes_at,
        "label": status_label(station.status, status, now),
    }


def hours_data(schedule: Schedule, today: dt.date | None = None) -> dict[str, Any]:
    today = today or local_date()
    weekly = [
        {
            "weekday": day,
            "label": str(Weekday(day).label),
            "spans": [span_data(s) for s in schedule.weekly[day]],
        }
        for day in range(7)
    ]
    exceptions = [
        {
            "date": date,
            "closed": exception.closed,
            "spans": [span_data(s) for s in exception.spans],
            "note": exception.note,
        }
        for date, exception in sorted(schedule.exceptions.items())
        if date >= today
    ]
    next_days = [
        {
            "date": day.date,
            "weekday_label": str(Weekday(day.date.weekday()).label),
            "closed": not day.spans,
            "spans": [span_data(s) for s in day.spans],
            "note": day.exception.note if day.exception else None,
        }
        for day in schedule.resolve(today, NEXT_DAYS)
    ]
    return {
        "timezone": str(schedule.tz.key),
        "text": format_weekly(schedule.weekly),
        "shown": format_weekly_shown(schedule.weekly),
        "weekly": weekly,
        "exceptions": exceptions,
        "next_days": next_days,
    }


def station_data(station: Station, *, crs: str = "wgs84", now: dt.datetime | None = None) -> dict:
    """The full public description of a station (prefetch amenities, photos, hours)."""
    now = now or timezone.now()
    schedule = station_schedule(station)
    lon, lat = from_wgs84(station.lon, station.lat, crs)
    return {
        "id": station.pk,
        "code": station.code,
        "kind": station.kind,
        "kind_label": str(station.get_kind_display()),
        "name": station.name,
        "host_type": station.host_type,
        "host_label": str(station.get_host_type_display()),
        "host_name": station.host_name,
        "address": station.address,
        "lon": round(lon, 7),
        "lat": round(lat, 7),
        "crs": crs,
        "region": {"code": station.region.code, "name": station.region.name},
        "amenities": [
            {"code": a.code, "name": a.name, "icon": a.icon} for a in station.amenities.all()
        ],
        "standard_services": [
            {"code": code, "label": str(StandardService(code).label)}
            for code in station.standard_services
        ],
        "extra_services": list(station.extra_services),
        "description": station.description,
        "contact_name": station.contact_name,
        "contact_phone": station.contact_phone,
        "capacity": station.capacity,
        "checkin_radius_m": station.checkin_radius_m,
        "status": station.status,
        "status_label": str(station.get_status_display()),
        "status_note": station.status_note,
        "open": open_data(station, station_status_now(station, now), now),
        "hours": hours_data(schedule),
        "photos": [
            {"id": p.pk, "url": p.image.url, "caption": p.caption} for p in station.photos.all()
        ],
        "navigation": navigation_links(station),
        "url": reverse("stations:detail", args=[station.pk]),
    }


def nearest_data(
    hit: NearestHit, station: Station, amenities: list[str], *, crs: str, now: dt.datetime
) -> dict[str, Any]:
    lon, lat = from_wgs84(station.lon, station.lat, crs)
    return {
        "id": station.pk,
        "code": station.code,
        "name": station.name,
        "kind": station.kind,
        "kind_label": str(station.get_kind_display()),
        "host_type": station.host_type,
        "host_label": str(station.get_host_type_display()),
        "address": station.address,
        "lon": round(lon, 7),
        "lat": round(lat, 7),
        "distance_m": round(hit.distance_m, 1),
        "walk_minutes": hit.walk_minutes,
        "ride_minutes": hit.ride_minutes,
        "open": open_data(station, hit.status, now),
        "amenities": sorted(amenities),
        "url": reverse("stations:detail", args=[station.pk]),
        "navigation": navigation_links(station),
    }


def visit_points_note(visit: Any) -> str:
    """Why a counted visit earned no (or fewer) points, in words ("" when it earned them)."""
    from nuanxin.points.rules import shortfall_text

    return shortfall_text(visit.points_limited_by)


def checkin_message(result: Any) -> str:
    """What the rider is told after scanning: counted or not, and what it earned and why."""
    visit = result.visit
    if not result.counted:
        return str(_("今天已在本驿站签到过，无需重复签到。"))
    text = _("签到成功！欢迎来到%(name)s。") % {"name": visit.station.name}
    if visit.points_awarded:
        return text + _("获得 %(n)d 积分。") % {"n": visit.points_awarded}
    if note := visit_points_note(visit):
        return text + _("本次未获得积分：%(why)s") % {"why": note}
    return text
