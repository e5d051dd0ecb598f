"""Shared helpers of the pages: staff guard, turning service errors into messages."""

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


def error_page(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    return render(request, "volunteering/error.html", {"error": error}, status=error.status or 400)


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged-in staff only; service errors raised while rendering become an error page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            return error_page(
                request,
                ApplicationError(
                    "volunteering.staff_only", _("只有工作人员可以进行此操作。"), status=403
                ),
            )
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as error:
            return error_page(request, error)

    return wrapper


def worker_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as error:
            return error_page(request, error)

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
