"""The navigation of the web shell, one list for workers and one for staff.

Entries name URL patterns; an entry whose pattern is not installed is left out, so a feature
appears in the menu exactly when its pages exist.
"""

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


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
    NavEntry("stations:map", _("驿站"), "☕"),
    NavEntry("store:verify", _("核销"), "🎁"),
    NavEntry("volunteering:staff", _("志愿项目"), "♥"),
    NavEntry("admin:index", _("管理后台"), "⚙"),
]


def resolve_entries(entries: list[NavEntry], current_path: str) -> list[dict[str, Any]]:
    resolved = []
    for entry in entries:
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        resolved.append({"url": url, "label": entry.label, "icon": entry.icon, "active": active})
    return resolved
