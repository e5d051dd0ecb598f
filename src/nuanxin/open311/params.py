"""Reading Open311 request parameters: a new service request, and the filters of a search.

Everything wrong here is a 400 with a stable ``open311.*`` code; nothing is written before the
parameters are known to be good (the reports service then checks the rest the same way).
"""

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.geo.coords import CoordSystem
from nuanxin.reports.models import Category
from nuanxin.reports.questions import questions_clean
from nuanxin.reports.services import ReporterContact

MAX_SPAN = dt.timedelta(days=90)
MAX_RESULTS = 1000
STATUSES = ("open", "closed")
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# "2024-05-01T08:00:00+08:00" sent without URL-encoding arrives with a space for the plus.
UNENCODED_OFFSET_RE = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def bad(code: str, message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(f"open311.{code}", message, extra=extra, status=400)


def _text(params: Mapping[str, Any], name: str) -> str:
    return str(params.get(name) or "").strip()


@dataclass(frozen=True)
class Submission:
    """A checked ``POST requests`` body, ready for ``reports.services.report_submit``."""

    category: Category
    lon: float
    lat: float
    coord_system: str
    description: str
    answers: dict[str, Any]
    address: str
    media_url: str
    contact: ReporterContact
    device_id: str

    def submit_key(self) -> str:
        """The retry key: the same device sending the same content is the same request.

        Without a ``device_id`` two identical requests may come from two people, so there is
        no key and only an Idempotency-Key header makes a retry safe.
        """
        if not self.device_id:
            return ""
        content = json.dumps(
            [
                self.device_id,
                self.category.code,
                round(self.lon, 7),
                round(self.lat, 7),
                self.coord_system,
                self.description,
                self.answers,
                self.address,
                self.media_url,
                [self.contact.name, self.contact.phone, self.contact.email],
            ],
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(content.encode()).hexdigest()


def _coordinate(params: Mapping[str, Any], name: str) -> float:
    try:
        value = float(_text(params, name))
    except ValueError as exc:
        raise bad(
            "bad_location", _("%(name)s 不是有效的数字。") % {"name": name}, field=name
        ) from exc
    if not math.isfinite(value):
        raise bad("bad_location", _("%(name)s 不是有效的数字。") % {"name": name}, field=name)
    return value


def _location(params: Mapping[str, Any]) -> tuple[float, float, str]:
    has_lat, has_long = bool(_text(params, "lat")), bool(_text(params, "long"))
    if not (has_lat and has_long):
        if _text(params, "address_string") or _text(params, "address_id"):
            raise bad(
                "coordinates_required",
                _(
                    "只提供地址无法受理：暖新按位置把问题派给所在网格和社区，"
                    "请同时提供 lat 和 long（WGS-84）。"
                ),
            )
        raise bad("location_required", _("请提供问题位置：lat 和 long（WGS-84）。"))
    system = _text(params, "coord_system") or CoordSystem.WGS84
    if system not in {c.value for c in CoordSystem}:
        raise bad("bad_location", _("coord_system 只能是 wgs84、gcj02 或 bd09。"))
    return _coordinate(params, "long"), _coordinate(params, "lat"), system


def _answers(params: QueryDict, category: Category) -> dict[str, Any]:
    """``attribute[code]=value`` pairs (``attribute[code][]`` repeated for a multi-value list);
    booleans are answered with the keys ``true``/``false`` the service definition lists."""
    kinds = {q["code"]: q["type"] for q in questions_clean(category.questions)}
    answers: dict[str, Any] = {}
    for name in params:
        match = ATTRIBUTE_RE.match(name)
        if match is None:
            continue
        code = match.group(1)
        values = [str(v).strip() for v in params.getlist(name)]
        answers[code] = values if kinds.get(code) == "multi" else (values[-1] if values else "")
    return answers


def _contact(params: Mapping[str, Any]) -> ReporterContact:
    first, last = _text(params, "first_name"), _text(params, "last_name")
    # Chinese names are written family name first and without a space; Latin ones the other way.
    latin = re.search(r"[A-Za-z]", first + last) is not None
    name = f"{first} {last}".strip() if latin else f"{last}{first}"
    return ReporterContact(name=name, phone=_text(params, "phone"), email=_text(params, "email"))


def service_code(params: Mapping[str, Any]) -> str:
    code = _text(params, "service_code")
    if not code:
        raise bad("service_code_required", _("缺少 service_code。"))
    return code


def submission_parse(params: QueryDict) -> Submission:
    """Check a ``POST requests`` body. Descriptions are optional in Open311; an empty one is
    filed as the service's name so staff still see a text."""
    code = service_code(params)
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise bad("unknown_service", _("service_code 不存在：%(code)s") % {"code": code})
    lon, lat, system = _location(params)
    return Submission(
        category=category,
        lon=lon,
        lat=lat,
        coord_system=system,
        description=_text(params, "description") or category.name,
        answers=_answers(params, category),
        address=_text(params, "address_string"),
        media_url=_text(params, "media_url"),
        contact=_contact(params),
        device_id=_text(params, "device_id")[:100],
    )


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_moment(raw: str, name: str, *, end: bool = False) -> dt.datetime:
    """A W3C date-time (an offset or Z; without one it is the city's local time) or a date.

    A bare date as ``end_date`` means the whole of that day.
    """
    text = UNENCODED_OFFSET_RE.sub(r"\1+\2", raw.strip())
    try:
        moment = parse_datetime(text)
        day = None if moment is not None else parse_date(text)
    except ValueError:
        moment = day = None
    if moment is None and day is None:
        raise bad(
            "bad_date",
            _("%(name)s 不是有效的日期时间（例如 2024-05-01T08:00:00+08:00）。") % {"name": name},
            field=name,
        )
    if day is not None:
        moment = dt.datetime.combine(day, dt.time.min)
        if end:
            moment += dt.timedelta(days=1) - dt.timedelta(microseconds=1)
    assert moment is not None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@dataclass(frozen=True)
class Search:
    """The filters of ``GET requests``; ``ids`` set means only those ids (others ignored)."""

    ids: list[int] | None = None
    codes: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    limit: int = MAX_RESULTS


def search_parse(params: Mapping[str, Any], now: dt.datetime | None = None) -> Search:
    """Filters with the spec's defaults: the last 90 days and at most 1000 requests.

    Only a start means the 90 days from it, only an end the 90 days up to it; a wider span is
    refused rather than cut silently.
    """
    raw_ids = _text(params, "service_request_id")
    if raw_ids:
        # Ids are numbers here; anything else names no request and simply matches nothing.
        ids = [int(i) for i in _split(raw_ids) if i.isdigit() and len(i) < 19]
        return Search(ids=ids[:MAX_RESULTS])
    statuses = [s.lower() for s in _split(_text(params, "status"))]
    unknown = sorted(set(statuses) - set(STATUSES))
    if unknown:
        raise bad("bad_status", _("status 只能是 open 或 closed。"), status=unknown)
    codes = _split(_text(params, "service_code"))
    if codes:
        known = set(Category.objects.filter(code__in=codes).values_list("code", flat=True))
        missing = [c for c in codes if c not in known]
        if missing:
            raise bad(
                "unknown_service",
                _("service_code 不存在：%(code)s") % {"code": ", ".join(missing)},
            )
    raw_start, raw_end = _text(params, "start_date"), _text(params, "end_date")
    start = parse_moment(raw_start, "start_date") if raw_start else None
    end = parse_moment(raw_end, "end_date", end=True) if raw_end else None
    if start is None and end is None:
        end = now or timezone.now()
    if start is None:
        assert end is not None
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if start > end:
        raise bad("bad_date_range", _("start_date 不能晚于 end_date。"))
    if end - start > MAX_SPAN:
        raise bad("date_range_too_long", _("一次最多查询 90 天的请求。"))
    return Search(codes=codes, statuses=sorted(set(statuses)), start=start, end=end)
