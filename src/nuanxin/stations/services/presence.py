"""Showing presence at a station, so that a check-in pays only to someone who is there.

The printed poster's QR code names the station but proves nothing: a photo of it works from
anywhere, for days. A check-in therefore also needs one of:

- **the phone's position** within the station's ``checkin_radius_m``, asked in the browser
  with the worker's consent. It is compared here with the station's position and then
  discarded: not stored on the visit, not written to the audit log or the logs, not echoed
  in an answer (a refusal says only how far, in whole metres).
- **a rotating code** shown by a station screen or the keeper's phone
  (``/stations/<id>/live-code/``): an HMAC of the station, its QR version and the current
  30-second step, keyed by a key derived from ``SECRET_KEY``. It travels as
  ``<station>.<step>.<mac>`` in the screen's QR code, or as the six digits shown beside it
  for typing. A code is accepted in its own step and the next (30 to 60 seconds in all); an
  older one is refused as expired, so a photo of the screen stops working within a minute,
  and a code of one station never checks in at another.
"""

import base64
import datetime as dt
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.geo.coords import haversine_m, point_to_wgs84
from nuanxin.stations.models import Station

KEY_SALT = "nuanxin.stations.presence"
STEP_SECONDS = 30
# A code is good in its own step and the next one; anything older is expired.
GRACE_STEPS = 1
# How far back an old six-digit code is still recognised as expired (rather than wrong).
RECOGNISED_STEPS = 120
# A fix less precise than this cannot tell the station from the next street.
MAX_ACCURACY_M = 500
POSITION_ERRORS = ("denied", "unavailable", "timeout")
# Wrong codes one worker may send in ``CODE_ATTEMPT_WINDOW`` seconds: six digits are few, so
# guessing them from afar must be slow.
CODE_ATTEMPT_LIMIT = 10
CODE_ATTEMPT_WINDOW = 600


@dataclass(frozen=True)
class Presence:
    """What the phone sent to show it is at the station (all optional; see the module)."""

    lon: float | None = None
    lat: float | None = None
    accuracy_m: float | None = None
    coord_system: str = "wgs84"
    position_error: str = ""
    code: str = ""

    @property
    def has_position(self) -> bool:
        return self.lon is not None and self.lat is not None


@dataclass(frozen=True)
class LiveCode:
    code: str  # for the QR code: "<station>.<step>.<mac>"
    digits: str  # six digits for typing
    expires_at: dt.datetime  # the end of the window in which the code is accepted
    changes_at: dt.datetime  # when the screen shows the next one


