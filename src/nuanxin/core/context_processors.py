from typing import Any

from django.conf import settings
from django.http import HttpRequest

from nuanxin.core.navigation import STAFF_NAV, WORKER_NAV, resolve_entries
from nuanxin.core.notifications import unread_count
from nuanxin.core.pwa import offline_pages


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    is_staff_user = bool(user and user.is_authenticated and user.is_staff)
    entries = STAFF_NAV if is_staff_user else WORKER_NAV
    return {
        "site_name": settings.NUANXIN_SITE_NAME,
        "nav_entries": resolve_entries(entries, request),
        "is_staff_user": is_staff_user,
        "unread_notifications": unread_count(user) if user is not None else 0,
        # What the phone keeps for use with no signal (base.html hands it to the worker).
        "offline_pages": " ".join(offline_pages(request)),
    }
