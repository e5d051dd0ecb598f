"""Conversions between the three coordinate systems met in Chinese map data.

* WGS-84 is what GPS receivers report and what nuanxin stores.
* GCJ-02 ("Mars coordinates") is the obfuscated datum that Chinese law requires for published
  maps; AMap, Tencent and most domestic tile servers expect it, so a point taken from such a map
  is shifted by a few hundred metres from its true position.
* BD-09 is Baidu's own further distortion of GCJ-02, used by Baidu Maps and its SDKs.

All functions take and return (longitude, latitude) in degrees, in that order.  The forward
WGS-84 -> GCJ-02 formula is the published polynomial on the Krasovsky 1940 ellipsoid; it has no
closed-form inverse, so GCJ-02 -> WGS-84 is solved by fixed-point iteration.  This module is
pure Python so it can be used by the models, the API and the demo generator alike.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext

from nuanxin.core.errors import ApplicationError

EARTH_MEAN_RADIUS_M = 6371008.8  # IUGG mean radius R1, metres

# Krasovsky 1940 ellipsoid, which the GCJ-02 formula is defined on.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_E2 = 0.00669342162296594323
# Baidu's angular constant: pi * 3000 / 180.
_BD_K = math.pi * 3000.0 / 180.0
_BD_DLON = 0.0065
_BD_DLAT = 0.006

# Iteration limits for the numeric inverses: 1e-7 degrees is about 1 cm on the ground.
_INVERSE_TOLERANCE_DEG = 1e-7
_INVERSE_MAX_ROUNDS = 10


class CoordSystem(StrEnum):
    """The coordinate system an input point is expressed in (``coord_system`` in the API)."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


def out_of_china(lon: float, lat: float) -> bool:
    """Whether the point lies outside the rectangle in which the GCJ-02 shift is applied.

    The rectangle is the conventional one used by every GCJ-02 implementation; it is coarse
    (it includes parts of neighbouring countries) but it is what the map providers use.
    """
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lon(x: float, y: float) -> float:
    """Longitude part of the GCJ-02 distortion, in metres-like units, for offsets from 105E/35N."""
    s = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    s += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    s += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    s += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return s


def _shift_lat(x: float, y: float) -> float:
    """Latitude part of the GCJ-02 distortion, for offsets from 105E/35N."""
    s = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    s += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    s += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    s += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return s


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Shift a true (GPS) position to GCJ-02, the datum Chinese map tiles are drawn in."""
    if out_of_china(lon, lat):
        return (lon, lat)
    dlat = _shift_lat(lon - 105.0, lat - 35.0)
    dlon = _shift_lon(lon - 105.0, lat - 35.0)
    phi = math.radians(lat)
    w = 1.0 - _KRASOVSKY_E2 * math.sin(phi) ** 2
    sqrt_w = math.sqrt(w)
    # Turn the metre-like offsets into degrees on the Krasovsky ellipsoid.
    dlat = dlat * 180.0 / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_E2)) / (w * sqrt_w) * math.pi)
    dlon = dlon * 180.0 / (_KRASOVSKY_A / sqrt_w * math.cos(phi) * math.pi)
    return (lon + dlon, lat + dlat)


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Recover the true position of a point read off a GCJ-02 map.

    The shift varies slowly, so x = g - (f(x) - x) converges quickly: the first step is
    within a few metres, two or three more bring the forward image to within 1 cm of ``g``.
    """
    if out_of_china(lon, lat):
        return (lon, lat)
    wlon, wlat = lon, lat
    for _ in range(_INVERSE_MAX_ROUNDS):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = glon - lon, glat - lat
        if abs(dlon) < _INVERSE_TOLERANCE_DEG and abs(dlat) < _INVERSE_TOLERANCE_DEG:
            break
        wlon, wlat = wlon - dlon, wlat - dlat
    return (wlon, wlat)


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """Apply Baidu's BD-09 distortion on top of GCJ-02 (for Baidu Maps and its SDKs)."""
    r = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _BD_K)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _BD_K)
    return (r * math.cos(theta) + _BD_DLON, r * math.sin(theta) + _BD_DLAT)


