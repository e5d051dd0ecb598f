"""What nuanxin says through Open311: services, service definitions and public service requests.

Status mapping (nuanxin report state -> GeoReport ``status``):

=============  ========  ==========================================================
state          status    status_notes
=============  ========  ==========================================================
submitted      open      none (the citizen's own words are not a status note)
reopened       open      none (the reason is the citizen's)
accepted       open      the reviewer's note to the reporter, if any
dispatched     open      the note to the reporter, if any
resolved       closed    the resolution note
closed         closed    the note to the reporter, if any
rejected       closed    the reason given to the reporter
duplicate      closed    "same problem as request N" plus the note, if any
=============  ========  ==========================================================

A staff reassignment to another community keeps the state and makes its note the status note.
The other fields of a request:

- ``agency_responsible``: the department the report is routed or dispatched to.
- ``service_notice``: the category's handling time ("usually handled within N hours").
- ``expected_datetime``: the report's due time (creation or reopening + the category's handling
  hours) while it is open; none once closed.
- ``requested_datetime``: when it was filed; ``updated_datetime``: when it was closed for a
  closed request, the last change otherwise. All with the city's offset (+08:00).
- ``address``: the county, street and community it lies in, never the address the citizen typed.
- ``lat``/``long``: the reports app's public point (the centre of a ~200 m cell, or the
  community's centre for categories anonymous to the public), WGS-84.
- ``description``: the (moderated) text with phone, ID-card numbers and e-mail addresses masked;
  none for categories anonymous to the public and for rejected or duplicate reports.
- ``media_url``: only where the category publishes photos: the first visible photo (served by
  the reports app's checked photo view), else the link the client sent; none otherwise.
- Nothing about the reporter (account, name, phone, e-mail, device) ever leaves through here.
"""

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.masking import mask_id_number, mask_phone
from nuanxin.geo.models import Region
from nuanxin.open311.models import RequestToken
from nuanxin.open311.selectors import services_changed_at
from nuanxin.reports.models import (
    OPEN_STATES,
    Category,
    EventKind,
    PhotoKind,
    Report,
    ReportEvent,
    ReportPhoto,
    State,
)
from nuanxin.reports.privacy import public_point
from nuanxin.reports.questions import questions_clean

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ["text/xml", "application/json"]
NOTE_KINDS = (
    EventKind.ACCEPTED,
    EventKind.REJECTED,
    EventKind.DUPLICATE,
    EventKind.DISPATCHED,
    EventKind.RESOLVED,
    EventKind.CLOSED,
    EventKind.REASSIGNED,
)
DATATYPES = {
    "text": "string",
    "number": "number",
    "single": "singlevaluelist",
    "multi": "multivaluelist",
    "bool": "singlevaluelist",
}
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def when(value: dt.datetime | None) -> str | None:
    """ISO 8601 in the city's time zone, with its offset."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def scrub(text: str) -> str:
    """Mask what identifies a person in free text (a reporter may type their own number)."""
    text = ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    text = PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)
    return EMAIL_RE.sub("***@***", text)


def service_notice(category: Category) -> str:
    return _("该类问题一般在 %(hours)d 小时内处置。") % {"hours": category.handling_hours}


def discovery_out(request: HttpRequest, base_path: str) -> dict[str, Any]:
    from django.conf import settings

    changed = when(services_changed_at() or timezone.now())
    return {
        "changeset": changed,
        "contact": str(getattr(settings, "OPEN311_CONTACT", "") or _("请联系市级管理员。")),
        "key_service": str(
            getattr(settings, "OPEN311_KEY_SERVICE", "")
            or _("API 密钥由市级管理员在管理后台为接入应用签发。")
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri(base_path),
                "changeset": changed,
                "type": str(getattr(settings, "OPEN311_ENDPOINT_TYPE", "production")),
                "formats": FORMATS,
            }
        ],
    }


def service_out(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": bool(questions_clean(category.questions)),
        "type": "realtime",
        "keywords": category.keywords or None,
        "group": category.group or None,
    }


def _attribute(order: int, question: dict[str, Any]) -> dict[str, Any]:
    kind = question["type"]
    if kind == "bool":
        values = [{"key": "true", "name": _("是")}, {"key": "false", "name": _("否")}]
    else:
        values = [{"key": o["key"], "name": o["name"]} for o in question["options"]]
    hints = {
        "number": _("填写数字。"),
        "multi": _("可多选：重复提交 attribute[代码][]。"),
    }
    return {
        "variable": True,
        "code": question["code"],
        "datatype": DATATYPES[kind],
        "required": question["required"],
        "datatype_description": question["hint"] or hints.get(kind),
        "order": order,
        "description": question["label"],
        "values": values,
    }


def definition_out(category: Category) -> dict[str, Any]:
    questions = questions_clean(category.questions)
    return {
        "service_code": category.code,
        "attributes": [_attribute(i, q) for i, q in enumerate(questions, start=1)],
    }


def created_out(report: Report, token: RequestToken) -> dict[str, Any]:
    return {
        "service_request_id": str(report.pk),
        "token": token.token,
        "service_notice": service_notice(report.category),
        "account_id": None,
    }


def token_out(token: RequestToken) -> dict[str, Any]:
    return {"service_request_id": str(token.report_id), "token": token.token}


def _status_notes(reports: list[Report]) -> dict[int, str]:
    """The note of the staff step that set each report's current state (or reassigned it)."""
    notes: dict[int, str] = {}
    state_of = {r.pk: r.state for r in reports}
    events = (
        ReportEvent.objects.filter(
            report_id__in=list(state_of), kind__in=NOTE_KINDS, visible_to_reporter=True
        )
        .order_by("report_id", "at", "id")
        .values_list("report_id", "kind", "to_state", "public_note", "data")
    )
    for report_id, kind, to_state, note, data in events:
        if to_state != state_of[report_id]:
            notes.pop(report_id, None)
            continue
        text = note.strip()
        if kind == EventKind.DUPLICATE:
            same = _("与请求 %(id)s 是同一问题。") % {"id": (data or {}).get("original", "")}
            text = f"{same}{text}"
        notes[report_id] = text
    return {pk: scrub(text) for pk, text in notes.items() if text}


