"""Home cards: a member's next branch activity; the 应建尽建 count of a party-work area."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.home import HomeCard
from nuanxin.party.access import is_party_staff
from nuanxin.party.selectors import coverage, meetings
from nuanxin.party.selectors.staff import area_for


def worker_cards(request: HttpRequest) -> list[HomeCard]:
    if meetings.open_membership_of(request.user) is None:
        return []
    upcoming = meetings.meetings_of_member(request.user).filter(ends_at__gte=timezone.now())
    first = upcoming.first()
    return [
        HomeCard(
            _("支部活动"),
            upcoming.count(),
            reverse("party:mine"),
            hint=first.title if first else _("亮身份、签到参加支部活动"),
            unit=_("场"),
        )
    ]


def staff_cards(request: HttpRequest) -> list[HomeCard]:
    if not is_party_staff(request.user):
        return []
    count = len(coverage.must_set_up_list(area_for(request.user, None).path))
    return [
        HomeCard(
            _("应建尽建"),
            count,
            reverse("party:coverage"),
            hint=_("正式党员达到标准、尚未单独建立党组织的企业"),
            unit=_("家"),
            tone="warn" if count else "",
        )
    ]