def _step_of(at: dt.datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def _mac(station: Station, step: int) -> bytes:
    value = f"{station.pk}:{station.qr_version}:{step}"
    return salted_hmac(KEY_SALT, value, algorithm="sha256").digest()


def _mac_text(mac: bytes) -> str:
    return base64.b32encode(mac[:10]).decode().lower()


def _digits(mac: bytes) -> str:
    return f"{int.from_bytes(mac[10:14], 'big') % 1_000_000:06d}"


def live_code(station: Station, at: dt.datetime) -> LiveCode:
    """The code a station's screen shows at ``at``."""
    step = _step_of(at)
    mac = _mac(station, step)
    start = dt.datetime.fromtimestamp(step * STEP_SECONDS, tz=dt.UTC)
    return LiveCode(
        code=f"{station.pk}.{step}.{_mac_text(mac)}",
        digits=_digits(mac),
        changes_at=start + dt.timedelta(seconds=STEP_SECONDS),
        expires_at=start + dt.timedelta(seconds=STEP_SECONDS * (1 + GRACE_STEPS)),
    )


def _refuse(code: str, message: str, **extra: object) -> ApplicationError:
    return ApplicationError(f"stations.{code}", message, extra=extra, status=403)


def _expired() -> ApplicationError:
    return _refuse("code_expired", _("签到码已过期，请扫描驿站屏幕上最新的二维码。"))


def _invalid() -> ApplicationError:
    return _refuse("code_invalid", _("签到码不正确，请核对驿站屏幕上的签到码。"))


def _check_full_code(station: Station, code: str, now_step: int) -> None:
    station_part, _sep, rest = code.partition(".")
    step_part, _sep, mac_part = rest.partition(".")
    if not (station_part.isdigit() and step_part.isdigit() and mac_part):
        raise _invalid()
    step = int(step_part)
    if int(station_part) != station.pk:
        other = Station.objects.filter(pk=int(station_part)).first()
        if other is not None and hmac.compare_digest(_mac_text(_mac(other, step)), mac_part):
            raise _refuse("code_other_station", _("这是另一个驿站的签到码，请扫描本驿站的签到码。"))
        raise _invalid()
    if not hmac.compare_digest(_mac_text(_mac(station, step)), mac_part) or step > now_step + 1:
        raise _invalid()
    if step < now_step - GRACE_STEPS:
        raise _expired()


def _check_digits(station: Station, digits: str, now_step: int) -> None:
    # One step ahead is accepted too: a screen whose clock runs a little fast.
    for step in range(now_step + 1, now_step - GRACE_STEPS - 1, -1):
        if hmac.compare_digest(_digits(_mac(station, step)), digits):
            return
    older = range(now_step - GRACE_STEPS - 1, now_step - RECOGNISED_STEPS, -1)
    if any(hmac.compare_digest(_digits(_mac(station, step)), digits) for step in older):
        raise _expired()
    raise _invalid()


def _check_code(station: Station, code: str, at: dt.datetime) -> None:
    code = code.strip()
    if len(code) > 80:
        raise _invalid()
    now_step = _step_of(at)
    if code.isdigit() and len(code) == 6:
        _check_digits(station, code, now_step)
    else:
        _check_full_code(station, code, now_step)


def _check_position(station: Station, presence: Presence) -> None:
    lon, lat = point_to_wgs84(presence.lon, presence.lat, presence.coord_system)
    accuracy = presence.accuracy_m
    if accuracy is not None and accuracy > MAX_ACCURACY_M:
        raise _refuse(
            "position_inaccurate",
            _("定位不够准确（误差约 %(m)s 米），请到室外或靠近窗口再试，或输入驿站屏幕上的签到码。")
            % {"m": int(accuracy)},
            accuracy_m=int(accuracy),
        )
    distance = haversine_m(lon, lat, station.lon, station.lat)
    radius = station.checkin_radius_m
    # A fix is a circle: its error (up to the radius) is given to the worker's benefit.
    allowance = min(accuracy or 0.0, float(radius))
    if distance - allowance > radius:
        raise _refuse(
            "too_far",
            _("您距离驿站约 %(d)s 米，超出签到范围（%(r)s 米）。请到驿站后再签到。")
            % {"d": int(distance), "r": radius},
            distance_m=int(distance),
            radius_m=radius,
        )


def presence_check(*, station: Station, presence: Presence | None, at: dt.datetime) -> str:
    """Whether ``presence`` shows the worker at ``station`` at ``at``; answers how ("code" or
    "position") or raises the refusal. Nothing of the position outlives this call."""
    presence = presence or Presence()
    if presence.code:
        _check_code(station, presence.code, at)
        return "code"
    if presence.has_position:
        _check_position(station, presence)
        return "position"
    if presence.position_error == "denied":
        raise _refuse(
            "position_denied",
            _("您没有允许定位，无法确认您在驿站。请在浏览器中允许定位，或输入驿站屏幕上的签到码。"),
        )
    if presence.position_error in POSITION_ERRORS:
        raise _refuse(
            "position_unavailable",
            _("暂时无法获取您的位置。请稍后重试，或输入驿站屏幕上的签到码。"),
        )
    raise _refuse(
        "presence_required",
        _(
            "签到需要确认您在驿站：请允许定位，或扫描驿站屏幕上的动态签到码。张贴的二维码只用于打开签到页。"
        ),
    )


@contextmanager
def code_attempts(worker: Any, presence: Presence | None) -> Iterator[None]:
    """Count the worker's wrong codes and refuse (``stations.code_attempts``, 429) once they
    reach the limit in the window; a right code or a position does not count."""
    key = f"stations.code_attempts:{getattr(worker, 'pk', '')}"
    if presence is not None and presence.code and (cache.get(key) or 0) >= CODE_ATTEMPT_LIMIT:
        raise ApplicationError(
            "stations.code_attempts",
            _("签到码输错次数过多，请 10 分钟后再试，或用定位签到。"),
            extra={"retry_after_seconds": CODE_ATTEMPT_WINDOW},
            status=429,
        )
    try:
        yield
    except ApplicationError as error:
        wrong = error.code in ("stations.code_invalid", "stations.code_other_station")
        if wrong and not cache.add(key, 1, CODE_ATTEMPT_WINDOW):
            try:
                cache.incr(key)
            except ValueError:  # expired between the two calls
                cache.set(key, 1, CODE_ATTEMPT_WINDOW)
        raise
