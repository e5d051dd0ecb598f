from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from nuanxin.core.home import HomeCard
from nuanxin.stations.models import Station, StationStatus
from nuanxin.stations.permissions import stations_managed_by


def worker_cards(request: HttpRequest) -> list[HomeCard]:
    stations = Station.objects.filter(status=StationStatus.OPEN).count()
    return [
        HomeCard(
            _("暖新驿站"),
            stations,
            reverse("stations:map") + "?nearest=1",
            hint=_("歇脚、喝水、充电：找最近的开放驿站"),
            unit=_("个在服务"),
        )
    ]


def staff_cards(request: HttpRequest) -> list[HomeCard]:
    managed = stations_managed_by(request.user)
    return [
        HomeCard(
            _("辖区驿站"),
            managed.filter(status=StationStatus.OPEN).count(),
            reverse("stations:stats"),
            hint=_("共 %(n)s 个，含暂停服务") % {"n": managed.exclude(status="closed").count()},
            unit=_("个在服务"),
        )
    ]
