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
from nuanxin.core.errors import ApplicationError

View = Callable[..., HttpResponse]


def error_page(
    request: HttpRequest, error: ApplicationError, *, template: str = "core/error.html"
) -> HttpResponse:
    return render(request, template, {"error": error}, status=error.status or 400)


def _is_staff(user: Any) -> bool:
    return user.is_staff


def guarded(
    view: View,
    *,
    staff_code: str | None = None,
    check: UserCheck | None = None,
    template: str = "core/error.html",
) -> View:
    """``view`` for logged-in users (for whom ``check`` holds; staff only when just
    ``staff_code`` is given), refused with ``staff_code``; an ApplicationError it raises becomes
    the error page. The check is declared on the view (``core.access``) for the menus."""
    if check is None and staff_code is not None:
        check = _is_staff

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if check is not None and not check(request.user):
            if not request.user.is_staff:
                message = _("只有工作人员可以进行此操作。")
            else:
                message = _("您的角色不能使用此页面。")
            refused = ApplicationError(staff_code or "auth.forbidden", message, status=403)
            return error_page(request, refused, template=template)
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as error:
            return error_page(request, error, template=template)

    return declare(login_required(wrapper), Access(check))


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
