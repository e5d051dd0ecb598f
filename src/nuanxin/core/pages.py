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

from nuanxin.core.errors import ApplicationError

View = Callable[..., HttpResponse]


def error_page(
    request: HttpRequest, error: ApplicationError, *, template: str = "core/error.html"
) -> HttpResponse:
    return render(request, template, {"error": error}, status=error.status or 400)


def guarded(
    view: View, *, staff_code: str | None = None, template: str = "core/error.html"
) -> View:
    """``view`` for logged-in users (staff only when ``staff_code`` is given, refused with that
    code); an ApplicationError it raises becomes the error page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if staff_code is not None and not request.user.is_staff:
            refused = ApplicationError(staff_code, _("只有工作人员可以进行此操作。"), status=403)
            return error_page(request, refused, template=template)
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as error:
            return error_page(request, error, template=template)

    return wrapper


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
