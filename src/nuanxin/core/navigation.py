"""The navigation of the web shell, one list for workers and one for staff.

Entries name URL patterns; an entry whose pattern is not installed is left out, so a feature
appears in the menu exactly when its pages exist. An entry is shown only to a user its page
would let in: the page's view declares who may open it (``core.access``), and the menu asks the
same check. An anonymous visitor also sees the pages that need only a login (they lead to the
login page, which says why).
"""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nuanxin.core.access import may_offer


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str | Promise
    icon: str


WORKER_NAV = [
    NavEntry("home", _("首页"), "⌂"),
    NavEntry("stations:map", _("驿站"), "☕"),
    NavEntry("reports:new", _("随手拍"), "📷"),
    NavEntry("volunteering:list", _("志愿"), "♥"),
    NavEntry("store:shop", _("兑换"), "🎁"),
    NavEntry("points:mine", _("积分"), "★"),
]

STAFF_NAV = [
    NavEntry("home", _("首页"), "⌂"),
    NavEntry("geo:map", _("区域地图"), "🗺"),
    NavEntry("dashboard:screen", _("数据大屏"), "📊"),
    NavEntry("reports:queue", _("问题审核"), "✔"),
    NavEntry("registry:home", _("台账"), "📒"),
    NavEntry("stations:stats", _("驿站"), "☕"),
    NavEntry("coverage:map", _("服务圈"), "◎"),
    NavEntry("store:verify", _("核销"), "🎁"),
    NavEntry("volunteering:staff", _("志愿项目"), "♥"),
    NavEntry("party:staff", _("党建"), "⚑"),
    NavEntry("admin:index", _("管理后台"), "⚙"),
]


def resolve_entries(entries: list[NavEntry], request: HttpRequest) -> list[dict[str, Any]]:
    """The entries shown to the request's user, with their URLs and which one is current."""
    current_path = request.path
    resolved = []
    for entry in entries:
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        if not may_offer(request, url):
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        resolved.append({"url": url, "label": entry.label, "icon": entry.icon, "active": active})
    return resolved


def label_of(url_name: str) -> str | Promise:
    """The navigation's name for a page ("兑换" for the shop), or "" if it is in no menu."""
    for entry in (*WORKER_NAV, *STAFF_NAV):
        if entry.url_name == url_name:
            return entry.label
    return ""