def _bd09_to_gcj02_once(lon: float, lat: float) -> tuple[float, float]:
    """Baidu's published approximate inverse (exact to about 1e-6 degrees)."""
    x, y = lon - _BD_DLON, lat - _BD_DLAT
    r = math.hypot(x, y) - 0.00002 * math.sin(y * _BD_K)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_K)
    return (r * math.cos(theta), r * math.sin(theta))


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Undo Baidu's distortion, refining the closed-form estimate until it maps back exactly."""
    glon, glat = _bd09_to_gcj02_once(lon, lat)
    for _ in range(_INVERSE_MAX_ROUNDS):
        blon, blat = gcj02_to_bd09(glon, glat)
        dlon, dlat = blon - lon, blat - lat
        if abs(dlon) < _INVERSE_TOLERANCE_DEG and abs(dlat) < _INVERSE_TOLERANCE_DEG:
            break
        glon, glat = glon - dlon, glat - dlat
    return (glon, glat)


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """True position to Baidu coordinates (through GCJ-02, as Baidu defines BD-09)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Baidu coordinates back to the true position."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def _checked(lon: float, lat: float, system: CoordSystem | str) -> CoordSystem:
    """Validate a point and its system name; raise ValueError with a readable message."""
    for name, value, limit in (("longitude", lon, 180.0), ("latitude", lat, 90.0)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number, got {value!r}")
        if not math.isfinite(value) or not -limit <= value <= limit:
            raise ValueError(f"{name} must be between -{limit:g} and {limit:g}, got {value!r}")
    try:
        return CoordSystem(system)
    except ValueError:
        allowed = ", ".join(s.value for s in CoordSystem)
        raise ValueError(f"unknown coordinate system {system!r}, expected {allowed}") from None


def to_wgs84(lon: float, lat: float, system: CoordSystem | str) -> tuple[float, float]:
    """Convert an input point given in ``system`` to WGS-84, the storage system."""
    match _checked(lon, lat, system):
        case CoordSystem.GCJ02:
            return gcj02_to_wgs84(float(lon), float(lat))
        case CoordSystem.BD09:
            return bd09_to_wgs84(float(lon), float(lat))
        case _:
            return (float(lon), float(lat))


def point_to_wgs84(lon: Any, lat: Any, system: CoordSystem | str) -> tuple[float, float]:
    """``to_wgs84`` for outside input: anything it cannot convert (not numbers, out of range, an
    unknown system) is the one refusal ``geo.bad_coordinates``, wherever the point came from."""
    try:
        return to_wgs84(lon, lat, system)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(
            "geo.bad_coordinates", gettext("坐标无效。"), extra={"detail": str(exc)}
        ) from exc


def pair(point: Any) -> tuple[Any, Any]:
    """(lon, lat) from a two-item sequence given as input; anything else is bad coordinates."""
    try:
        lon, lat = point
    except (TypeError, ValueError) as exc:
        raise ApplicationError(
            "geo.bad_coordinates", gettext("坐标无效。"), extra={"detail": "expected [lon, lat]"}
        ) from exc
    return lon, lat


# How people name the three systems in spreadsheets and forms (compared lower-cased, without
# spaces): the one table every importer reads.
COORD_SYSTEM_NAMES: dict[str, CoordSystem] = {
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


def coord_system_named(text: str) -> CoordSystem | None:
    """The system a cell names ("GCJ-02（高德）", "百度", "gps"…); blank is WGS-84, unknown None."""
    key = "".join(text.split()).lower()
    if not key:
        return CoordSystem.WGS84
    for name, system in COORD_SYSTEM_NAMES.items():
        if key == name or key.startswith(name):
            return system
    return None


def from_wgs84(lon: float, lat: float, system: CoordSystem | str) -> tuple[float, float]:
    """Convert a stored WGS-84 point for output to a map that uses ``system``."""
    match _checked(lon, lat, system):
        case CoordSystem.GCJ02:
            return wgs84_to_gcj02(float(lon), float(lat))
        case CoordSystem.BD09:
            return wgs84_to_bd09(float(lon), float(lat))
        case _:
            return (float(lon), float(lat))


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres on a sphere of the Earth's mean radius.

    Good to about 0.5 % anywhere, far better than a GPS fix, and cheap enough for ranking
    stations by distance.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2.0) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2.0) ** 2
    return 2.0 * EARTH_MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
