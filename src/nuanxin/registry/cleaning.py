"""Cleaning of values typed by people: one set of rules for forms, the API and Excel imports.

Every function takes what a cell or a form field may hold (text with full-width characters and
stray spaces, numbers Excel made of digits, dates) and returns the canonical value, or raises
``FieldProblem`` with a stable code and a Chinese message that names the problem.
"""

import datetime as dt
import re
import time
import unicodedata
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from nuanxin.accounts.models import MOBILE_RE
from nuanxin.core.masking import mask_id_number, mask_phone
from nuanxin.core.timeutil import local_date
from nuanxin.geo.coords import CoordSystem, to_wgs84
from nuanxin.registry.models import (
    EnterpriseKind,
    EnterpriseStatus,
    Gender,
    Industry,
    Occupation,
    PoliticalStatus,
    WorkerStatus,
)


class FieldProblem(Exception):
    """A value that cannot be accepted; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)


# Excel keeps 15 significant digits: a longer number typed into a numeric cell lost its tail.
_EXCEL_EXACT_DIGITS = 15
_SPACES = re.compile(r"\s+")
_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")
_NUMBER_SEPARATORS = re.compile(r"[\s,，'_]")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")


def to_text(value: Any) -> str:
    """A cell or field value as canonical text: NFKC (full-width to ASCII), trimmed."""
    if value is None:
        return ""
    if type(value) is str and value.isascii():
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return unicodedata.normalize("NFKC", str(value)).strip()


def _today() -> dt.date:
    """Today in the city, looked up at most once a second (a 20,000-row import asks often)."""
    now = time.monotonic()
    if _TODAY[1] is None or now - _TODAY[0] > 1:
        _TODAY[:] = [now, local_date()]
    return _TODAY[1]


_TODAY: list[Any] = [0.0, None]


def is_blank(value: Any) -> bool:
    return to_text(value) == ""


def _lost_digits(value: Any) -> bool:
    """Whether Excel stored a long identifier as a number and so rounded away its last digits."""
    return isinstance(value, float) and abs(value) >= 10**_EXCEL_EXACT_DIGITS


def clean_person_name(value: Any) -> str:
    name = _SPACE_BETWEEN_CJK.sub("", _SPACES.sub(" ", to_text(value)))
    if not name:
        raise FieldProblem("registry.required", _("姓名不能为空。"))
    if len(name) > 50:
        raise FieldProblem("registry.too_long", _("姓名不能超过 50 个字。"))
    if any(ch.isdigit() for ch in name):
        raise FieldProblem("registry.invalid_name", _("姓名中不能含有数字。"))
    return name


def clean_enterprise_name(value: Any) -> str:
    """Registered names use full-width brackets; ASCII ones typed by people are converted."""
    name = _SPACE_BETWEEN_CJK.sub("", _SPACES.sub(" ", to_text(value)))
    name = name.replace("(", "（").replace(")", "）")
    if not name:
        raise FieldProblem("registry.required", _("企业名称不能为空。"))
    if len(name) > 200:
        raise FieldProblem("registry.too_long", _("企业名称不能超过 200 个字。"))
    return name


def clean_short_text(value: Any, *, max_length: int, label: str) -> str:
    text = _SPACES.sub(" ", to_text(value))
    if len(text) > max_length:
        raise FieldProblem(
            "registry.too_long",
            _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length},
        )
    return text


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
    if _lost_digits(value):
        raise FieldProblem(
            "registry.number_stored_as_number",
            _("统一社会信用代码被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”后重新填写。"),
        )
    text = re.sub(r"[\s\-]", "", to_text(value)).upper()
    if not text:
        return None
    if _SCIENTIFIC.match(text):
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
    if _lost_digits(value):
        raise FieldProblem(
            "registry.number_stored_as_number",
            _("身份证号被 Excel 存成了数字，末三位已丢失；请把该列设为“文本”后重新填写。"),
        )
    text = re.sub(r"[\s\-]", "", to_text(value)).upper()
    if not text:
        return None
    if _SCIENTIFIC.match(text):
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
    if not _OLDEST_BIRTH <= number.birth_date <= _today():
        raise FieldProblem(
            "registry.invalid_id_number",
            _("身份证号中的出生日期 %(date)s 不在合理范围内。") % {"date": text[6:14]},
        )
    return number


def clean_birth_year(value: Any) -> int | None:
    if isinstance(value, dt.date | dt.datetime):
        return value.year
    text = to_text(value).removesuffix("年")
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})(?:[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?)?", text)
    if not match:
        raise FieldProblem(
            "registry.invalid_birth_year",
            _("出生年份“%(value)s”无法识别，请填写四位年份，如 1990。") % {"value": text[:20]},
        )
    year = int(match.group(1))
    this_year = _today().year
    if not 1900 <= year <= this_year - 14:
        raise FieldProblem(
            "registry.invalid_birth_year",
            _("出生年份应在 1900 到 %(max)s 之间。") % {"max": this_year - 14},
        )
    return year


def clean_count(value: Any, *, label: str) -> int | None:
    """A non-negative whole number from '１ ２００', '1,200', '200人' or a numeric cell."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0 or not float(value).is_integer():
            raise FieldProblem(
                "registry.invalid_number",
                _("%(label)s应为不小于 0 的整数。") % {"label": label},
            )
        return int(value)
    text = _NUMBER_SEPARATORS.sub("", to_text(value))
    text = re.sub(r"^(约|大约|共)", "", text)
    text = re.sub(r"(人|名|个)$", "", text)
    if not text:
        return None
    if re.fullmatch(r"\d+(\.0+)?", text):
        return int(float(text))
    raise FieldProblem(
        "registry.invalid_number",
        _("%(label)s“%(value)s”不是整数。") % {"label": label, "value": to_text(value)[:20]},
    )


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "已加入", "会员", "已入会", "在"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "无", "未加入", "非会员", "未入会", "不是"}


