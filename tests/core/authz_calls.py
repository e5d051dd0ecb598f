"""How the authorisation matrix asks: what there is to ask (the API's operations, from its
OpenAPI document), a request for each with real objects in its path and a body that passes the
schema, and the answer reduced to what a refusal may show.

Every request runs inside a savepoint that is rolled back, with the cache emptied and the
client's cookies put back afterwards: each one meets the same world, whatever the one before it
accepted, closed or deleted.
"""

import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template.response import SimpleTemplateResponse
from django.test import Client

from nuanxin.api import api
from tests.core.refusal_world import World, jpeg

METHODS = ("get", "post", "put", "patch", "delete")
ERROR = re.compile(r'data-code="([^"]*)"[^>]*>([^<]*)<')


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    names: tuple[str, ...]  # path parameters
    schema: dict[str, Any] = field(hash=False, compare=False)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def api_operations() -> list[Operation]:
    document = json.loads(json.dumps(api.get_openapi_schema(), default=str))
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            names = tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "path")
            operation["components"] = document["components"]
            found.append(Operation(method.upper(), path, names, operation))
    return found


# --- Bodies ----------------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], components)
    if "anyOf" in schema:
        choices = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return _resolve(choices[0], components) if choices else {"type": "null"}
    return schema


# Body fields that name an object: the world's object of that kind (all in county B).
FIELD_KINDS = {
    "station_id": "station",
    "item_id": "item",
    "worker_id": "worker",
    "enterprise_id": "enterprise",
    "organisation_id": "party_org",
    "session_id": "session",
    "report_id": "report",
}
REGION_FIELDS = ("region", "region_code", "community", "community_code", "code")


def _example(
    name: str, schema: dict[str, Any], components: dict[str, Any], world: World | None = None
) -> Any:
    """A value the schema accepts, in the shape the edge expects for fields of that name."""
    schema = _resolve(schema, components)
    if world is not None and name in FIELD_KINDS and FIELD_KINDS[name] in world.ids:
        return world.ids[FIELD_KINDS[name]]
    if world is not None and name in REGION_FIELDS and schema.get("type") == "string":
        return world.ids["region"]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return _object(schema, components, world)
    if kind == "array":
        item = _example(name, schema.get("items", {}), components, world)
        return [item] * schema.get("minItems", 1)
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        if name in ("lon", "longitude"):
            return 110.25
        if name in ("lat", "latitude"):
            return 21.05
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
        return max(low, 1) if kind == "integer" else float(max(low, 1))
    fmt = schema.get("format")
    if fmt == "date":
        return "2031-03-10"
    if fmt == "date-time":
        return "2031-03-10T19:00:00+08:00"
    if fmt == "uuid":
        return "00000000-0000-0000-0000-000000000001"
    if fmt == "binary":
        return jpeg()
    if "phone" in name:
        return "13900009999"
    if name == "month":
        return "2031-03"
    return "测试" if schema.get("maxLength", 10) >= 2 else "x"


def _object(
    schema: dict[str, Any], components: dict[str, Any], world: World | None = None
) -> dict[str, Any]:
    properties = schema.get("properties", {})
    return {
        name: _example(name, properties[name], components, world)
        for name in schema.get("required", [])
        if name in properties
    }


def schema_body(operation: Operation, world: World) -> tuple[dict[str, Any] | None, bool]:
    """The smallest body the operation's schema accepts, and whether it goes as a form."""
    body = operation.schema.get("requestBody")
    if not body:
        return None, False
    kind, content = next(iter(body["content"].items()))
    components = operation.schema["components"]
    return _object(_resolve(content["schema"], components), components, world), (
        kind != "application/json"
    )


def query_string(operation: Operation, world: World) -> dict[str, Any]:
    components = operation.schema["components"]
    return {
        p["name"]: _example(p["name"], p.get("schema", {}), components, world)
        for p in operation.schema.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }


