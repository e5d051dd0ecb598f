"""How a station's state reads to a rider: "营业中 · 20:00 打烊", navigation hand-off links."""

import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.geo.coords import from_wgs84
from nuanxin.stations.models import Station, StationStatus, Weekday
from nuanxin.stations.schedule import OpenStatus


def _when(moment: dt.datetime, now: dt.datetime) -> str:
    local = timezone.localtime(moment, moment.tzinfo)
    today = timezone.localtime(now, moment.tzinfo).date()
    clock = f"{local:%H:%M}"
    days = (local.date() - today).days
    if days == 0:
        return _("今天 %(clock)s") % {"clock": clock}
    if days == 1:
        return _("明天 %(clock)s") % {"clock": clock}
    return _("%(month)d月%(day)d日（%(weekday)s）%(clock)s") % {
        "month": local.month,
        "day": local.day,
        "weekday": Weekday(local.weekday()).label,
        "clock": clock,
    }


def status_label(station_status: str, status: OpenStatus, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if station_status == StationStatus.SUSPENDED:
        return _("暂停服务")
    if station_status == StationStatus.CLOSED:
        return _("已撤销")
    if status.is_open:
        if status.closes_at is None:
            return _("24小时开放")
        return _("开放中 · %(when)s 关门") % {"when": _when(status.closes_at, now)}
    if status.opens_at is None:
        return _("近期不开放")
    return _("休息中 · %(when)s 开门") % {"when": _when(status.opens_at, now)}


def navigation_links(station: Station) -> dict[str, str]:
    """Links that hand the trip to a map app: AMap (GCJ-02), Baidu (BD-09), the phone's own."""
    g_lon, g_lat = from_wgs84(station.lon, station.lat, "gcj02")
    b_lon, b_lat = from_wgs84(station.lon, station.lat, "bd09")
    amap: dict[str, Any] = {
        "position": f"{g_lon:.6f},{g_lat:.6f}",
        "name": station.name,
        "src": "nuanxin",
        "coordinate": "gaode",
        "callnative": 1,
    }
    baidu: dict[str, Any] = {
        "location": f"{b_lat:.6f},{b_lon:.6f}",
        "title": station.name,
        "content": station.address,
        "output": "html",
        "src": "nuanxin",
        "coord_type": "bd09ll",
    }
    return {
        "amap": "https://uri.amap.com/marker?" + urlencode(amap),
        "baidu": "https://api.map.baidu.com/marker?" + urlencode(baidu),
        "geo": f"geo:{station.lat:.6f},{station.lon:.6f}?q={station.lat:.6f},{station.lon:.6f}"
        f"({quote(station.name)})",
    }
