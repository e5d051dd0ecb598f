"""The JSON API at /api/v1/: one NinjaAPI, one router per app, one error shape.

Every app that has an ``api.py`` with a ``router`` is mounted at ``/api/v1/<app>/`` (accounts at
``/api/v1/auth/``); errors always come back as ``{"code", "message", "extra"}``.
"""

import importlib
import importlib.util

from django.apps import apps
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from nuanxin.accounts.auth import api_auth
from nuanxin.core.errors import ApplicationError


class Utf8JSONRenderer(JSONRenderer):
    """JSON with Chinese text as UTF-8, not \\u escapes: readable and a third smaller."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=Utf8JSONRenderer(),
    title="暖新 API",
    version="1",
    description=_("新就业群体服务与治理平台的开放接口。错误统一为 {code, message, extra}。"),
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
)

MOUNTS = {"accounts": "auth"}


def _error(request: HttpRequest, status: int, code: str, message: str, extra: dict) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": str(message), "extra": extra}, status=status
    )


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    response = _error(request, exc.status, exc.code, exc.message, exc.extra)
    # A limit that says when it lifts tells clients through the standard header too.
    if exc.status == 429 and isinstance(exc.extra.get("retry_after"), int):
        response["Retry-After"] = str(exc.extra["retry_after"])
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": [str(p) for p in e.get("loc", [])], "msg": e.get("msg", ""), "type": e.get("type")}
        for e in exc.errors
    ]
    return _error(request, 422, "validation_error", _("请求参数有误。"), {"errors": errors})


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "auth.unauthenticated", _("请先登录。"), {})


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("未找到。"), {})


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, f"http.{exc.status_code}", str(exc), {})


def _mount_app_routers() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("nuanxin."):
            continue
        module_name = f"{config.name}.api"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(f"/{MOUNTS.get(config.label, config.label)}/", router)


_mount_app_routers()
