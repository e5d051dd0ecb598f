"""Property tests for every parser of outside input: whatever arrives, each answers with its value
or its documented refusal (a stable code), never another exception; values it gives back round
trip where they should. Example counts are bounded so the file runs in well under 30 s."""

import datetime as dt
import json
import math
import string

import pytest
from django.core import signing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from nuanxin.core.edge import check_text, loads_json
from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import query_date, query_int
from nuanxin.geo import coords
from nuanxin.open311.params import parse_moment, search_parse
from nuanxin.registry.cleaning import (
    FieldProblem,
    clean_birth_year,
    clean_bool,
    clean_contact_phone,
    clean_count,
    clean_credit_code,
    clean_id_number,
    clean_location,
    clean_mobile,
    clean_person_name,
)
from nuanxin.registry.importing.parse import parse_worker
from nuanxin.registry.regions import RegionResolver
from nuanxin.store.services.pickup import clean_code

FEW = settings(max_examples=60, deadline=None)
DB = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# What a spreadsheet cell or a form field can hold.
cells = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40), st.text(alphabet="0123456789 -+*xX.（）()", max_size=24),
    st.dates(), st.datetimes(),
)  # fmt: skip
texts = st.text(max_size=60)


def _only(call, *refusals):
    """Call; a refusal of the documented kinds is an answer too. Returns (value, refused)."""
    try:
        return call(), False
    except refusals:
        return None, True


# --- coordinates -------------------------------------------------------------------------------

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.text(max_size=8),
    st.none(), st.booleans(),
)  # fmt: skip
systems = st.one_of(st.sampled_from(["wgs84", "gcj02", "bd09"]), st.text(max_size=8))


@FEW
@given(numbers, numbers, systems)
def test_point_to_wgs84__answers_a_point_in_range_or_geo_bad_coordinates(lon, lat, system):
    value, refused = _only(lambda: coords.point_to_wgs84(lon, lat, system), ApplicationError)
    if not refused:
        assert -180 <= value[0] <= 180 and -90 <= value[1] <= 90


@FEW
@given(st.one_of(st.lists(numbers, max_size=3), st.text(max_size=5), st.none(), st.integers()))
def test_pair__two_items_or_geo_bad_coordinates(point):
    try:
        assert len(coords.pair(point)) == 2
    except ApplicationError as error:
        assert error.code == "geo.bad_coordinates"


china = st.tuples(st.floats(73.7, 134.7), st.floats(18.2, 53.5))


@FEW
@given(china, st.sampled_from(["gcj02", "bd09", "wgs84"]))
def test_datum_conversion__round_trips_within_a_decimetre(point, system):
    lon, lat = point
    back = coords.to_wgs84(*coords.from_wgs84(lon, lat, system), system)
    assert coords.haversine_m(lon, lat, *back) < 0.1


@FEW
@given(texts)
def test_coord_system_named__a_system_or_none(text):
    assert coords.coord_system_named(text) in (None, *coords.CoordSystem)


@FEW
@given(cells, cells, cells)
def test_clean_location__a_point_none_or_a_field_problem(lon, lat, system):
    value, refused = _only(lambda: clean_location(lon, lat, system), FieldProblem)
    if not refused and value is not None:
        assert all(math.isfinite(v) for v in value)


# --- phone and ID numbers ----------------------------------------------------------------------


@FEW
@given(cells)
def test_clean_mobile__eleven_digits_or_a_field_problem(value):
    phone, refused = _only(lambda: clean_mobile(value), FieldProblem)
    if not refused:
        assert len(phone) == 11 and phone.isdigit() and phone[0] == "1"
        assert clean_mobile(phone) == phone


@FEW
@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", " ", "-", "+86 "]))
def test_clean_mobile__a_real_number_survives_formatting(phone, decoration):
    typed = (
        decoration + phone
        if decoration.startswith("+")
        else decoration.join([phone[:3], phone[3:7], phone[7:]])
    )
    assert clean_mobile(typed) == phone


@FEW
@given(cells)
def test_clean_contact_phone__text_or_a_field_problem(value):
    phone, refused = _only(lambda: clean_contact_phone(value), FieldProblem)
    assert refused or isinstance(phone, str)


def _valid_id(draw_area: int, birth: dt.date, seq: int) -> str:
    body = f"{draw_area}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


ids = st.builds(
    _valid_id,
    st.sampled_from([440802, 440803, 440804, 110101, 310115]),
    st.dates(dt.date(1940, 1, 1), dt.date(2005, 12, 31)),
    st.integers(0, 999),
)


@FEW
@given(cells)
def test_clean_id_number__a_checked_number_none_or_a_field_problem(value):
    number, refused = _only(lambda: clean_id_number(value), FieldProblem)
    if not refused and number is not None:
        assert (
            ric.is_valid(number.number) and clean_id_number(number.number).number == number.number
        )


@FEW
@given(ids, st.booleans(), st.sampled_from(["", " ", "  "]))
def test_clean_id_number__any_valid_number_round_trips(number, lower, pad):
    typed = pad + (number.lower() if lower else number) + pad
    cleaned = clean_id_number(typed)
    assert cleaned.number == number
    assert (
        cleaned.gender in ("M", "F")
        and cleaned.birth_date.isoformat().replace("-", "") == (number[6:14])
    )


@FEW
@given(cells)
def test_clean_credit_code__a_code_none_or_a_field_problem(value):
    code, refused = _only(lambda: clean_credit_code(value), FieldProblem)
    assert refused or code is None or (len(code) == 18 and code == code.upper())


