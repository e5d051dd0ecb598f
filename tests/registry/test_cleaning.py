import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from nuanxin.registry.cleaning import (
    FieldProblem,
    clean_birth_year,
    clean_bool,
    clean_choice,
    clean_contact_phone,
    clean_count,
    clean_credit_code,
    clean_enterprise_name,
    clean_id_number,
    clean_location,
    clean_mobile,
    clean_person_name,
)
from nuanxin.registry.models import EnterpriseKind, Occupation, PoliticalStatus
from tests.registry.factories import credit_code, id_number, id_number_ending_in_x


def _problem(clean, *args, **kwargs) -> str:
    with pytest.raises(FieldProblem) as caught:
        clean(*args, **kwargs)
    return caught.value.code


@pytest.mark.parametrize(
    "raw",
    ["138 0000 1234", "138-0000-1234", "+86 138 0000 1234", "0086-13800001234",
     "１３８００００１２３４", 13800001234, 13800001234.0, " (138)0000-1234 "],
)  # fmt: skip
def test_clean_mobile__accepts_how_people_write_numbers(raw):
    assert clean_mobile(raw) == "13800001234"


@pytest.mark.parametrize(
    ("raw", "code"),
    [("", "registry.required"), ("1380000123", "registry.invalid_phone"),
     ("23800001234", "registry.invalid_phone"), ("138****1234", "registry.masked_phone"),
     ("13800001234/13900001234", "registry.invalid_phone")],
)  # fmt: skip
def test_clean_mobile__refuses_what_is_not_one_mobile_number(raw, code):
    assert _problem(clean_mobile, raw) == code


def test_clean_contact_phone__keeps_landlines_with_area_code():
    assert clean_contact_phone("0759 3388888") == "0759-3388888"
    assert clean_contact_phone("020-12345678") == "020-12345678"
    assert clean_contact_phone("") == ""


def test_clean_credit_code__normalises_spaces_and_case():
    code = credit_code()

    assert clean_credit_code(f" {code[:6]} {code[6:].lower()} ") == code
    assert clean_credit_code(None) is None


def test_clean_credit_code__names_the_right_check_digit():
    code = credit_code()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")

    with pytest.raises(FieldProblem) as caught:
        clean_credit_code(wrong)

    assert caught.value.code == "registry.invalid_credit_code"
    assert caught.value.message.endswith(f"第 18 位应为 {code[17]}。")


@pytest.mark.parametrize("raw", ["9144", "91440804MA0000001I", 9.14408041234567e17, "9.14408E+17"])
def test_clean_credit_code__refuses_wrong_length_letters_and_numbers_from_excel(raw):
    assert _problem(clean_credit_code, raw) in {
        "registry.invalid_credit_code",
        "registry.number_stored_as_number",
    }


def test_clean_id_number__reads_birth_date_and_gender():
    number = clean_id_number(id_number(birth="19900315", seq=11))

    assert number.birth_date == dt.date(1990, 3, 15) and number.gender == "M"
    assert number.masked == number.number[:4] + "*" * 10 + number.number[-4:]


def test_clean_id_number__puts_back_a_lost_x_and_says_so():
    full = id_number_ending_in_x()

    number = clean_id_number(full[:17])

    assert number.number == full and number.recovered


def test_clean_id_number__upgrades_a_15_digit_number():
    number = clean_id_number("440804850101123")

    assert len(number.number) == 18 and number.number.startswith("44080419850101123")
    assert ric.is_valid(number.number) and number.recovered


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (4.40804199003151e17, "registry.number_stored_as_number"),
        ("4.40804E+17", "registry.number_stored_as_number"),
        ("44080419901332001X", "registry.invalid_id_number"),
        ("4408041990", "registry.invalid_id_number"),
        ("4408****1234", "registry.masked_id_number"),
    ],
)
def test_clean_id_number__refuses_damaged_numbers(raw, code):
    assert _problem(clean_id_number, raw) == code


def test_clean_id_number__wrong_check_digit_names_the_right_one():
    number = id_number()
    wrong = number[:17] + ("1" if number[17] != "1" else "2")

    with pytest.raises(FieldProblem) as caught:
        clean_id_number(wrong)

    assert caught.value.message.endswith(f"最后一位应为 {number[17]}。")


@given(
    seq=st.integers(0, 999),
    year=st.integers(1950, 2005),
    day=st.integers(0, 364),
    spaces=st.booleans(),
)
def test_clean_id_number__any_valid_number_survives_formatting(seq, year, day, spaces):
    birth = dt.date(year, 1, 1) + dt.timedelta(days=day)
    number = id_number(birth=f"{birth:%Y%m%d}", seq=seq)
    typed = number.lower()
    if spaces:
        typed = f" {typed[:6]} {typed[6:14]} {typed[14:]} "

    cleaned = clean_id_number(typed)

    assert cleaned.number == number and cleaned.birth_date == birth


@pytest.mark.parametrize(
    ("raw", "value"),
    [("１ ２００", 1200), ("1,200", 1200), ("约35人", 35), (40, 40), (12.0, 12), ("", None)],
)
def test_clean_count__reads_full_width_and_spaced_numbers(raw, value):
    assert clean_count(raw, label="人数") == value


@pytest.mark.parametrize("raw", [-1, 2.5, "很多", "12.5"])
def test_clean_count__refuses_what_is_not_a_whole_number(raw):
    assert _problem(clean_count, raw, label="人数") == "registry.invalid_number"


def test_clean_choice__knows_the_words_offices_use():
    assert clean_choice("外卖员", Occupation, label="职业") == "rider"
    assert clean_choice("快递小哥", Occupation, label="职业") == "courier"
    assert clean_choice("营业部", EnterpriseKind, label="类型") == "station"
    assert clean_choice("预备党员", PoliticalStatus, label="政治面貌") == "probationary"
    assert clean_choice("rider", Occupation, label="职业") == "rider"


def test_clean_choice__unknown_word_lists_what_is_allowed():
    with pytest.raises(FieldProblem) as caught:
        clean_choice("厨师", Occupation, label="职业")

    assert caught.value.code == "registry.invalid_choice"
    assert "外卖骑手、快递员" in caught.value.message


def test_clean_bool_and_birth_year():
    assert clean_bool("√", label="x") is True and clean_bool("否", label="x") is False
    assert clean_bool("", label="x") is None
    assert clean_birth_year("1990年") == 1990
    assert clean_birth_year(dt.datetime(1988, 5, 1)) == 1988
    assert _problem(clean_birth_year, "九零后") == "registry.invalid_birth_year"


def test_clean_names__collapse_spaces_between_chinese_characters():
    assert clean_person_name("张　三") == "张三"
    assert clean_person_name("买买提 · 艾力") == "买买提 · 艾力"
    assert clean_enterprise_name("顺丰速运(坡头营业部)") == "顺丰速运（坡头营业部）"
    assert _problem(clean_person_name, "张三1") == "registry.invalid_name"


def test_clean_location__converts_gcj02_to_wgs84_and_refuses_swapped_numbers():
    lon, lat = clean_location("110.4553", "21.2447", "高德")

    assert 110.44 < lon < 110.456 and 21.24 < lat < 21.25
    assert (lon, lat) != (110.4553, 21.2447)
    assert _problem(clean_location, 21.2, 110.4) == "registry.invalid_location"