def clean_bool(value: Any, *, label: str) -> bool | None:
    if isinstance(value, bool):
        return value
    text = to_text(value).lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FieldProblem(
        "registry.invalid_choice",
        _("%(label)s应填“是”或“否”，这里是“%(value)s”。") % {"label": label, "value": text[:20]},
    )


# Words offices write for each choice, besides the choice's own label and value.
CHOICE_ALIASES: dict[type[models.TextChoices], dict[str, tuple[str, ...]]] = {
    EnterpriseKind: {
        EnterpriseKind.PLATFORM_HQ: ("总部", "平台总部", "平台企业总部", "平台企业"),
        EnterpriseKind.REGIONAL_BRANCH: ("分公司", "区域公司", "分支机构", "城市分公司"),
        EnterpriseKind.STATION: ("站点", "配送站", "网点", "营业部", "配送站点", "快递网点"),
        EnterpriseKind.FRANCHISE: ("加盟", "加盟商", "代理商", "承包商"),
        EnterpriseKind.ECOMMERCE: ("电商", "电商企业", "电子商务企业"),
        EnterpriseKind.LIVESTREAM: ("直播", "直播公司", "mcn", "直播机构"),
        EnterpriseKind.LOGISTICS_PARK: ("物流园", "产业园", "园区", "电商产业园"),
    },
    Industry: {
        Industry.FOOD_DELIVERY: ("外卖", "即时配送", "外卖配送", "餐饮配送", "同城配送"),
        Industry.EXPRESS: ("快递", "快递物流", "邮政快递"),
        Industry.RIDE_HAILING: ("网约车", "出行", "网约出行"),
        Industry.FREIGHT: ("货运", "网络货运", "物流", "货运物流"),
        Industry.ECOMMERCE: ("电商", "电子商务", "网络零售"),
        Industry.LIVESTREAM: ("直播", "直播带货", "网络直播"),
        Industry.OTHER: ("其他", "其它"),
    },
    EnterpriseStatus: {
        EnterpriseStatus.ACTIVE: ("在营", "正常", "存续", "开业", "营业"),
        EnterpriseStatus.SUSPENDED: ("停业", "歇业", "暂停营业"),
        EnterpriseStatus.CLOSED: ("注销", "已注销", "关闭", "吊销"),
    },
    Occupation: {
        Occupation.RIDER: ("骑手", "外卖员", "外卖骑手", "配送员", "送餐员", "外卖小哥"),
        Occupation.COURIER: ("快递员", "快递小哥", "揽投员", "快递"),
        Occupation.RIDE_HAILING_DRIVER: ("网约车司机", "网约车", "专车司机", "快车司机"),
        Occupation.FREIGHT_DRIVER: ("货车司机", "货运司机", "卡车司机", "货运"),
        Occupation.LIVESTREAMER: ("主播", "带货主播", "网络主播", "直播"),
        Occupation.OTHER: ("其他", "其它"),
    },
    PoliticalStatus: {
        PoliticalStatus.PARTY_MEMBER: ("党员", "中共党员", "正式党员", "中国共产党党员"),
        PoliticalStatus.PROBATIONARY: ("预备党员", "中共预备党员"),
        PoliticalStatus.LEAGUE_MEMBER: ("团员", "共青团员", "中国共产主义青年团团员"),
        PoliticalStatus.MASSES: ("群众", "无", "普通群众"),
    },
    Gender: {Gender.MALE: ("男", "男性", "m"), Gender.FEMALE: ("女", "女性", "f")},
    WorkerStatus: {
        WorkerStatus.ACTIVE: ("在职", "在岗", "正常"),
        WorkerStatus.LEFT: ("离职", "已离职", "退出"),
    },
}