# --- Excel rows --------------------------------------------------------------------------------

row_keys = st.sampled_from([
    "name", "phone", "id_number", "gender", "birth_year", "occupation", "work_region",
    "home_region", "political_status", "union_member", "status", "enterprise_refs",
])  # fmt: skip


@FEW
@given(cells, cells, cells, cells)
def test_cell_cleaners__a_value_or_a_field_problem(name, year, flag, count):
    _only(lambda: clean_person_name(name), FieldProblem)
    _only(lambda: clean_birth_year(year), FieldProblem)
    _only(lambda: clean_bool(flag, label="x"), FieldProblem)
    _only(lambda: clean_count(count, label="x"), FieldProblem)


@pytest.mark.django_db
@DB
@given(st.dictionaries(row_keys, cells, max_size=8))
def test_parse_worker__any_row_becomes_values_or_problems(tree, raw):
    row = parse_worker("worker", 2, raw, RegionResolver())
    assert row.ok or all(code.startswith("registry.") for _key, code, _msg in row.problems)
    if row.ok:
        assert len(row.values["phone"]) == 11


# --- Open311 parameters ------------------------------------------------------------------------

moments = st.one_of(
    texts,
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2110, 1, 1)).map(dt.datetime.isoformat),
    st.dates(dt.date(1990, 1, 1), dt.date(2110, 1, 1)).map(dt.date.isoformat),
)
open311_keys = st.sampled_from(
    ["start_date", "end_date", "status", "service_code", "service_request_id", "page", "limit"]
)


@FEW
@given(moments, st.booleans())
def test_parse_moment__an_aware_moment_or_a_400(raw, end):
    try:
        moment = parse_moment(raw, "start_date", end=end)
    except ApplicationError as error:
        assert error.status == 400 and error.code.startswith("open311.")
    else:
        assert moment.tzinfo is not None


@FEW
@given(st.datetimes(dt.datetime(2001, 1, 1), dt.datetime(2099, 1, 1)))
def test_parse_moment__round_trips_a_local_time_with_its_offset(moment):
    moment = moment.replace(microsecond=0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert parse_moment(moment.isoformat(), "start_date") == moment


@pytest.mark.django_db
@DB
@given(st.dictionaries(open311_keys, st.one_of(moments, st.integers().map(str)), max_size=5))
def test_search_parse__filters_or_a_400(db, params):
    try:
        search = search_parse(params)
    except ApplicationError as error:
        assert error.status == 400 and error.code.startswith("open311.")
    else:
        assert search is not None


# --- QR payloads and pickup codes --------------------------------------------------------------


@pytest.mark.django_db
@DB
@given(
    st.one_of(texts, st.text(alphabet=string.ascii_letters + string.digits + ":-_", max_size=80))
)
def test_checkin_token__any_text_is_a_station_or_stations_bad_qr(raw):
    from nuanxin.stations.services.visits import station_from_token

    with pytest.raises(ApplicationError) as caught:
        station_from_token(raw)
    assert caught.value.code == "stations.bad_qr"


@pytest.mark.django_db
@DB
@given(st.one_of(texts, st.builds(lambda v: signing.Signer(salt="x").sign(v), texts)))
def test_session_token__any_text_is_refused_as_volunteering_bad_token(raw):
    from nuanxin.volunteering.services.attendance import session_from_token

    with pytest.raises(ApplicationError) as caught:
        session_from_token(raw)
    assert caught.value.code == "volunteering.bad_token"


@FEW
@given(cells)
def test_pickup_code__six_digits_or_store_bad_code(value):
    try:
        code = clean_code(value)
    except ApplicationError as error:
        assert error.code == "store.bad_code"
    else:
        assert len(code) == 6 and code.isdigit()


@FEW
@given(st.from_regex(r"[0-9]{6}", fullmatch=True), st.sampled_from(["", " ", "-"]))
def test_pickup_code__survives_the_spaces_and_dashes_people_type(code, sep):
    assert clean_code(f"{code[:3]}{sep}{code[3:]}") == code


# --- dates, numbers and JSON at the edge -------------------------------------------------------


@FEW
@given(st.one_of(texts, st.none(), st.dates().map(dt.date.isoformat)))
def test_query_date__a_date_in_range_or_none(raw):
    value = query_date(raw)
    assert value is None or dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31)


@FEW
@given(st.one_of(texts, st.none(), st.integers().map(str)), st.integers(-1000, 0),
       st.integers(1, 1000))  # fmt: skip
def test_query_int__a_number_within_bounds_or_none(raw, ge, le):
    value = query_int(raw, ge=ge, le=le)
    assert value is None or ge <= value <= le


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**53), 2**53),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(
            alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=20
        ),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=6).filter(str.isprintable), inner, max_size=4),
    ),
    max_leaves=20,
)


@FEW
@given(st.binary(max_size=200))
def test_loads_json__any_bytes_are_a_value_or_a_request_refusal(data):
    try:
        loads_json(data)
    except ApplicationError as error:
        assert error.code.startswith("request.")


@FEW
@given(json_values)
def test_loads_json__round_trips_clean_json(value):
    text = json.dumps(value, ensure_ascii=False)
    try:
        assert loads_json(text.encode()) == value
    except ApplicationError as error:  # only the character rule may refuse it
        assert error.code.startswith("request.")
        with pytest.raises(ApplicationError):
            check_text(text, "body")