def _photos(reports: list[Report]) -> dict[int, int]:
    """The first public photo of each report whose category publishes photos."""
    eligible = [
        r.pk
        for r in reports
        if r.category.public_photos
        and not r.category.anonymous_public
        and r.state not in (State.REJECTED, State.DUPLICATE)
    ]
    first: dict[int, int] = {}
    rows = (
        ReportPhoto.objects.filter(report_id__in=eligible, kind=PhotoKind.REPORT, hidden=False)
        .order_by("report_id", "id")
        .values_list("report_id", "id")
    )
    for report_id, photo_id in rows:
        first.setdefault(report_id, photo_id)
    return first


def _area_names(reports: Iterable[Report]) -> dict[str, str]:
    """Readable names of the areas (community or region) the reports lie in, one query."""
    paths = {(r.community or r.region).path for r in reports}
    codes = {code for path in paths for code in path.split("/") if code}
    regions = {
        r.code: r for r in Region.objects.filter(code__in=codes).only("code", "name", "depth")
    }
    names = {}
    for path in paths:
        chain = [regions[c] for c in path.split("/") if c in regions]
        names[path] = "".join(r.name for r in chain if r.depth > 0) or (
            chain[-1].name if chain else ""
        )
    return names


def requests_out(request: HttpRequest, reports: list[Report]) -> list[dict[str, Any]]:
    """Public service requests, in a fixed number of queries whatever their number."""
    notes = _status_notes(reports)
    photos = _photos(reports)
    areas = _area_names(reports)
    return [_request(request, r, notes, photos, areas) for r in reports]


def _request(
    request: HttpRequest,
    report: Report,
    notes: dict[int, str],
    photos: dict[int, int],
    areas: dict[str, str],
) -> dict[str, Any]:
    category = report.category
    is_open = report.state in OPEN_STATES
    point = public_point(report)
    withheld = category.anonymous_public or report.state in (State.REJECTED, State.DUPLICATE)
    media_url = None
    if report.pk in photos:
        media_url = request.build_absolute_uri(reverse("reports:photo", args=[photos[report.pk]]))
    elif report.media_url and category.public_photos and not withheld:
        media_url = report.media_url
    return {
        "service_request_id": str(report.pk),
        "status": "open" if is_open else "closed",
        "status_notes": notes.get(report.pk),
        "service_name": category.name,
        "service_code": category.code,
        "description": None if withheld else scrub(report.description),
        "agency_responsible": report.department.name if report.department_id else None,
        "service_notice": service_notice(category),
        "requested_datetime": when(report.created_at),
        "updated_datetime": when(report.updated_at if is_open else report.state_changed_at),
        "expected_datetime": when(report.due_at) if is_open else None,
        "address": areas.get((report.community or report.region).path) or None,
        "address_id": None,
        "zipcode": None,
        "lat": point[1] if point else None,
        "long": point[0] if point else None,
        "media_url": media_url,
    }
