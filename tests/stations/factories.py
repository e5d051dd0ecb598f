"""Builders for station tests: stations made through the services, as staff would."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from nuanxin.stations import services
from nuanxin.stations.models import Station

# A Wednesday at noon in the city's time zone: tests that care about opening hours use it.
NOON = timezone.make_aware(dt.datetime(2030, 5, 15, 12, 0))


def make_station(
    *,
    lon: float,
    lat: float,
    name: str = "测试驿站",
    kind: str = "station",
    host_type: str = "party_mass_centre",
    amenities: Sequence[str] = ("drinking_water",),
    hours: str | None = "每天 24小时",
    keepers: Sequence[Any] = (),
    **fields: Any,
) -> Station:
    station = services.station_create(
        actor=None,
        kind=kind,
        name=name,
        host_type=host_type,
        address=fields.pop("address", f"{name}所在路 1 号"),
        lon=lon,
        lat=lat,
        amenities=list(amenities),
        keepers=list(keepers),
        **fields,
    )
    if hours:
        services.station_set_weekly_hours(station=station, actor=None, text=hours)
    return station
