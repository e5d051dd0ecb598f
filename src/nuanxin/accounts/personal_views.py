"""My data (PIPL): download everything held about me, and erase my account."""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import submitted
from nuanxin.core.pages import login_page
from nuanxin.core.personal import (
    personal_erase,
    personal_export_audited,
    personal_export_json,
    personal_export_xlsx,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: bytes, content_type: str, suffix: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    name = f"nuanxin-my-data-{timezone.localdate():%Y%m%d}.{suffix}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_page
def my_data_json(request: HttpRequest) -> HttpResponse:
    tables = personal_export_audited(user=request.user, kind="json")
    return _download(personal_export_json(tables), "application/json; charset=utf-8", "json")


@login_page
def my_data_xlsx(request: HttpRequest) -> HttpResponse:
    tables = personal_export_audited(user=request.user, kind="xlsx")
    return _download(personal_export_xlsx(tables), XLSX, "xlsx")


@login_page
def erase(request: HttpRequest) -> HttpResponse:
    """Asks once, in words, then anonymises the account and logs out."""
    error = ""
    data = submitted(request)
    if data is not None:
        if data.get("confirm") != "注销":
            error = _("请输入“注销”两个字以确认。")
        else:
            try:
                personal_erase(user=request.user, actor=request.user)
            except ApplicationError as exc:
                error = exc.message
            else:
                logout(request)
                messages.success(request, _("您的账号已注销，个人信息已删除。"))
                return redirect("accounts:login")
    return render(
        request,
        "accounts/erase.html",
        {"error": error, "may_erase": request.user.is_worker},
        status=400 if error else 200,
    )
