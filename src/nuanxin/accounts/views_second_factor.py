"""The second step of a staff login: verify a code, or enrol an authenticator app first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from nuanxin.accounts.forms import SecondFactorForm
from nuanxin.accounts.second_factor import (
    SECOND_FACTOR_REQUIRED,
    backup_codes_regenerate,
    has_authenticator,
    second_factor_pass,
    second_factor_passed,
    second_factor_required,
    totp_enrol_confirm,
    totp_enrol_start,
    totp_qr_data_uri,
    totp_secret_text,
)
from nuanxin.core.access import Access, declare
from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import submitted
from nuanxin.core.pages import login_page


def next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def second_factor_step(request: HttpRequest, target: str) -> HttpResponse:
    """Where a login goes once the password or SMS code passed: the target, or first the
    second factor for a role that needs it."""
    if second_factor_required(request.user) and not second_factor_passed(request.user):
        return redirect(f"{reverse('accounts:second_factor')}?{urlencode({'next': target})}")
    return redirect(target)


def _second_factor_page(view):  # type: ignore[no-untyped-def]
    """Open to every logged-in user (the gate lets the unverified reach only these pages); not
    offered in any menu: nobody is sent here but by the login."""
    return declare(login_required(view), Access(lambda user: second_factor_required(user)))


@_second_factor_page
def verify(request: HttpRequest) -> HttpResponse:
    target = next_url(request)
    if not second_factor_required(request.user) or second_factor_passed(request.user):
        return redirect(target)
    if not has_authenticator(request.user):
        return redirect(f"{reverse('accounts:second_factor_enrol')}?{urlencode({'next': target})}")
    form = SecondFactorForm(submitted(request))
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor_pass(
                request=request, user=request.user, code=form.cleaned_data["code"]
            )
        except ApplicationError as exc:
            error = exc
        else:
            otp_login(request, device)
            return redirect(target)
    context = {"form": form, "error": error, "next": target, "code": SECOND_FACTOR_REQUIRED}
    return render(request, "accounts/second_factor.html", context, status=401 if error else 200)


@_second_factor_page
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: the QR code and the key to type in, then one code to confirm;
    the backup codes are shown once, right after."""
    target = next_url(request)
    if has_authenticator(request.user):
        return redirect(f"{reverse('accounts:second_factor')}?{urlencode({'next': target})}")
    device = totp_enrol_start(user=request.user)
    form = SecondFactorForm(submitted(request))
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = totp_enrol_confirm(user=request.user, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            error = exc
        else:
            otp_login(request, device)
            context = {"codes": codes, "next": target}
            return render(request, "accounts/backup_codes.html", context)
    context = {
        "form": form,
        "error": error,
        "next": target,
        "qr": totp_qr_data_uri(device),
        "secret": totp_secret_text(device),
    }
    return render(
        request, "accounts/second_factor_enrol.html", context, status=400 if error else 200
    )


@require_POST
@login_page
def backup_codes(request: HttpRequest) -> HttpResponse:
    """A new set of backup codes (the old ones stop working), shown once."""
    try:
        codes = backup_codes_regenerate(user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:profile")
    messages.success(request, _("已生成新的备用验证码，旧的备用验证码已失效。"))
    return render(request, "accounts/backup_codes.html", {"codes": codes, "next": "/"})
