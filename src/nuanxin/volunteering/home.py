from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from nuanxin.core.home import HomeCard
from nuanxin.core.scoping import scope_to_jurisdiction
from nuanxin.volunteering.models import Attendance, AttendanceStatus
from nuanxin.volunteering.selectors import hours_of


def worker_cards(request: HttpRequest) -> list[HomeCard]:
    summary = hours_of(request.user)
    return [
        HomeCard(
            _("志愿服务"),
            f"{summary.hours.normalize():f}",
            reverse("volunteering:list"),
            hint=_("已服务 %(n)s 次，认领附近的志愿项目") % {"n": summary.sessions},
            unit=_("小时"),
            near=True,
        )
    ]


def staff_cards(request: HttpRequest) -> list[HomeCard]:
    waiting = scope_to_jurisdiction(
        Attendance.objects.exclude(status=AttendanceStatus.VERIFIED),
        request.user,
        region_field="project__region",
    ).count()
    return [
        HomeCard(
            _("待核验的志愿服务"),
            waiting,
            reverse("volunteering:staff"),
            unit=_("人次"),
            tone="warn" if waiting else "",
        )
    ]
