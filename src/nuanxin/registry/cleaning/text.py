"""Text, names, counts, yes/no, years and places as people type them."""

import datetime as dt
import re
import time
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from nuanxin.core.edge import strip_invalid
from nuanxin.core.masking import mask_id_number, mask_phone
from nuanxin.core.timeutil import local_date
from nuanxin.geo.coords import CoordSystem, coord_system_named, to_wgs84


class FieldProblem(Exception):
    """A value that cannot be accepted; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)


# Excel keeps 15 significant digits: a longer number typed into a numeric cell lost its tail.
_EXCEL_EXACT_DIGITS = 15
SPACES = re.compile(r"\s+")
_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")
_NUMBER_SEPARATORS = re.compile(r"[\s,，'_]")
SCIENTIFIC_NOTATION = re.compile(r"^\d(\.\d+)?E\+?\d+$")


def to_text(value: Any) -> str:
    """A cell or field value as canonical text: NFKC (full-width to ASCII), trimmed, without
    control characters (a sheet's cell may hold them; nothing stores them)."""
    if value is None:
        return ""
    if type(value) is str and value.isascii():
        return strip_invalid(value).strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return strip_invalid(unicodedata.normalize("NFKC", str(value))).strip()


def city_today() -> dt.date:
    """Today in the city, looked up at most once a second (a 20,000-row import asks often)."""
    now = time.monotonic()
    if _TODAY[1] is None or now - _TODAY[0] > 1:
        _TODAY[:] = [now, local_date()]
    return _TODAY[1]


_TODAY: list[Any] = [0.0, None]


def is_blank(value: Any) -> bool:
    return to_text(value) == ""


def lost_digits(value: Any) -> bool:
    """Whether Excel stored a long identifier as a number and so rounded away its last digits."""
    return isinstance(value, float) and abs(value) >= 10**_EXCEL_EXACT_DIGITS


def clean_person_name(value: Any) -> str:
    name = _SPACE_BETWEEN_CJK.sub("", SPACES.sub(" ", to_text(value)))
    if not name:
        raise FieldProblem("registry.required", _("姓名不能为空。"))
    if len(name) > 50:
        raise FieldProblem("registry.too_long", _("姓名不能超过 50 个字。"))
    if any(ch.isdigit() for ch in name):
        raise FieldProblem("registry.invalid_name", _("姓名中不能含有数字。"))
    return name


def clean_enterprise_name(value: Any) -> str:
    """Registered names use full-width brackets; ASCII ones typed by people are converted."""
    name = _SPACE_BETWEEN_CJK.sub("", SPACES.sub(" ", to_text(value)))
    name = name.replace("(", "（").replace(")", "）")
    if not name:
        raise FieldProblem("registry.required", _("企业名称不能为空。"))
    if len(name) > 200:
        raise FieldProblem("registry.too_long", _("企业名称不能超过 200 个字。"))
    return name


def clean_short_text(value: Any, *, max_length: int, label: str) -> str:
    text = SPACES.sub(" ", to_text(value))
    if len(text) > max_length:
        raise FieldProblem(
            "registry.too_long",
            _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length},
        )
    return text


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
    this_year = city_today().year
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


def clean_coord_system(value: Any) -> CoordSystem:
    text = to_text(value)
    system = coord_system_named(text)
    if system is not None:
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
