"""Helpers shared by the stations API modules."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from nuanxin.accounts.models import Role, User
from nuanxin.accounts.services import phone_clean
from nuanxin.core import scoping
from nuanxin.core.errors import ApplicationError
from nuanxin.geo.models import Region
from nuanxin.stations.selectors import station_managed


def region_by_code(code: str | None) -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ApplicationError(
            "stations.unknown_region", _("区域代码 %s 不存在。") % code, extra={"code": code}
        )
    return region


def keepers_by_phone(phones: list[str] | None) -> list[User] | None:
    if phones is None:
        return None
    users = []
    for raw in phones:
        try:
            phone = phone_clean(raw)
        except ApplicationError as exc:
            raise ApplicationError("stations.unknown_keeper", exc.message) from exc
        user = User.objects.filter(phone=phone, role=Role.STATION_KEEPER).first()
        if user is None:
            raise ApplicationError(
                "stations.unknown_keeper",
                _("手机号 %s 不是已注册的驿站管理员。") % raw,
            )
        users.append(user)
    return users


def require_staff(request: HttpRequest) -> None:
    scoping.require_staff(request.auth)


def managed_station(request: HttpRequest, station_id: int) -> Any:
    """A station the caller manages: staff only (``auth.staff_only``, whatever the id);
    a station they do not manage answers like a missing one (``stations.not_found``)."""
    require_staff(request)
    return station_managed(request.auth, station_id)
