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

from nuanxin.core.errors import ApplicationError
from nuanxin.core.scoping import require_staff

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
    template: str = "core/error.html",
) -> View:
    """``view`` for logged-in users (only staff with ``staff``, only staff of a jurisdiction with
    ``governing``: ``core.scoping.require_staff``); an ApplicationError it raises becomes the
    error page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            if staff or governing:
                require_staff(request.user, governing=governing)
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
