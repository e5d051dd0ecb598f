"""How a report is shown to its reporter and to staff (API and pages share these)."""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from nuanxin.core.masking import mask_name, mask_phone
from nuanxin.geo.coords import from_wgs84
from nuanxin.points.rules import shortfall_text
from nuanxin.reports.models import EventKind, Report, ReportPhoto, State
from nuanxin.reports.selectors import is_overdue
from nuanxin.reports.services._common import reopen_days


def photo_urls(photo: ReportPhoto) -> dict[str, Any]:
    url = reverse("reports:photo", args=[photo.pk])
    return {
        "id": photo.pk,
        "kind": photo.kind,
        "url": url,
        "thumbnail_url": f"{url}?thumb=1",
        "width": photo.width,
        "height": photo.height,
        "hidden": photo.hidden,
    }


def can_reopen(report: Report, user: Any, now: dt.datetime | None = None) -> bool:
    return (
        report.reporter_id == getattr(user, "pk", None)
        and report.state in (State.RESOLVED, State.CLOSED)
        and (now or timezone.now()) - report.state_changed_at <= dt.timedelta(days=reopen_days())
        and report.reopen_count < 3
    )


def masked_reporter(report: Report) -> str:
    if report.reporter_id is not None:
        person = report.reporter
        return f"{mask_name(person.name)} {mask_phone(person.phone)}".strip()
    return f"{mask_name(report.contact_name)} {mask_phone(report.contact_phone)}".strip()


def _point(report: Report, crs: str) -> tuple[float, float]:
    return from_wgs84(report.lon, report.lat, crs)


def _event(event: Any) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "kind_name": str(EventKind(event.kind).label),
        "to_state": event.to_state,
        "note": event.public_note,
        "at": event.at,
    }


def for_reporter(report: Report, user: Any, crs: str = "wgs84") -> dict[str, Any]:
    lon, lat = _point(report, crs)
    return {
        "id": report.pk,
        "category": report.category.code,
        "category_name": report.category.name,
        "state": report.state,
        "state_name": str(report.get_state_display()),
        "description": report.description,
        "answers": report.answers,
        "address": report.address,
        "lon": lon,
        "lat": lat,
        "region": report.region.name,
        "created_at": report.created_at,
        "due_at": report.due_at,
        "points_requested": report.points_requested,
        "points_awarded": report.points_awarded,
        "points_note": shortfall_text(report.points_limited_by),
        "reject_reason": report.reject_reason,
        "resolution_note": report.resolution_note,
        "duplicate_of": report.duplicate_of_id,
        "support_count": report.support_count,
        "can_reopen": can_reopen(report, user),
        # The reporter sees their own photos even if staff hid them from others.
        "photos": [photo_urls(p) for p in report.photos.all()],
        "events": [_event(e) for e in report.events.filter(visible_to_reporter=True)],
    }


def for_staff(
    report: Report,
    crs: str = "wgs84",
    with_events: bool = False,
    notes: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``notes``: the shortfall reasons' words for a list (``selectors.points_notes``)."""
    lon, lat = _point(report, crs)
    if notes is None:
        note = shortfall_text(report.points_limited_by)
    else:
        note = notes.get(report.points_limited_by, "")
    out = {
        "id": report.pk,
        "category": report.category.code,
        "category_name": report.category.name,
        "state": report.state,
        "state_name": str(report.get_state_display()),
        "description": report.description,
        "original_description": report.original_description,
        "answers": report.answers,
        "address": report.address,
        "media_url": report.media_url,
        "lon": lon,
        "lat": lat,
        "region": report.region.name,
        "region_code": report.region.code,
        "community": report.community.name if report.community_id else None,
        "department": report.department.name if report.department_id else None,
        "assignee": str(report.assignee) if report.assignee_id else None,
        "reporter": masked_reporter(report),
        "channel": report.channel,
        "created_at": report.created_at,
        "due_at": report.due_at,
        "overdue": is_overdue(report),
        "points_requested": report.points_requested,
        "points_awarded": report.points_awarded,
        "points_note": note,
        "support_count": report.support_count,
        "duplicate_of": report.duplicate_of_id,
        "public_hidden": report.public_hidden,
        "photos": [photo_urls(p) for p in report.photos.all()],
    }
    if with_events:
        out["events"] = [
            {
                **_event(e),
                # The reporter stays masked in the history too.
                "actor": masked_reporter(report)
                if e.actor_id and e.actor_id == report.reporter_id
                else (str(e.actor) if e.actor_id else ""),
                "internal_note": e.internal_note,
                "data": e.data,
            }
            for e in report.events.select_related("actor")
        ]
    return out
