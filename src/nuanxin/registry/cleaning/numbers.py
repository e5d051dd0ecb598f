"""Phone numbers, unified social credit codes and resident ID numbers."""

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from nuanxin.accounts.models import MOBILE_RE
from nuanxin.core.masking import mask_id_number
from nuanxin.registry.cleaning.text import (
    SCIENTIFIC_NOTATION,
    FieldProblem,
    city_today,
    lost_digits,
    to_text,
)
from nuanxin.registry.models import (
    Gender,
)


def _digits_only(value: Any) -> str:
    text = to_text(value)
    return re.sub(r"[\s\-—–_.()（）]", "", text)


def clean_mobile(value: Any) -> str:
    """An 11-digit mainland mobile number from '138 0000-1234', '+86 138…' or a numeric cell."""
    text = _digits_only(value)
    if not text:
        raise FieldProblem("registry.required", _("手机号不能为空。"))
    if "*" in text:
        raise FieldProblem(
            "registry.masked_phone", _("手机号已脱敏（含 *），请填写完整的手机号码。")
        )
    if re.search(r"[/、，,;；]", text):
        raise FieldProblem("registry.invalid_phone", _("一个单元格只能填写一个手机号码。"))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif len(text) == 13 and text.startswith("86"):
        text = text[2:]
    if not MOBILE_RE.match(text):
        raise FieldProblem(
            "registry.invalid_phone",
            _("“%(value)s”不是有效的 11 位手机号码。") % {"value": to_text(value)[:20]},
        )
    return text


_LANDLINE = re.compile(r"^(0\d{2,3})(\d{7,8})$")


def clean_contact_phone(value: Any) -> str:
    """A mobile number, or a landline with its area code ('0759-3188888')."""
    text = _digits_only(value)
    if not text:
        return ""
    if "*" in text:
        raise FieldProblem("registry.masked_phone", _("联系电话已脱敏（含 *），请填写完整号码。"))
    landline = _LANDLINE.match(text)
    if landline:
        # Beijing (010) and the 02x cities have three-digit area codes, all others four.
        split = 3 if text.startswith(("010", "02")) else 4
        return f"{text[:split]}-{text[split:]}"
    try:
        return clean_mobile(text)
    except FieldProblem as problem:
        raise FieldProblem(
            "registry.invalid_phone",
            _("“%(value)s”不是有效的手机号码或带区号的固定电话。") % {"value": to_text(value)[:20]},
        ) from problem


def clean_credit_code(value: Any) -> str | None:
    """A unified social credit code (GB 32100) with a correct check digit, or None if blank."""
    if lost_digits(value):
        raise FieldProblem(
            "registry.number_stored_as_number",
            _("统一社会信用代码被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”后重新填写。"),
        )
    text = re.sub(r"[\s\-]", "", to_text(value)).upper()
    if not text:
        return None
    if SCIENTIFIC_NOTATION.match(text):
        raise FieldProblem(
            "registry.number_stored_as_number",
            _("统一社会信用代码被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”后重新填写。"),
        )
    try:
        return uscc.validate(text)
    except InvalidLength as exc:
        raise FieldProblem(
            "registry.invalid_credit_code",
            _("统一社会信用代码应为 18 位，这里是 %(n)s 位。") % {"n": len(text)},
        ) from exc
    except InvalidFormat as exc:
        raise FieldProblem(
            "registry.invalid_credit_code",
            _("统一社会信用代码含有不允许的字符（前 8 位为数字，不使用字母 I、O、Z、S、V）。"),
        ) from exc
    except InvalidChecksum as exc:
        raise FieldProblem(
            "registry.invalid_credit_code",
            _("统一社会信用代码校验位错误：第 18 位应为 %(digit)s。")
            % {"digit": uscc.calc_check_digit(text[:17])},
        ) from exc


class IdNumber:
    """A checked resident ID number with what it tells: birth date and gender."""

    def __init__(self, number: str, *, recovered: str = "") -> None:
        self.number = number
        self.birth_date = ric.get_birth_date(number)
        self.gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
        self.recovered = recovered  # why the number differs from what was typed, if it does

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)


_OLDEST_BIRTH = dt.date(1900, 1, 1)


def clean_id_number(value: Any) -> IdNumber | None:
    """A resident ID number (GB 11643): length, check digit and birth date are checked.

    Two kinds of damage from spreadsheets are repaired, and say so in ``recovered``: a 17-digit
    number whose check digit must be X (the X was dropped when the cell was numeric), and a
    15-digit first-generation number (converted to 18 digits). A number Excel rounded to 15
    significant digits cannot be repaired.
    """
    if lost_digits(value):
        raise FieldProblem(
            "registry.number_stored_as_number",
            _("身份证号被 Excel 存成了数字，末三位已丢失；请把该列设为“文本”后重新填写。"),
        )
    text = re.sub(r"[\s\-]", "", to_text(value)).upper()
    if not text:
        return None
    if SCIENTIFIC_NOTATION.match(text):
        raise FieldProblem(
            "registry.number_stored_as_number",
            _("身份证号被 Excel 显示成了科学计数法，末几位已丢失；请把该列设为“文本”后重新填写。"),
        )
    if "*" in text:
        raise FieldProblem("registry.masked_id_number", _("身份证号已脱敏（含 *），无法导入。"))
    recovered = ""
    if len(text) == 17 and text.isdigit() and ric.calc_check_digit(text + "0") == "X":
        text += "X"
        recovered = _("身份证号末位的 X 已丢失，已按校验规则补回。")
    elif len(text) == 15 and text.isdigit():
        body = text[:6] + "19" + text[6:]
        text = body + ric.calc_check_digit(body + "0")
        recovered = _("15 位旧身份证号已升级为 18 位。")
    if len(text) != 18:
        raise FieldProblem(
            "registry.invalid_id_number",
            _("身份证号应为 18 位，这里是 %(n)s 位。") % {"n": len(text)},
        )
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise FieldProblem(
            "registry.invalid_id_number",
            _("身份证号前 17 位应为数字，最后一位为数字或 X。"),
        )
    expected = ric.calc_check_digit(text)
    if text[17] != expected:
        raise FieldProblem(
            "registry.invalid_id_number",
            _("身份证号校验位错误：最后一位应为 %(digit)s。") % {"digit": expected},
        )
    try:
        number = IdNumber(text, recovered=recovered)
    except InvalidComponent as exc:
        raise FieldProblem(
            "registry.invalid_id_number",
            _("身份证号中的出生日期 %(date)s 不存在。") % {"date": text[6:14]},
        ) from exc
    if not _OLDEST_BIRTH <= number.birth_date <= city_today():
        raise FieldProblem(
            "registry.invalid_id_number",
            _("身份证号中的出生日期 %(date)s 不在合理范围内。") % {"date": text[6:14]},
        )
    return number
