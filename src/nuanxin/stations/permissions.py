"""Who may manage a station.

Region staff (community, street, county, city) manage the stations inside their jurisdiction;
a station keeper manages the stations listed as kept by them, and nothing else. Every staff
list of stations goes through ``stations_managed_by``.

To someone who does not manage a station, managing it answers like a station that does not
exist (``stations.not_found``): the staff API and pages look stations up among those the user
manages, and the services' own checks raise the same error.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from nuanxin.accounts.models import Role
from nuanxin.core.errors import ApplicationError, forbidden, not_found
from nuanxin.core.scoping import in_jurisdiction, jurisdiction_path, scope_to_jurisdiction
from nuanxin.stations.models import Station


def manages_stations(user: Any) -> bool:
    """Region staff and station keepers: the users with stations to manage (staff pages)."""
    if jurisdiction_path(user) is not None:
        return True
    return getattr(user, "is_authenticated", False) and user.role == Role.STATION_KEEPER


def is_keeper_of(user: Any, station: Station) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active or station.pk is None:
        return False
    return station.keepers.filter(pk=user.pk).exists()


def governs(user: Any, station: Station) -> bool:
    """Region staff whose jurisdiction holds the station (superusers govern everything)."""
    return jurisdiction_path(user) is not None and in_jurisdiction(user, station.region)


def can_manage(user: Any, station: Station) -> bool:
    return governs(user, station) or is_keeper_of(user, station)


def station_missing() -> ApplicationError:
    return not_found("stations.not_found", _("驿站不存在。"))


def require_manager(user: Any, station: Station) -> None:
    """Raise ``stations.not_found`` unless ``user`` governs the station's region or keeps it."""
    if not can_manage(user, station):
        raise station_missing()


def require_region_staff(user: Any, region: Any) -> None:
    """Creating stations and naming keepers is for region staff inside their jurisdiction."""
    if jurisdiction_path(user) is None:
        raise forbidden(
            "stations.forbidden", _("只有社区、街道、县（市、区）和市级工作人员可以操作。")
        )
    if not in_jurisdiction(user, region):
        raise forbidden("auth.out_of_jurisdiction", _("该区域不在您的管辖范围内。"))


def require_governor(user: Any, station: Station) -> None:
    """Region staff governing the station's area (opening its shop): others are refused by
    role (``stations.forbidden``), and staff of another area find no such station."""
    if jurisdiction_path(user) is None:
        raise forbidden(
            "stations.forbidden", _("只有社区、街道、县（市、区）和市级工作人员可以操作。")
        )
    if not in_jurisdiction(user, station.region):
        raise station_missing()


def stations_managed_by(user: Any) -> QuerySet[Station]:
    """The stations a user may see and edit as staff: their jurisdiction plus those they keep."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Station.objects.none()
    scoped = scope_to_jurisdiction(Station.objects.all(), user)
    if jurisdiction_path(user) is not None:
        return scoped
    return Station.objects.filter(keepers=user)
