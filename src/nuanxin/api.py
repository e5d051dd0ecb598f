"""The JSON API at /api/v1/: one NinjaAPI, one router per app, one error shape.

Every app that has an ``api.py`` with a ``router`` is mounted at ``/api/v1/<app>/`` (accounts at
``/api/v1/auth/``); errors always come back as ``{"code", "message", "extra"}``.
"""

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from nuanxin.accounts.auth import api_auth
from nuanxin.core.discovery import app_modules
from nuanxin.core.edge import check_text, loads_json
from nuanxin.core.errors import ApplicationError
from nuanxin.core.schema import ErrorOut

logger = logging.getLogger("nuanxin.api")


class Utf8JSONRenderer(JSONRenderer):
    """JSON with Chinese text as UTF-8, not \\u escapes: readable and a third smaller."""

    json_dumps_params = {"ensure_ascii": False}


class EdgeParser(Parser):
    """JSON bodies through the edge's bounded parser (size, nesting, characters). Query and
    form values were checked by ``core.edge.EdgeMiddleware`` before the view; they are checked
    again here because Ninja parses the form of a PUT or PATCH itself, after the middleware."""

    def parse_body(self, request: HttpRequest) -> Any:
        return loads_json(request.body)

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        for key, values in data.lists():
            check_text(key, key)
            for value in values:
                if isinstance(value, str):
                    check_text(value, key)
        return super().parse_querydict(data, list_fields, request)


ERROR_REF = {"$ref": "#/components/schemas/Error"}
# What every operation may answer besides its own success, by what the operation takes: the
# edge refuses bad text anywhere (400), a body over the limit (413), input off the schema
# (422); an id in the path may name nothing (404); a protected operation needs a login (401)
# and the right role (403). "4XX" covers the rest (each operation's own refusals in
# docs/api.md: 409 conflicts, 429 limits...).
ERROR_ANSWERS = {
    "400": "请求有误：含控制字符、JSON 无法解析，或业务规则拒绝",
    "401": "未登录或凭据无效",
    "403": "当前角色无权执行此操作，或区域不在辖区内",
    "404": "对象不存在或无权查看",
    "413": "请求体超过上限",
    "422": "参数不符合接口定义",
    "4XX": "其他拒绝（冲突、次数限制等），错误代码见文档",
    "500": "服务器出错",
}


def error_answers(operation: dict) -> list[str]:
    """The error statuses an operation of the OpenAPI document declares."""
    parameters = operation.get("parameters") or []
    statuses = ["400"]
    if operation.get("security"):
        statuses += ["401", "403"]
    if any(p.get("in") == "path" for p in parameters):
        statuses.append("404")
    if "requestBody" in operation:
        statuses.append("413")
    if parameters or "requestBody" in operation:
        statuses.append("422")
    return [*statuses, "4XX", "500"]


class NuanxinAPI(NinjaAPI):
    """The API whose OpenAPI document declares, for every operation, the error answers it may
    give, all in the one error shape (``Error``), from one place instead of every route."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = ErrorOut.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        components["Error"]["title"] = "Error"
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for status in error_answers(operation):
                    responses.setdefault(
                        status,
                        {
                            "description": ERROR_ANSWERS[status],
                            "content": {"application/json": {"schema": ERROR_REF}},
                        },
                    )
        return schema


api = NuanxinAPI(
    renderer=Utf8JSONRenderer(),
    parser=EdgeParser(),
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
    # Every "too many" refusal says when to come back, in the header clients and proxies read.
    retry_after = exc.extra.get("retry_after_seconds")
    if exc.status == 429 and isinstance(retry_after, int):
        response["Retry-After"] = str(retry_after)
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
    # Ninja wraps whatever the body parser raises in a 400; the edge's own refusal is inside.
    if isinstance(exc.__cause__, ApplicationError):
        return on_application_error(request, exc.__cause__)
    return _error(request, exc.status_code, f"http.{exc.status_code}", str(exc), {})


@api.exception_handler(Exception)
def on_server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything unexpected: logged with its traceback, answered in the API's shape (never
    Django's HTML page, and nothing about the cause)."""
    logger.error("Internal Server Error: %s", request.path, exc_info=exc)
    return _error(request, 500, "server_error", _("服务器出错了，请稍后重试。"), {})


def _mount_app_routers() -> None:
    for label, module in app_modules("api"):
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(f"/{MOUNTS.get(label, label)}/", router)


_mount_app_routers()