# --- Answers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What a caller learns: the status, and the error's code, message and extra (API) or the
    redirect, the page's error codes and the flash messages (pages), ids written as <id>."""

    status: int
    shown: Any
    # Not part of the answer: what the database held after the request (``ask``'s ``look``)
    # and the response itself.
    left: Any = field(default=None, compare=False, repr=False)
    response: Any = field(default=None, compare=False, repr=False)

    @property
    def refused(self) -> bool:
        return self.status in (401, 403, 404) or (
            self.status == 302 and "/login/" in str(self.shown[0])
        )

    @property
    def unchecked(self) -> bool:
        """Turned back by the schema before the view ran: says nothing about authorisation."""
        return (
            self.status == 422
            and isinstance(self.shown, dict)
            and (self.shown.get("code") == "validation_error")
        )


def _hide(text: str, values: list[str]) -> str:
    for value in values:
        text = re.sub(rf"(?<![\w-]){re.escape(value)}(?![\w-])", "<id>", text)
    return text


def ask(
    client: Client,
    method: str,
    url: str,
    *,
    body: Any = None,
    form: bool = False,
    headers: dict[str, str] | None = None,
    ids: list[str] = (),
    page: bool = False,
    look: Callable[[], Any] | None = None,
    render: bool = True,
) -> Answer:
    """One request in a savepoint that is rolled back afterwards; ``look`` is what the
    database holds just after the request, before the rollback (``Answer.left``). Without
    ``render``, a template response (an admin page) keeps its status and messages but is not
    rendered: for a page already rendered once, the second rendering tells nothing more."""
    saved = _copied(client.cookies)
    cache.clear()
    point = transaction.savepoint()
    try:
        with contextlib.nullcontext() if render else _unrendered():
            response = _send(client, method, url, body, form, headers or {})
        if page:
            shown: Any = _page_shown(response, ids)
        else:
            shown = _api_shown(response, ids)
        left = look() if look is not None else None
    finally:
        transaction.savepoint_rollback(point)
        client.cookies = saved
    return Answer(response.status_code, shown, left, response)


def _send(client: Client, method: str, url: str, body: Any, form: bool, headers: dict) -> Any:
    call = getattr(client, method.lower())
    if method.lower() == "get":
        return call(url, data=body, headers=headers)
    if form:
        data = {
            k: SimpleUploadedFile(f"{k}.jpg", v, content_type="image/jpeg")
            if isinstance(v, bytes)
            else v
            for k, v in (body or {}).items()
        }
        return call(url, data=data, headers=headers)
    if body is not None:
        return call(url, data=json.dumps(body), content_type="application/json", headers=headers)
    return call(url, headers=headers)


@contextlib.contextmanager
def _unrendered() -> Any:
    def render(self: SimpleTemplateResponse) -> SimpleTemplateResponse:
        if not self._is_rendered:
            self.content = b""
        return self

    original = SimpleTemplateResponse.render
    SimpleTemplateResponse.render = render
    try:
        yield
    finally:
        SimpleTemplateResponse.render = original


def _copied(cookies: SimpleCookie) -> SimpleCookie:
    """A copy whose morsels the request cannot change (a deep copy, at a tenth of its cost)."""
    copy = SimpleCookie()
    for name, morsel in cookies.items():
        dict.__setitem__(copy, name, morsel.copy())
    return copy


def _api_shown(response: Any, ids: list[str]) -> Any:
    kind = response.get("Content-Type", "")
    if kind.startswith("application/json") and response.content and response.status_code >= 400:
        return json.loads(_hide(response.content.decode(), ids))
    return kind


def _page_shown(response: Any, ids: list[str]) -> tuple[str, tuple, tuple]:
    location = _hide(response.get("Location", ""), ids)
    content = response.content.decode(errors="replace") if response.status_code != 200 else ""
    errors = tuple(ERROR.findall(_hide(content, ids))) if response.status_code >= 400 else ()
    flashed = tuple(_hide(str(m), ids) for m in get_messages(response.wsgi_request))
    return location, errors, flashed
