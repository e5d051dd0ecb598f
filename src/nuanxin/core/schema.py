"""The types every API input uses for numbers, dates and times: strict, bounded, finite.

Pydantic's lax mode takes ``"100"`` and ``true`` for an int and bounds nothing, so a JSON body
could carry 2**63 into a bigint column (an IntegrityError on PostgreSQL, a REAL on SQLite) or a
year 9999 into date arithmetic (OverflowError). Every number or date an API operation accepts is
one of the types below; ``tests/core/test_edge_schema.py`` walks every operation of the API and
fails on any that is not.

Two families, because the same number arrives in two forms:
- ``json_*`` for JSON bodies: a JSON integer only (no string, boolean or float), in range;
- ``param_*`` for query, path and form values, which are always text: plain decimal digits only
  (no ``1.0``, ``1_000`` or ``+5``), in range.
Dates and datetimes come as ISO text in both; a datetime without an offset is the city's local
time, and both lie between ``DATE_MIN`` and ``DATE_MAX``.

These are the edge's bounds: what no column, index or arithmetic breaks on. Where a service
has its own, narrower rule (a count from 1 to 50, a point inside China, a positive price) the
edge bound is wider and leaves the judgement, and its error code, to the service.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from ninja.conf import settings as ninja_settings
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    PlainSerializer,
    Strict,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

# The largest value a bigint primary key holds.
MAX_ID = 2**63 - 1
# Points in one amount (a price, an award, an adjustment): far above any real figure, far below
# where sums of many of them could leave 64 bits.
MAX_POINTS = 1_000_000_000
# People, places, units of stock, leaflets...
MAX_COUNT = 1_000_000
# Offsets into a list: beyond this a client should narrow its filters.
MAX_OFFSET = 1_000_000
MAX_PAGE = 100_000
# Distances and radii in metres: half the earth's circumference.
MAX_METERS = 20_000_000.0
# Coordinates in degrees: wide of any coordinate system, so the converters judge the range and
# answer with their own codes (geo.bad_coordinates and the like).
MAX_DEGREES = 1000.0
# Ids in one request (bulk actions, links to enterprises).
MAX_IDS = 500
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
YEAR_MIN, YEAR_MAX = 1900, 2100


@dataclass(frozen=True)
class Edge:
    """Marks an annotated type as one of this module's: ``source`` is "json" for JSON bodies,
    "param" for values that arrive as text (query, path, form)."""

    source: str


JSON = Edge("json")
PARAM = Edge("param")
_DIGITS = re.compile(r"-?[0-9]{1,20}")


def _decimal_text(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    if isinstance(value, str) and not _DIGITS.fullmatch(value):
        raise PydanticCustomError(
            "int_parsing", "Input should be a whole number written in decimal digits"
        )
    return value


def _not_zero(value: int) -> int:
    if value == 0:
        raise PydanticCustomError("not_zero", "Input should not be zero")
    return value


def json_int(ge: int, le: int) -> Any:
    """A JSON integer in [ge, le]."""
    return Annotated[int, Strict(), Field(ge=ge, le=le), JSON]


def param_int(ge: int, le: int) -> Any:
    """An integer written in decimal digits (query, path, form), in [ge, le]."""
    return Annotated[int, BeforeValidator(_decimal_text), Field(ge=ge, le=le), PARAM]


def json_float(ge: float, le: float) -> Any:
    """A finite JSON number in [ge, le] (integers are taken as floats)."""
    return Annotated[float, Strict(), Field(ge=ge, le=le, allow_inf_nan=False), JSON]


def param_float(ge: float, le: float) -> Any:
    """A finite number written as text, in [ge, le]."""
    return Annotated[float, Field(ge=ge, le=le, allow_inf_nan=False), PARAM]


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("decimal_type", "Input should be a valid decimal")
    return value


def json_decimal(ge: int, le: int, places: int) -> Any:
    """A finite decimal (JSON number or decimal text) in [ge, le] with at most ``places``."""
    digits = len(str(le)) + places
    return Annotated[
        Decimal,
        BeforeValidator(_no_bool),
        Field(ge=ge, le=le, max_digits=digits, decimal_places=places, allow_inf_nan=False),
        JSON,
    ]


def _iso_text(value: Any) -> Any:
    """Dates and times come as ISO text, never as numbers (pydantic would read 0 as 1970)."""
    if isinstance(value, str | dt.date | dt.time):
        return value
    raise PydanticCustomError("iso_text", "Input should be an ISO 8601 text")


def _date_in_range(value: dt.date) -> dt.date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise PydanticCustomError(
            "date_range",
            "Date should lie between {min} and {max}",
            {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
        )
    return value


def _aware_in_range(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    _date_in_range(value.date())
    return value


def _naive_time(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise PydanticCustomError("time_offset", "A time of day carries no offset")
    return value


def _edge(kind: type, *validators: Any) -> Any:
    return Annotated[kind, BeforeValidator(_iso_text), *validators, JSON, PARAM]


def date_in_range(value: dt.date) -> bool:
    """For pages and forms that read dates themselves."""
    return DATE_MIN <= value <= DATE_MAX


# --- the types -------------------------------------------------------------------------------

Id = json_int(1, MAX_ID)
IdParam = param_int(1, MAX_ID)
Ids = Annotated[list[Id], Field(max_length=MAX_IDS)]
# A points amount that moves points (an adjustment): never zero, either sign.
Amount = Annotated[json_int(-MAX_POINTS, MAX_POINTS), AfterValidator(_not_zero)]
# Points, counts and hours whose sign and range the service judges with its own codes (a
# negative price is store.bad_price, a capacity over the limit stations.bad_capacity...).
PointsAmount = json_int(-MAX_POINTS, MAX_POINTS)
Quantity = json_int(-MAX_COUNT, MAX_COUNT)
SignedHours = json_int(-24 * 366, 24 * 366)
# Hours of work with two decimals (a volunteer's verified hours).
HoursDecimal = json_decimal(-24 * 366, 24 * 366, 2)
# 0 = Monday (a station's week) and ISO 1 = Monday .. 7 = Sunday (a volunteer project's).
Weekday = json_int(0, 6)
IsoWeekday = json_int(1, 7)
Year = json_int(YEAR_MIN, YEAR_MAX)
YearParam = param_int(YEAR_MIN, YEAR_MAX)
Offset = param_int(0, MAX_OFFSET)
Page = param_int(1, MAX_PAGE)
Lon = Lat = json_float(-MAX_DEGREES, MAX_DEGREES)
LonParam = LatParam = param_float(-MAX_DEGREES, MAX_DEGREES)
MetersParam = param_float(0, MAX_METERS)
Date = _edge(dt.date, AfterValidator(_date_in_range))
DateTime = _edge(dt.datetime, AfterValidator(_aware_in_range))
# A time of day is "08:00" or "08:00:00", with no offset. JSON Schema's "time" format is RFC
# 3339's, which requires an offset ("08:00:00+08:00"), so the document states the pattern.
TIME_OF_DAY_SCHEMA = {
    "type": "string",
    "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
    "examples": ["08:00"],
}
TimeOfDay = Annotated[
    _edge(dt.time, AfterValidator(_naive_time)), WithJsonSchema(TIME_OF_DAY_SCHEMA)
]
# In answers: the same text ("16:00:00").
TimeOfDayOut = Annotated[
    dt.time,
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema(TIME_OF_DAY_SCHEMA),
]
# A point in answers: [longitude, latitude].
PointOut = Annotated[list[float], Field(min_length=2, max_length=2)]


class ErrorOut(Schema):
    """Every refusal's body: a stable code to branch on, a message for people, details."""

    code: str = Field(description="稳定的错误代码，如 points.insufficient_balance")
    message: str = Field(description="给人看的说明（随请求语言）")
    extra: dict[str, Any] = Field(description="补充信息，随错误代码而定")


def validate_as(schema: type[BaseModel], data: Any, *, loc: tuple[str, ...]) -> Any:
    """``data`` checked against ``schema`` inside a view (a part of the body whose schema
    depends on another field); a mismatch is the same 422 ``validation_error`` as Ninja's."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        errors = [{**e, "loc": (*loc, *e["loc"])} for e in exc.errors(include_url=False)]
        raise NinjaValidationError(errors) from exc


def limit_param(maximum: int) -> Any:
    """A page size (query) from 1 to ``maximum``."""
    return param_int(1, maximum)


class Pagination(PageNumberPagination):
    """Ninja's page-number pagination with a bounded page and page size (Ninja's own bounds
    neither: page 10**20 reached the database as an offset)."""

    class Input(Schema):
        page: Page = 1
        page_size: limit_param(ninja_settings.PAGINATION_MAX_PER_PAGE_SIZE) | None = None
