from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from nuanxin.core.home import HomeCard, HomePanel
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


def worker_panels(request: HttpRequest) -> list[HomePanel]:
    """The nearest open station, found from the phone's position when the rider allows it."""
    strings = {
        "locating": _("正在获取您的位置…"),
        "denied": _("无法获取您的位置。请允许定位，或打开驿站地图查找。"),
        "none": _("附近没有开放中的驿站。"),
        "error": _("查询失败，请稍后再试。"),
        "metres": _("%(n)s 米"),
        "kilometres": _("%(n)s 公里"),
        "away": _("距您 %(d)s · 骑行约 %(minutes)s 分钟"),
    }
    context = {"strings": strings, "nearest_url": reverse("api:nearest")}
    return [HomePanel("stations/_home_nearest.html", context)]
