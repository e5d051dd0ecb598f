"""Every write to stations, hours, photos and visits (see each module)."""

from nuanxin.stations.services.amenities import amenity_defaults_ensure, amenity_save
from nuanxin.stations.services.common import STATIONS_TOPIC, UNSET
from nuanxin.stations.services.hours import (
    station_remove_exception,
    station_set_exception,
    station_set_weekly_hours,
    weekly_from_text,
)
from nuanxin.stations.services.importer import ImportReport, stations_import_xlsx
from nuanxin.stations.services.photos import station_photo_add, station_photo_remove
from nuanxin.stations.services.presence import Presence, live_code, presence_check
from nuanxin.stations.services.stations import (
    station_create,
    station_rotate_qr,
    station_set_status,
    station_update,
)
from nuanxin.stations.services.visits import (
    CheckinResult,
    PurgeReport,
    checkin_path,
    checkin_token,
    station_from_token,
    visit_checkin,
    visit_record,
    visits_purge,
)

__all__ = [
    "STATIONS_TOPIC",
    "UNSET",
    "CheckinResult",
    "ImportReport",
    "Presence",
    "PurgeReport",
    "amenity_defaults_ensure",
    "amenity_save",
    "checkin_path",
    "checkin_token",
    "live_code",
    "presence_check",
    "station_create",
    "station_from_token",
    "station_photo_add",
    "station_photo_remove",
    "station_remove_exception",
    "station_rotate_qr",
    "station_set_exception",
    "station_set_status",
    "station_set_weekly_hours",
    "station_update",
    "stations_import_xlsx",
    "visit_checkin",
    "visit_record",
    "visits_purge",
    "weekly_from_text",
]
