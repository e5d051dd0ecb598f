from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from nuanxin.core.profile import ProfileLine, ProfileSection
from nuanxin.core.templatetags.nuanxin_time import hours_minutes
from nuanxin.volunteering.selectors import hours_of


def sections(request: HttpRequest) -> list[ProfileSection]:
    """我的报到: the worker's volunteering attendances and verified hours."""
    if not request.user.is_worker:
        return []
    summary = hours_of(request.user)
    lines = [
        ProfileLine(_("服务次数"), str(summary.sessions)),
        ProfileLine(_("服务时长"), hours_minutes(summary.hours) or _("0 分钟")),
    ]
    return [
        ProfileSection(
            _("志愿服务"),
            lines,
            link=reverse("volunteering:mine"),
            link_label=_("我的认领与时长"),
        )
    ]
