"""Writes to stations: create, update, status and QR rotation.

Every change bumps the "stations" stamp with the station's id, so each process's nearest-search
index patches that station on its next lookup.
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from nuanxin.accounts.models import User
from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import forbidden
from nuanxin.core.stamps import stamp_bump
from nuanxin.geo.coords import CoordSystem, point_to_wgs84
from nuanxin.geo.models import Region
from nuanxin.stations.models import Station, StationStatus
from nuanxin.stations.permissions import governs, require_manager, require_region_staff
from nuanxin.stations.services.common import (
    STATIONS_TOPIC,
    UNSET,
    _Unset,
    choice_clean,
    cleaned,
    community_path,
    input_error,
    region_for,
)

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
    "checkin_radius_m",
    "status",
    "status_note",
    "timezone",
    "qr_version",
]


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


def station_snapshot(station: Station) -> dict[str, Any]:
    data = snapshot(station, AUDITED_FIELDS)
    data["amenities"] = sorted(station.amenities.values_list("code", flat=True))
    data["keepers"] = sorted(station.keepers.values_list("pk", flat=True))
    return data


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
    checkin_radius_m: int = 200,
    status: str = StationStatus.OPEN,
    status_note: str = "",
    timezone: str | None = None,
    keepers: Sequence[User] = (),
) -> Station:
    """Create a station where region staff govern; its region comes from the point if not given.

    Opening hours are set separately (``station_set_weekly_hours``): a new station has none, so
    it is never "open now" until someone says when it is.
    """
    w_lon, w_lat = point_to_wgs84(lon, lat, coord_system)
    target = region_for(w_lon, w_lat, region)
    if actor is not None:
        require_region_staff(actor, target)
    fields = cleaned(
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
            "checkin_radius_m": checkin_radius_m,
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
    stamp_bump(STATIONS_TOPIC, keys=[station.pk])
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
        "capacity", "checkin_radius_m", "status", "status_note", "timezone", "keepers",
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
    fields = cleaned(changes, station)

    new_lon, new_lat = station.lon, station.lat
    if lon is not None or lat is not None:
        if lon is None or lat is None:
            raise input_error("bad_coordinates", _("经度和纬度必须同时提供。"))
        new_lon, new_lat = point_to_wgs84(lon, lat, coord_system)
    moved = (new_lon, new_lat) != (station.lon, station.lat)
    new_region = station.region
    if not isinstance(region, _Unset) and region is not None:
        new_region = region_for(new_lon, new_lat, region)
    elif moved:
        new_region = region_for(new_lon, new_lat, None)
    if new_region.pk != station.region_id and actor is not None:
        if is_staff_manager:
            require_region_staff(actor, new_region)
        elif not new_region.path.startswith(community_path(station.region)):
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
        stamp_bump(STATIONS_TOPIC, keys=[station.pk])
    return station


@transaction.atomic
def station_set_status(*, station: Station, actor: Any, status: str, note: str = "") -> Station:
    """Open, suspend or close a station; suspending and closing need a reason for riders."""
    status = choice_clean(status, StationStatus, "bad_status", _("未知的状态。"))
    if status != StationStatus.OPEN and not (note or "").strip():
        raise input_error("note_required", _("暂停或撤销驿站时请填写原因，方便骑手了解。"))
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
