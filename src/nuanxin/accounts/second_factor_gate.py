"""The gate in front of every page and API operation for logged-in staff.

* A staff session ends after ``STAFF_SESSION_IDLE_MINUTES`` without a request: the session's
  expiry slides forward with each request (refreshed at most once a minute), so the session
  store drops it once the staff member has been away that long. Workers keep the long
  remembered login (``SESSION_COOKIE_AGE``).
* A session of a user whose role needs a second factor (``accounts.second_factor``) that has
  not passed one reaches only the login steps: pages send it to the verification (or
  enrolment) step, other requests are refused with ``auth.second_factor_required`` (403), in
  the API's JSON shape under /api/.

Bearer tokens are checked where they are read (``accounts.auth``): a token acts for such a user
only if it was issued after the second factor.
"""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from nuanxin.accounts.second_factor import (
    second_factor_passed,
    second_factor_refusal,
    second_factor_required,
)
from nuanxin.core.edge import api_error_response
from nuanxin.core.pages import error_page

SEEN_KEY = "_staff_seen"
REFRESH_SECONDS = 60
# What a session still waiting for its second factor may open.
OPEN_VIEWS = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:second_factor",
        "accounts:second_factor_enrol",
        "accounts:privacy",
        "set_language",
        "admin:logout",
    }
)
OPEN_PREFIXES = ("/static/", "/api/v1/auth/logout")


def _is_open(path: str) -> bool:
    if path.startswith(OPEN_PREFIXES):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.view_name in OPEN_VIEWS


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if user.is_staff:
            self._slide_expiry(request)
        if (
            second_factor_required(user)
            and not second_factor_passed(user)
            and not _is_open(request.path_info)
        ):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _slide_expiry(request: HttpRequest) -> None:
        now = int(time.time())
        if now - request.session.get(SEEN_KEY, 0) >= REFRESH_SECONDS:
            request.session[SEEN_KEY] = now
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_MINUTES * 60)

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        error = second_factor_refusal()
        if request.path_info.startswith("/api/"):
            return api_error_response(request, error)
        if request.method in ("GET", "HEAD") and not request.headers.get("HX-Request"):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('accounts:second_factor')}?{query}")
        return error_page(request, error)
