"""The checks every outside input passes before a view reads it: body size, JSON nesting,
characters that cannot be stored or exported.

One mechanism, not a check per field: ``EdgeMiddleware`` looks at every request's path, query
string, form fields and upload names, and refuses the request when one of them is too large or
holds a control character; ``loads_json`` parses every JSON body (the API's parser) and every
JSON text inside a form (a report's answers) with a nesting limit before the recursive parser
runs, and then applies the same character rule to every key and string. The API prefixes
(``EDGE_API_PREFIXES``) get their own error format; pages get the message in Chinese, shown on
the page the form came from.

Refused characters are C0 and C1 controls other than tab, newline and carriage return (NUL
included), DEL, unpaired surrogates and the non-characters U+FFFE/U+FFFF: nothing a person types,
and each breaks something later (an .xlsx export, an XML answer, the database driver).
"""

import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError

INVALID_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

MAX_JSON_DEPTH = getattr(settings, "EDGE_MAX_JSON_DEPTH", 32)
MAX_JSON_BYTES = getattr(settings, "EDGE_MAX_JSON_BYTES", 1024 * 1024)
MAX_BODY_BYTES = getattr(settings, "EDGE_MAX_BODY_BYTES", 64 * 1024 * 1024)

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _character_error(field: str, character: str) -> ApplicationError:
    return ApplicationError(
        "request.invalid_character",
        _("“%(field)s”含有控制字符等无法保存的字符（%(char)s），请删除后重新提交。")
        % {"field": field, "char": f"U+{ord(character):04X}"},
        extra={"field": field, "character": f"U+{ord(character):04X}"},
    )


def check_text(value: str, field: str) -> None:
    """Raise ``request.invalid_character`` when ``value`` holds a refused character."""
    found = INVALID_CHARACTERS.search(value)
    if found:
        raise _character_error(field, found.group())


def strip_invalid(value: str) -> str:
    """``value`` without the refused characters (for data read from files, such as a sheet's
    cells, where refusing would leave nothing to fix in the file)."""
    return INVALID_CHARACTERS.sub("", value)


def too_large(limit: int) -> ApplicationError:
    return ApplicationError(
        "request.too_large",
        _("请求内容过大（上限 %(kb)d KB）。") % {"kb": limit // 1024},
        extra={"max_bytes": limit},
        status=413,
    )


def _too_deep() -> ApplicationError:
    return ApplicationError(
        "request.too_deep",
        _("JSON 嵌套层数过多（上限 %(n)d 层）。") % {"n": MAX_JSON_DEPTH},
        extra={"max_depth": MAX_JSON_DEPTH},
    )


def _bad_json() -> ApplicationError:
    return ApplicationError("request.bad_json", _("请求内容不是有效的 JSON。"))


def json_depth(data: bytes, stop_at: int) -> int:
    """How deep ``data`` nests arrays and objects (strings skipped), counting no further than
    ``stop_at``: a scan of the brackets, no recursion."""
    depth = deepest = 0
    for bracket in _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS):
        if bracket in b"[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_at:
                    break
        else:
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return value


def check_json_text(value: Any, field: str) -> None:
    """Apply the character rule to every key and string of parsed JSON (iteratively)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            check_text(item, field)
        elif isinstance(item, dict):
            for key, child in item.items():
                check_text(key, field)
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)


def loads_json(data: bytes | str, *, field: str = "body", max_bytes: int = MAX_JSON_BYTES) -> Any:
    """Parse outside JSON: at most ``max_bytes``, ``MAX_JSON_DEPTH`` levels, finite numbers
    (no NaN, Infinity or 1e999), and no refused character in any key or string."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise too_large(max_bytes)
    if json_depth(raw, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise _too_deep()
    try:
        value = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except ValueError as exc:  # JSONDecodeError, bad UTF-8, a 5000-digit integer, NaN
        raise _bad_json() from exc
    check_json_text(value, field)
    return value


def _check_form(request: HttpRequest) -> None:
    """Path, query string, form fields and upload names of any request."""
    check_text(request.path_info, "path")
    for key, values in request.GET.lists():
        check_text(key, key)
        for value in values:
            check_text(value, key)
    if request.method == "GET" or request.content_type not in _FORM_TYPES:
        return
    try:
        fields, files = request.POST, request.FILES
    except RequestDataTooBig as exc:
        raise too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) from exc
    except (TooManyFieldsSent, MultiPartParserError, SuspiciousOperation) as exc:
        raise ApplicationError("request.bad_form", _("表单内容无法读取。")) from exc
    for key, values in fields.lists():
        check_text(key, key)
        for value in values:
            check_text(value, key)
    for key, uploads in files.lists():
        for upload in uploads:
            check_text(upload.name or "", key)


def api_error_response(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """The JSON API's one error shape."""
    return JsonResponse(
        error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False}
    )


def page_error_response(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """A form sent from one of our pages goes back to that page with the message shown there;
    anything else gets the error page."""
    referer = request.headers.get("Referer", "")
    same_site = url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure())
    if request.method == "POST" and referer and same_site and hasattr(request, "_messages"):
        messages.error(request, error.message)
        return HttpResponseRedirect(referer)
    return render(request, "core/error.html", {"error": error}, status=error.status)


def responder_for(path: str) -> Callable[[HttpRequest, ApplicationError], HttpResponse] | None:
    """The error format of the interface ``path`` belongs to, or None for pages."""
    for prefix, name in getattr(settings, "EDGE_API_PREFIXES", {}).items():
        if path.startswith(prefix):
            return import_string(name)
    return None


class EdgeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            self._check(request)
        except ApplicationError as error:
            responder = responder_for(request.path_info) or page_error_response
            return responder(request, error)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = MAX_JSON_BYTES if request.content_type == "application/json" else MAX_BODY_BYTES
        if length > limit:
            raise too_large(limit)
        _check_form(request)
