"""Who may open a page, declared once on the page's view and read by everything that links it.

A guard decorator (``core.pages.guarded``, ``login_page``, an app's own) refuses the request
unless its check holds, and records that check on the view it returns as ``view.access``. The
navigation and the home cards ask ``may_open(request, url)``, which resolves the URL to its view
and runs the same check, so a menu can never offer a page its view would refuse: there is no
second list of who sees what.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.contrib import admin
from django.http import HttpRequest
from django.urls import Resolver404, resolve

UserCheck = Callable[[Any], bool]


@dataclass(frozen=True)
class Access:
    """A page for logged-in users for whom ``check`` holds (every logged-in user without one)."""

    check: UserCheck | None = None

    def allows(self, user: Any) -> bool:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        return self.check is None or bool(self.check(user))

    @property
    def login_only(self) -> bool:
        """Any logged-in user may open it: a visitor is invited to log in, not refused."""
        return self.check is None


def declare(view: Callable[..., Any], access: Access) -> Callable[..., Any]:
    view.access = access  # type: ignore[attr-defined]
    return view


def access_of(view: Callable[..., Any]) -> Access | None:
    """The view's declared access; None for a public page."""
    return getattr(view, "access", None)


def _admin_allows(request: HttpRequest, match: Any) -> bool:
    """The admin's own checks: the site's, and the model admin's for a model's pages."""
    if not admin.site.has_permission(request):
        return False
    model_admin = getattr(match.func, "model_admin", None)
    return model_admin is None or model_admin.has_view_or_change_permission(request)


def may_open(request: HttpRequest, url: str) -> bool:
    """Whether the page at ``url`` would open for this request's user (not refused, not sent
    to log in)."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    if match.app_name == "admin":
        return _admin_allows(request, match)
    access = access_of(match.func)
    return access is None or access.allows(request.user)


def may_offer(request: HttpRequest, url: str) -> bool:
    """Whether a menu offers the page: it opens, or it asks an anonymous visitor only to log in."""
    if may_open(request, url):
        return True
    if getattr(request.user, "is_authenticated", False):
        return False
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    access = access_of(match.func)
    return access is not None and access.login_only and match.app_name != "admin"
