"""Writes to stations: create, update, status, QR rotation and the amenity list.

Every change bumps the "stations" stamp, so each process's nearest-search index rebuilds on its
next lookup.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from nuanxin.accounts.models import Role, User
from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, forbidden
from nuanxin.core.stamps import stamp_bump
from nuanxin.geo.coords import CoordSystem, to_wgs84
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
from nuanxin.stations.permissions import (
    governs,
    require_manager,
    require_region_staff,
)

STATIONS_TOPIC = "stations"
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
PHONE_RE = re.compile(r"^[0-9+()（）\- ]{5,30}$")
MAX_EXTRA_SERVICES = 20
MAX_CAPACITY = 2000
STATION_LEVELS = {RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID}

# The amenity list a new installation starts with; staff extend it in the admin.
DEFAULT_AMENITIES: list[tuple[str, str, str]] = [
    ("rest", "休息座椅", "🪑"),
    ("drinking_water", "饮用水", "💧"),
    ("hot_water", "热水", "♨️"),
    ("toilet", "卫生间", "🚻"),
    ("first_aid", "应急药品", "🩹"),
    ("phone_charging", "手机充电", "🔌"),
    ("ebike_charging", "电动车充电", "🛵"),
    ("storage", "物品寄存", "🧳"),
    ("microwave", "微波炉", "🍱"),
    ("air_conditioning", "空调", "❄️"),
    ("wifi", "无线网络", "📶"),
    ("points_exchange", "积分兑换", "🎁"),
    ("feedback", "问题反馈", "💬"),
    ("umbrella", "雨具借用", "☂️"),
    ("repair_kit", "维修工具", "🔧"),
]

AUDITED_FIELDS = [
    "code",
    "kind",
    "name",
    "host_type",
    "host_name",
    "address",
    "lon",
    "lat",
    "region",
    "standard_services",
    "extra_services",
    "description",
    "contact_name",
    "contact_phone",
    "capacity",
    "status",
    "status_note",
    "timezone",
    "qr_version",
]


class _Unset:
    """An optional argument the caller did not pass (None can be a real value)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def _bad(what: str, message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(f"stations.{what}", message, extra=extra)


@transaction.atomic
def amenity_defaults_ensure() -> int:
    """Create the default amenities that are missing; returns how many were created."""
    existing = set(Amenity.objects.values_list("code", flat=True))
    created = 0
    for order, (code, name, icon) in enumerate(DEFAULT_AMENITIES, start=1):
        if code not in existing:
            Amenity.objects.create(code=code, name=name, icon=icon, sort_order=order * 10)
            created += 1
    if created:
        stamp_bump(STATIONS_TOPIC)
    return created


@transaction.atomic
def amenity_save(
    *,
    code: str,
    name: str,
    icon: str = "",
    sort_order: int = 100,
    is_active: bool = True,
    actor: Any = None,
) -> Amenity:
    """Add an amenity to the list or change one (staff with the whole city only)."""
    city_wide = getattr(actor, "is_superuser", False) or getattr(actor, "role", None) == (
        Role.CITY_ADMIN
    )
    if actor is not None and not city_wide:
        raise forbidden("stations.forbidden", _("只有市级管理员可以维护服务设施清单。"))
    code = (code or "").strip()
    name = (name or "").strip()
    if not re.match(r"^[a-z][a-z0-9_]{0,31}$", code):
        raise _bad("bad_amenity", _("设施代码只能包含小写字母、数字和下划线。"), code=code)
    if not name:
        raise _bad("bad_amenity", _("设施名称不能为空。"), code=code)
    amenity = Amenity.objects.select_for_update().filter(code=code).first()
    fields = ["code", "name", "icon", "sort_order", "is_active"]
    before = snapshot(amenity, fields) if amenity else None
    amenity = amenity or Amenity(code=code)
    amenity.name, amenity.icon = name, icon.strip()
    amenity.sort_order, amenity.is_active = sort_order, is_active
    amenity.save()
    audit_record(
        actor=actor,
        action="amenity.create" if before is None else "amenity.update",
        obj=amenity,
        before=before,
        after=snapshot(amenity, fields),
    )
    stamp_bump(STATIONS_TOPIC)
    return amenity


# --- validation -------------------------------------------------------------------------------


def clean_point(lon: Any, lat: Any, coord_system: str) -> tuple[float, float]:
    try:
        return to_wgs84(lon, lat, coord_system)
    except (TypeError, ValueError) as exc:
        raise _bad("bad_coordinates", _("坐标无效。"), detail=str(exc)) from exc


def _choice(value: Any, choices: Any, code: str, message: str) -> str:
    if value not in choices.values:
        raise _bad(code, message, value=value, allowed=list(choices.values))
    return str(value)


def _text(value: Any, code: str, message: str, *, max_length: int, required: bool) -> str:
    text = str(value or "").strip()
    if (required and not text) or len(text) > max_length:
        raise _bad(code, message, max_length=max_length)
    return text


def amenities_by_code(codes: Iterable[str]) -> list[Amenity]:
    wanted = list(dict.fromkeys(str(c).strip() for c in codes if str(c).strip()))
    found = {a.code: a for a in Amenity.objects.filter(code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise _bad("unknown_amenity", _("未知的服务设施：%s。") % "、".join(unknown), codes=unknown)
    return [found[c] for c in wanted]


def _services(standard: Iterable[str], extra: Iterable[str]) -> tuple[list[str], list[str]]:
    standard_list = list(dict.fromkeys(str(s) for s in standard))
    bad = [s for s in standard_list if s not in StandardService.values]
    if bad:
        raise _bad("bad_service", _("未知的“5+X”基本服务：%s。") % "、".join(bad), codes=bad)
    order = {value: i for i, value in enumerate(StandardService.values)}
    standard_list.sort(key=order.__getitem__)
    extra_list = list(dict.fromkeys(str(s).strip() for s in extra if str(s).strip()))
    if len(extra_list) > MAX_EXTRA_SERVICES or any(len(s) > 30 for s in extra_list):
        raise _bad(
            "bad_service",
            _("特色服务最多 %(count)d 项，每项不超过 30 个字。") % {"count": MAX_EXTRA_SERVICES},
        )
    return standard_list, extra_list


def _timezone(name: Any) -> str:
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise _bad("bad_timezone", _("未知的时区。"), timezone=str(name)) from exc
    return str(name)


def _capacity(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CAPACITY:
        raise _bad(
            "bad_capacity", _("可容纳人数必须是 0 到 %(max)d 之间的整数。") % {"max": MAX_CAPACITY}
        )
    return value


def _phone(value: Any) -> str:
    phone = str(value or "").strip()
    if phone and not PHONE_RE.match(phone):
        raise _bad("bad_phone", _("服务电话格式不正确。"))
    return phone


def keepers_clean(keepers: Iterable[User]) -> list[User]:
    users = list({u.pk: u for u in keepers}.values())
    for user in users:
        if user.role != Role.STATION_KEEPER or not user.is_active:
            raise _bad(
                "bad_keeper",
                _("驿站管理员必须是启用的“驿站管理员”角色用户。"),
                user=user.pk,
            )
    return users


def _region_for(lon: float, lat: float, region: Region | None) -> Region:
    if region is not None:
        if region.level not in STATION_LEVELS:
            raise _bad(
                "bad_region",
                _("驿站必须属于街道、社区或网格。"),
                region=region.code,
            )
        return region
    match = region_at_point(lon, lat)
    if match is None:
        raise _bad("outside_regions", _("该位置不在任何已知区域内，请指定所属区域。"))
    return match.region


def _next_code(region: Region) -> str:
    """ "<county code>-<number>", numbered per county: 440804-007."""
    codes = [c for c in region.path.split("/") if c]
    prefix = (codes[1] if len(codes) > 1 else codes[0]) + "-"
    last = Station.objects.filter(code__startswith=prefix).aggregate(last=Max("code")).get("last")
    number = 1
    if last and last[len(prefix) :].isdigit():
        number = int(last[len(prefix) :]) + 1
    while Station.objects.filter(code=f"{prefix}{number:03d}").exists():
        number += 1
    return f"{prefix}{number:03d}"


def _community_path(region: Region) -> str:
    """The path of the region's community (or of itself when it is higher)."""
    codes = [c for c in region.path.split("/") if c]
    return "".join(f"{c}/" for c in codes[:4])


def station_snapshot(station: Station) -> dict[str, Any]:
    data = snapshot(station, AUDITED_FIELDS)
    data["amenities"] = sorted(station.amenities.values_list("code", flat=True))
    data["keepers"] = sorted(station.keepers.values_list("pk", flat=True))
    return data


@dataclass
class _Fields:
    values: dict[str, Any]
    amenities: list[Amenity] | None = None
    keepers: list[User] | None = None


def _cleaned(changes: dict[str, Any], station: Station | None) -> _Fields:
    """Validate the passed fields; returns the model values to set and the relations."""
    out: dict[str, Any] = {}
    given = {k: v for k, v in changes.items() if v is not UNSET}
    if "kind" in given:
        out["kind"] = _choice(given["kind"], StationKind, "bad_kind", _("未知的阵地类型。"))
    if "host_type" in given:
        out["host_type"] = _choice(
            given["host_type"], HostType, "bad_host_type", _("未知的承建场所类型。")
        )
    if "status" in given:
        out["status"] = _choice(given["status"], StationStatus, "bad_status", _("未知的状态。"))
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
            raise _bad("bad_code", _("编号只能包含字母、数字、“-”和“_”，不超过 32 个字符。"))
        clash = Station.objects.filter(code=code)
        if station is not None:
            clash = clash.exclude(pk=station.pk)
        if clash.exists():
            raise _bad("code_taken", _("编号 %(code)s 已被使用。") % {"code": code}, code=code)
        out["code"] = code
    fields = _Fields(out)
    if "amenities" in given:
        fields.amenities = amenities_by_code(given["amenities"] or [])
    if "keepers" in given:
        fields.keepers = keepers_clean(given["keepers"] or [])
    return fields


# --- create and update ------------------------------------------------------------------------


@transaction.atomic
def station_create(
    *,
    actor: Any,
    kind: str,
    name: str,
    host_type: str,
    address: str,
    lon: float,
    lat: float,
    coord_system: str = CoordSystem.WGS84,
    region: Region | None = None,
    code: str | None = None,
    host_name: str = "",
    amenities: Sequence[str] = (),
    standard_services: Sequence[str] = (),
    extra_services: Sequence[str] = (),
    description: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    capacity: int | None = None,
    status: str = StationStatus.OPEN,
    status_note: str = "",
    timezone: str | None = None,
    keepers: Sequence[User] = (),
) -> Station:
    """Create a station where region staff govern; its region comes from the point if not given.

    Opening hours are set separately (``station_set_weekly_hours``): a new station has none, so
    it is never "open now" until someone says when it is.
    """
    w_lon, w_lat = clean_point(lon, lat, coord_system)
    target = _region_for(w_lon, w_lat, region)
    if actor is not None:
        require_region_staff(actor, target)
    fields = _cleaned(
        {
            "kind": kind,
            "name": name,
            "host_type": host_type,
            "address": address,
            "code": code,
            "host_name": host_name,
            "amenities": amenities,
            "standard_services": standard_services,
            "extra_services": extra_services,
            "description": description,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "capacity": capacity,
            "status": status,
            "status_note": status_note,
            "timezone": timezone or settings.TIME_ZONE,
            "keepers": keepers,
        },
        None,
    )
    station = Station(lon=w_lon, lat=w_lat, region=target, **fields.values)
    if not station.code:
        station.code = _next_code(target)
    station.save()
    station.amenities.set(fields.amenities or [])
    station.keepers.set(fields.keepers or [])
    audit_record(
        actor=actor,
        action="station.create",
        obj=station,
        after=station_snapshot(station),
        region_path=target.path,
    )
    stamp_bump(STATIONS_TOPIC)
    return station


@transaction.atomic
def station_update(
    *,
    station: Station,
    actor: Any,
    coord_system: str = CoordSystem.WGS84,
    lon: float | None = None,
    lat: float | None = None,
    region: Region | _Unset | None = UNSET,
    **changes: Any,
) -> Station:
    """Change any of a station's fields (same names as ``station_create``).

    Managers are the region staff governing the station and its keepers. Keepers may not name
    keepers or change the code, and may move the station only inside its community; staff may
    move it only inside their jurisdiction.
    """
    allowed = {
        "kind", "name", "host_type", "address", "code", "host_name", "amenities",
        "standard_services", "extra_services", "description", "contact_name", "contact_phone",
        "capacity", "status", "status_note", "timezone", "keepers",
    }  # fmt: skip
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"station_update() got unexpected fields {sorted(unknown)}")
    station = Station.objects.select_for_update().select_related("region").get(pk=station.pk)
    if actor is not None:
        require_manager(actor, station)
    is_staff_manager = actor is None or governs(actor, station)
    if not is_staff_manager and (
        changes.get("keepers", UNSET) is not UNSET or changes.get("code", UNSET) is not UNSET
    ):
        raise forbidden("stations.forbidden", _("驿站管理员不能修改编号或管理员名单。"))
    before = station_snapshot(station)
    fields = _cleaned(changes, station)

    new_lon, new_lat = station.lon, station.lat
    if lon is not None or lat is not None:
        if lon is None or lat is None:
            raise _bad("bad_coordinates", _("经度和纬度必须同时提供。"))
        new_lon, new_lat = clean_point(lon, lat, coord_system)
    moved = (new_lon, new_lat) != (station.lon, station.lat)
    new_region = station.region
    if not isinstance(region, _Unset) and region is not None:
        new_region = _region_for(new_lon, new_lat, region)
    elif moved:
        new_region = _region_for(new_lon, new_lat, None)
    if new_region.pk != station.region_id and actor is not None:
        if is_staff_manager:
            require_region_staff(actor, new_region)
        elif not new_region.path.startswith(_community_path(station.region)):
            raise forbidden(
                "stations.keeper_cannot_move",
                _("驿站管理员只能在本社区范围内调整驿站位置。"),
            )
    station.lon, station.lat, station.region = new_lon, new_lat, new_region
    for name, value in fields.values.items():
        setattr(station, name, value)
    station.save()
    if fields.amenities is not None:
        station.amenities.set(fields.amenities)
    if fields.keepers is not None:
        station.keepers.set(fields.keepers)
    after = station_snapshot(station)
    if before != after:
        audit_record(
            actor=actor,
            action="station.update",
            obj=station,
            before=before,
            after=after,
            region_path=station.region.path,
        )
        stamp_bump(STATIONS_TOPIC)
    return station


@transaction.atomic
def station_set_status(*, station: Station, actor: Any, status: str, note: str = "") -> Station:
    """Open, suspend or close a station; suspending and closing need a reason for riders."""
    status = _choice(status, StationStatus, "bad_status", _("未知的状态。"))
    if status != StationStatus.OPEN and not (note or "").strip():
        raise _bad("note_required", _("暂停或撤销驿站时请填写原因，方便骑手了解。"))
    return station_update(station=station, actor=actor, status=status, status_note=note)


@transaction.atomic
def station_rotate_qr(*, station: Station, actor: Any) -> Station:
    """Invalidate every printed check-in QR code of the station (a leaked or damaged poster)."""
    station = Station.objects.select_for_update().select_related("region").get(pk=station.pk)
    if actor is not None:
        require_manager(actor, station)
    before = {"qr_version": station.qr_version}
    station.qr_version += 1
    station.save(update_fields=["qr_version", "updated_at"])
    audit_record(
        actor=actor,
        action="station.rotate_qr",
        obj=station,
        before=before,
        after={"qr_version": station.qr_version},
        region_path=station.region.path,
    )
    return station
