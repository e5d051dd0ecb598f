from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nuanxin.accounts.consent import LOCATION_NOTICE, location_consent_of
from nuanxin.accounts.forms import PasswordLoginForm, SmsLoginForm
from nuanxin.accounts.history import login_history
from nuanxin.accounts.jobs import SMS_CODE_RETENTION_DAYS
from nuanxin.accounts.second_factor import (
    backup_codes_left,
    has_authenticator,
    second_factor_required,
)
from nuanxin.accounts.services import (
    location_consent_give,
    location_consent_withdraw,
    password_login,
    sms_code_login,
    sms_code_send,
)
from nuanxin.accounts.views_second_factor import second_factor_step
from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import submitted
from nuanxin.core.navigation import label_of
from nuanxin.core.net import client_ip
from nuanxin.core.pages import back, login_page
from nuanxin.core.profile import profile_sections

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def _why_login(request: HttpRequest, target: str) -> str:
    """Why a visitor sent here from another page must log in first, naming that page."""
    if request.method == "POST" or request.user.is_authenticated or target == "/":
        return ""
    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return ""
    label = label_of(match.view_name)
    if label:
        return _("请先登录，再使用「%(page)s」。") % {"page": label}
    return _("请先登录，再打开您要访问的页面。")


def _remember(request: HttpRequest, user: Any, remember: bool) -> None:
    """How long this device stays logged in: a worker who ticks the box for
    ``LOGIN_REMEMBER_DAYS`` days (riders log in once on their own phone); staff for the usual
    session age; anyone who leaves it unticked (a shared phone) until the browser closes."""
    if not remember or settings.LOGIN_REMEMBER_DAYS <= 0:
        request.session.set_expiry(0)
    elif not user.is_staff:
        request.session.set_expiry(settings.LOGIN_REMEMBER_DAYS * 86400)


def login_view(request: HttpRequest) -> HttpResponse:
    mode = request.POST.get("mode") or request.GET.get("mode") or "password"
    data = submitted(request)
    password_form = PasswordLoginForm(data if mode == "password" else None)
    sms_form = SmsLoginForm(data if mode == "sms" else None)
    error = None
    resend_wait = 0
    if request.method == "POST":
        try:
            if mode == "password" and password_form.is_valid():
                fields = dict(password_form.cleaned_data)
                remember = fields.pop("remember")
                user = password_login(request=request, **fields)
                login(request, user, backend=BACKEND)
                _remember(request, user, remember)
                return second_factor_step(request, _next_url(request))
            if mode == "sms" and sms_form.is_valid():
                data = sms_form.cleaned_data
                if request.POST.get("action") == "send":
                    sms_code_send(phone=data["phone"], client_ip=client_ip(request))
                    messages.info(request, _("验证码已发送，请查收短信。"))
                    resend_wait = settings.SMS_CODE_RESEND_SECONDS
                else:
                    user, created = sms_code_login(
                        phone=data["phone"],
                        code=data["code"],
                        client_ip=client_ip(request),
                        request=request,
                    )
                    login(request, user, backend=BACKEND)
                    _remember(request, user, data["remember"])
                    if created:
                        messages.success(request, _("欢迎加入暖新！已为您创建账号。"))
                    return second_factor_step(request, _next_url(request))
        except ApplicationError as exc:
            error = exc
            if exc.code == "accounts.sms_too_soon":
                resend_wait = int(exc.extra.get("retry_after_seconds", 0))
    context = {
        "mode": mode,
        "resend_wait": resend_wait,
        "remember_days": settings.LOGIN_REMEMBER_DAYS,
        "password_form": password_form,
        "sms_form": sms_form,
        "error": error,
        "next": _next_url(request),
        "why": _why_login(request, _next_url(request)),
        **_retention(),
    }
    if error is None:
        return render(request, "accounts/login.html", context)
    # A refusal for too many tries says so to the browser too, with when to come back.
    status = 429 if error.status == 429 else 400
    response = render(request, "accounts/login.html", context, status=status)
    if "retry_after_seconds" in error.extra:
        response["Retry-After"] = str(error.extra["retry_after_seconds"])
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("您已退出登录。"))
    return redirect("home")


def privacy(request: HttpRequest) -> HttpResponse:
    """The personal-information notice shown before an account is made (PIPL informed consent):
    what is collected, why, for how long, and how to have it deleted."""
    return render(request, "accounts/privacy.html", _retention())


def _retention() -> dict[str, int]:
    """How long the notice says each kind of record is kept: the settings the jobs use."""
    return {
        "visit_days": settings.STATION_VISIT_RETENTION_DAYS,
        "login_days": settings.LOGIN_LOG_RETENTION_DAYS,
        "sms_days": SMS_CODE_RETENTION_DAYS,
        "contact_days": settings.REPORT_CONTACT_RETENTION_DAYS,
    }


@login_page
def profile(request: HttpRequest) -> HttpResponse:
    """My account: who I am (phone masked), what each app holds for me, my recent logins, the
    second factor, language, log out."""
    user = request.user
    context = {
        "sections": profile_sections(request),
        "logins": login_history(user=user),
        "second_factor": {
            "required": second_factor_required(user),
            "enrolled": has_authenticator(user),
            "backup_codes": backup_codes_left(user),
        },
        "location_consent": location_consent_of(user),
        "location_notice": LOCATION_NOTICE,
    }
    return render(request, "accounts/profile.html", context)


@require_POST
@login_page
def location_consent(request: HttpRequest) -> HttpResponse:
    """Give (``action=give``) or withdraw (``action=withdraw``) consent to location use, from
    the profile page, a page's notice or the check-in button. A script asking for JSON gets
    ``{"given": …}``; a form goes back to ``next`` (else the profile page)."""
    if request.POST.get("action") == "withdraw":
        location_consent_withdraw(user=request.user)
        given, message = False, _("已撤回位置信息使用同意，页面不再获取您的位置。")
    else:
        location_consent_give(user=request.user)
        given, message = True, _("已同意使用位置信息，可随时在“我的账号”中撤回。")
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"given": given})
    messages.success(request, message)
    return back(request, "accounts:profile")