_CHOICE_INDEXES: dict[type[models.TextChoices], tuple[dict[str, str], str]] = {}


def _choice_index(choices: type[models.TextChoices]) -> tuple[dict[str, str], str]:
    """(word -> value, the Chinese labels joined for messages), built once per choice set.

    Chinese labels and their synonyms are matched whatever language the request uses.
    """
    if choices not in _CHOICE_INDEXES:
        index: dict[str, str] = {}
        with translation.override("zh-hans"):
            labels = [str(label) for _value, label in choices.choices]
        for (value, _label), label in zip(choices.choices, labels, strict=True):
            index[value.lower()] = value
            index[unicodedata.normalize("NFKC", label).lower()] = value
        for value, words in CHOICE_ALIASES.get(choices, {}).items():
            for word in words:
                index[word.lower()] = value
        _CHOICE_INDEXES[choices] = (index, "、".join(labels))
    return _CHOICE_INDEXES[choices]


def clean_choice(value: Any, choices: type[models.TextChoices], *, label: str) -> str | None:
    """The choice value for its label, value or a usual synonym ('骑手', '外卖员', 'rider')."""
    text = _SPACES.sub("", to_text(value)).lower()
    if not text:
        return None
    index, allowed = _choice_index(choices)
    found = index.get(text)
    if found is None:
        raise FieldProblem(
            "registry.invalid_choice",
            _("%(label)s“%(value)s”无法识别，可填：%(allowed)s。")
            % {"label": label, "value": to_text(value)[:20], "allowed": allowed},
        )
    return found


_COORD_SYSTEMS = {
    "wgs84": CoordSystem.WGS84,
    "wgs-84": CoordSystem.WGS84,
    "gps": CoordSystem.WGS84,
    "gcj02": CoordSystem.GCJ02,
    "gcj-02": CoordSystem.GCJ02,
    "高德": CoordSystem.GCJ02,
    "腾讯": CoordSystem.GCJ02,
    "火星坐标": CoordSystem.GCJ02,
    "bd09": CoordSystem.BD09,
    "bd-09": CoordSystem.BD09,
    "百度": CoordSystem.BD09,
}


def clean_coord_system(value: Any) -> CoordSystem:
    text = _SPACES.sub("", to_text(value)).lower()
    if not text:
        return CoordSystem.WGS84
    for key, system in _COORD_SYSTEMS.items():
        if text == key or text.startswith(key):
            return system
    raise FieldProblem(
        "registry.invalid_coord_system",
        _("坐标系“%(value)s”无法识别，可填：WGS-84、GCJ-02（高德/腾讯）、BD-09（百度）。")
        % {"value": text[:20]},
    )


def clean_location(lon: Any, lat: Any, system: Any = None) -> tuple[float, float] | None:
    """A WGS-84 (lon, lat) inside China from a point in any of the three systems, or None."""
    if is_blank(lon) and is_blank(lat):
        return None
    try:
        lon_f = float(to_text(lon).rstrip("°"))
        lat_f = float(to_text(lat).rstrip("°"))
    except ValueError as exc:
        raise FieldProblem("registry.invalid_location", _("经纬度应为数字。")) from exc
    if not (73 <= lon_f <= 136 and 3 <= lat_f <= 54):
        raise FieldProblem(
            "registry.invalid_location",
            _("经纬度不在中国境内（经度 73–136，纬度 3–54），请检查是否填反。"),
        )
    wgs_lon, wgs_lat = to_wgs84(lon_f, lat_f, clean_coord_system(system))
    return round(wgs_lon, 7), round(wgs_lat, 7)


def masked_for_message(value: Any) -> str:
    """A value safe to echo in an error message stored in the import log."""
    text = to_text(value)
    if re.fullmatch(r"\d{11}", text):
        return mask_phone(text)
    if len(text) >= 15 and text[:6].isdigit():
        return mask_id_number(text)
    return text[:30]
