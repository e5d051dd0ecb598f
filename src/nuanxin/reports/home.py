from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from nuanxin.core.home import HomeCard, HomePanel
from nuanxin.reports.models import OPEN_STATES
from nuanxin.reports.selectors import queue_counts, reports_of_reporter


def worker_cards(request: HttpRequest) -> list[HomeCard]:
    mine = reports_of_reporter(request.user)
    open_count = mine.filter(state__in=OPEN_STATES).count()
    return [
        HomeCard(
            _("我的随手拍"),
            open_count,
            reverse("reports:mine"),
            hint=_("共上报 %(n)s 条") % {"n": mine.count()},
            unit=_("条处理中"),
        )
    ]


def worker_panels(request: HttpRequest) -> list[HomePanel]:
    """The big button that starts a report: the thing a rider does between two deliveries."""
    return [HomePanel("reports/_home_action.html", {"url": reverse("reports:new")})]


def staff_cards(request: HttpRequest) -> list[HomeCard]:
    counts = queue_counts(request.user)
    return [
        HomeCard(
            _("待审核问题"),
            counts["waiting"],
            reverse("reports:queue"),
            hint=_("超期未办结 %(n)s 条") % {"n": counts["overdue"]} if counts["overdue"] else "",
            unit=_("条待审"),
            tone="warn" if counts["overdue"] else "",
        )
    ]
