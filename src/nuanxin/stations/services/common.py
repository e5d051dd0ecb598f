"""What the station services share: the stamp topic, input checks and their error codes."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext as _

from nuanxin.accounts.models import Role, User
from nuanxin.core.errors import ApplicationError
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.geo.selectors import region_at_point
from nuanxin.stations.models import (
    Amenity,
    HostType,
    StandardService,
    Station,
    StationKind,
    StationStatus,
)

# Bumped by every change the nearest-search index mirrors (stations, hours, amenities).
STATIONS_TOPIC = "stations"
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
PHONE_RE = re.compile(r"^[0-9+()（）\- ]{5,30}$")
MAX_EXTRA_SERVICES = 20
MAX_CAPACITY = 2000
STATION_LEVELS = {RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID}


class _Unset:
    """An optional argument the caller did not pass (None can be a real value)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def input_error(what: str, message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(f"stations.{what}", message, extra=extra)


def amenities_by_code(codes: Iterable[str]) -> list[Amenity]:
    wanted = list(dict.fromkeys(str(c).strip() for c in codes if str(c).strip()))
    found = {a.code: a for a in Amenity.objects.filter(code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise input_error(
            "unknown_amenity", _("未知的服务设施：%s。") % "、".join(unknown), codes=unknown
        )
    return [found[c] for c in wanted]


def choice_clean(value: Any, choices: Any, code: str, message: str) -> str:
    if value not in choices.values:
        raise input_error(code, message, value=value, allowed=list(choices.values))
    return str(value)


def _text(value: Any, code: str, message: str, *, max_length: int, required: bool) -> str:
    text = str(value or "").strip()
    if (required and not text) or len(text) > max_length:
        raise input_error(code, message, max_length=max_length)
    return text


def _services(standard: Iterable[str], extra: Iterable[str]) -> tuple[list[str], list[str]]:
    standard_list = list(dict.fromkeys(str(s) for s in standard))
    bad = [s for s in standard_list if s not in StandardService.values]
    if bad:
        raise input_error("bad_service", _("未知的“5+X”基本服务：%s。") % "、".join(bad), codes=bad)
    order = {value: i for i, value in enumerate(StandardService.values)}
    standard_list.sort(key=order.__getitem__)
    extra_list = list(dict.fromkeys(str(s).strip() for s in extra if str(s).strip()))
    if len(extra_list) > MAX_EXTRA_SERVICES or any(len(s) > 30 for s in extra_list):
        raise input_error(
            "bad_service",
            _("特色服务最多 %(count)d 项，每项不超过 30 个字。") % {"count": MAX_EXTRA_SERVICES},
        )
    return standard_list, extra_list


def _timezone(name: Any) -> str:
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise input_error("bad_timezone", _("未知的时区。"), timezone=str(name)) from exc
    return str(name)


def _capacity(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CAPACITY:
        raise input_error(
            "bad_capacity", _("可容纳人数必须是 0 到 %(max)d 之间的整数。") % {"max": MAX_CAPACITY}
        )
    return value


RADIUS_RANGE = (20, 2000)


def _radius(value: Any) -> int:
    low, high = RADIUS_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise input_error(
            "bad_checkin_radius",
            _("签到范围必须是 %(low)d 到 %(high)d 米之间的整数。") % {"low": low, "high": high},
        )
    return value


def _phone(value: Any) -> str:
    phone = str(value or "").strip()
    if phone and not PHONE_RE.match(phone):
        raise input_error("bad_phone", _("服务电话格式不正确。"))
    return phone


def keepers_clean(keepers: Iterable[User]) -> list[User]:
    users = list({u.pk: u for u in keepers}.values())
    for user in users:
        if user.role != Role.STATION_KEEPER or not user.is_active:
            raise input_error(
                "bad_keeper",
                _("驿站管理员必须是启用的“驿站管理员”角色用户。"),
                user=user.pk,
            )
    return users


def region_for(lon: float, lat: float, region: Region | None) -> Region:
    if region is not None:
        if region.level not in STATION_LEVELS:
            raise input_error(
                "bad_region",
                _("驿站必须属于街道、社区或网格。"),
                region=region.code,
            )
        return region
    match = region_at_point(lon, lat)
    if match is None:
        raise input_error("outside_regions", _("该位置不在任何已知区域内，请指定所属区域。"))
    return match.region


def community_path(region: Region) -> str:
    """The path of the region's community (or of itself when it is higher)."""
    codes = [c for c in region.path.split("/") if c]
    return "".join(f"{c}/" for c in codes[:4])


@dataclass
class Fields:
    values: dict[str, Any]
    amenities: list[Amenity] | None = None
    keepers: list[User] | None = None


def cleaned(changes: dict[str, Any], station: Station | None) -> Fields:
    """Validate the passed fields; returns the model values to set and the relations."""
    out: dict[str, Any] = {}
    given = {k: v for k, v in changes.items() if v is not UNSET}
    if "kind" in given:
        out["kind"] = choice_clean(given["kind"], StationKind, "bad_kind", _("未知的阵地类型。"))
    if "host_type" in given:
        out["host_type"] = choice_clean(
            given["host_type"], HostType, "bad_host_type", _("未知的承建场所类型。")
        )
    if "status" in given:
        out["status"] = choice_clean(
            given["status"], StationStatus, "bad_status", _("未知的状态。")
        )
    for name, code, message, max_length, required in (
        ("name", "bad_name", _("名称不能为空，且不超过 100 个字。"), 100, True),
        ("address", "bad_address", _("地址不能为空，且不超过 200 个字。"), 200, True),
        ("host_name", "bad_host_name", _("承建单位不超过 100 个字。"), 100, False),
        ("contact_name", "bad_contact", _("联系人不超过 50 个字。"), 50, False),
        ("status_note", "bad_status_note", _("状态说明不超过 200 个字。"), 200, False),
        ("description", "bad_description", _("简介不超过 2000 个字。"), 2000, False),
    ):
        if name in given:
            out[name] = _text(given[name], code, message, max_length=max_length, required=required)
    if "contact_phone" in given:
        out["contact_phone"] = _phone(given["contact_phone"])
    if "capacity" in given:
        out["capacity"] = _capacity(given["capacity"])
    if "checkin_radius_m" in given:
        out["checkin_radius_m"] = _radius(given["checkin_radius_m"])
    if "timezone" in given:
        out["timezone"] = _timezone(given["timezone"])
    if "standard_services" in given or "extra_services" in given:
        standard, extra = _services(
            given.get("standard_services", station.standard_services if station else []),
            given.get("extra_services", station.extra_services if station else []),
        )
        out["standard_services"], out["extra_services"] = standard, extra
    if given.get("code"):
        code = str(given["code"]).strip()
        if not CODE_RE.match(code):
            raise input_error("bad_code", _("编号只能包含字母、数字、“-”和“_”，不超过 32 个字符。"))
        clash = Station.objects.filter(code=code)
        if station is not None:
            clash = clash.exclude(pk=station.pk)
        if clash.exists():
            raise input_error(
                "code_taken", _("编号 %(code)s 已被使用。") % {"code": code}, code=code
            )
        out["code"] = code
    fields = Fields(out)
    if "amenities" in given:
        fields.amenities = amenities_by_code(given["amenities"] or [])
    if "keepers" in given:
        fields.keepers = keepers_clean(given["keepers"] or [])
    return fields
