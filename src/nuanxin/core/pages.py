"""Helpers every app's pages share: a login guard that turns service errors into a Chinese
error page, a staff guard, running a service from a form, going back where the form came from."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from nuanxin.core.access import Access, UserCheck, declare
from nuanxin.core.errors import ApplicationError, forbidden
from nuanxin.core.scoping import is_governing, require_staff

View = Callable[..., HttpResponse]


def error_page(
    request: HttpRequest, error: ApplicationError, *, template: str = "core/error.html"
) -> HttpResponse:
    return render(request, template, {"error": error}, status=error.status or 400)


def guarded(
    view: View,
    *,
    staff: bool = False,
    governing: bool = False,
    check: UserCheck | None = None,
    template: str = "core/error.html",
) -> View:
    """``view`` for logged-in users: only staff with ``staff``, only staff of a jurisdiction with
    ``governing`` (both refused by ``core.scoping.require_staff``, ``auth.staff_only``), and only
    those for whom ``check`` holds (``auth.forbidden``). An ApplicationError the view raises
    becomes the error page. The whole check is declared on the view (``core.access``) for the
    menus."""

    def allows(user: Any) -> bool:
        if governing and not is_governing(user):
            return False
        if staff and not user.is_staff:
            return False
        return check is None or bool(check(user))

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            if staff or governing:
                require_staff(request.user, governing=governing)
            if check is not None and not check(request.user):
                raise forbidden("auth.forbidden", _("您的角色不能使用此页面。"))
            return view(request, *args, **kwargs)
        except ApplicationError as error:
            return error_page(request, error, template=template)

    restricted = staff or governing or check is not None
    return declare(login_required(wrapper), Access(allows if restricted else None))


def login_page(view: View) -> View:
    """``login_required`` that declares the page as open to every logged-in user."""
    return declare(login_required(view), Access())


def back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Redirect to the page the form came from (``next``), else ``fallback``."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def run(request: HttpRequest, call: Callable[[], Any], success: str) -> bool:
    """Run a service call from a form: a success message, or the error's message."""
    try:
        call()
    except ApplicationError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True
