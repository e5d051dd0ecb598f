"""Hostile input to every operation of the API answers 4xx, never 5xx.

Generated from /api/v1/openapi.json, so a new endpoint is covered the day it is added: for each
operation a plausible request is built from its declared parameters and body, then each
parameter and each body field in turn gets hostile values (huge and negative integers, strings
where integers go, control characters, dates at 0001-01-01 and 9999-12-31, deep JSON, empty
strings), and the whole body is replaced by deep or malformed JSON. Every request is sent as an
anonymous client and as a logged-in city admin (who reaches every jurisdiction check).
"""

import json
import logging
import re
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.http import urlencode

from nuanxin.accounts.models import Role
from tests.factories import UserFactory, staff
from tests.registry.factories import make_enterprise, make_worker
from tests.reports.factories import category, submitted
from tests.store.factories import stocked
from tests.volunteering.factories import make_project, only_session

DEEP_JSON = "[" * 50_000 + "]" * 50_000
INT_VALUES = [2**63, -(2**63) - 1, 10**30, 1e30, "100", True, 1.5, -1, 0, None]
NUMBER_VALUES = [1e308, -1e308, 2**63, "1", True, None]
STRING_VALUES = [
    "\u0001x",
    "x\u0000",
    "\u0085",
    "",
    "长" * 3000,
    DEEP_JSON[:2000] + DEEP_JSON[-2000:],
    5,
]
DATE_VALUES = ["0001-01-01", "9999-12-31", "2024-02-30", 0, ""]
DATETIME_VALUES = ["0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00", "2024-05-01T08:00", 0]
TIME_VALUES = ["24:00", "08:00+08:00", 99999, ""]
PATH_VALUES = ["9223372036854775808", "99999999999999999999999", "0", "-1", "abc", "%01", "1.5"]
BODY_VALUES = [DEEP_JSON, "[1,", "NaN", '{"a": Infinity}', "1e999", '"\\u0001"', "[]", "null"]


@pytest.fixture
def world(tree):
    """One object of each kind, so that requests reach past the lookups into the services."""
    admin = staff(Role.CITY_ADMIN, tree.city)
    rider = UserFactory(role=Role.WORKER, region=tree["A1a"])
    station, item = stocked(tree)
    report = submitted(tree, reporter=rider)
    project = make_project(tree)
    enterprise = make_enterprise(tree["A1a"])
    person = make_worker(tree["A1a"])
    cat = category(questions=[{"code": "lane", "label": "哪条通道", "type": "text"}])
    ids = {
        "station_id": station.pk,
        "item_id": item.pk,
        "report_id": report.pk,
        "project_id": project.pk,
        "session_id": only_session(project).pk,
        "enterprise_id": enterprise.pk,
        "worker_id": person.pk,
        "date": "2024-05-01",
        "category": cat.code,
        # Body fields that name a place: inside community A1a.
        "region_code": tree["A1a"].code,
        "community_code": tree["A1a"].code,
        "lon": 110.05,
        "lat": 21.05,
    }
    return admin, ids


def _resolve(schema: dict, components: dict) -> dict:
    while True:
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[-1]]
        elif "anyOf" in schema or "oneOf" in schema or "allOf" in schema:
            options = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
            schema = next((o for o in options if o.get("type") != "null"), options[0])
        else:
            return schema


def _sample(schema: dict, components: dict, depth: int = 0) -> Any:
    schema = _resolve(schema, components)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "object" or "properties" in schema:
        if depth > 3:
            return {}
        required = set(schema.get("required", []))
        return {
            name: _sample(prop, components, depth + 1)
            for name, prop in schema.get("properties", {}).items()
            if name in required or depth == 0
        }
    return {
        "integer": 1,
        "number": 1.0,
        "boolean": False,
        "array": [],
    }.get(kind, {"date": "2024-05-01", "date-time": "2024-05-01T08:00:00+08:00",
                 "time": "08:00", "binary": None}.get(fmt, "x"))  # fmt: skip


def _hostile(schema: dict, components: dict) -> list[Any]:
    schema = _resolve(schema, components)
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "integer":
        return INT_VALUES
    if kind == "number":
        return NUMBER_VALUES
    if kind == "string" and fmt == "date":
        return DATE_VALUES
    if kind == "string" and fmt == "date-time":
        return DATETIME_VALUES
    if kind == "string" and fmt == "time":
        return TIME_VALUES
    if kind == "string" and fmt == "binary":
        return []
    if kind == "array":
        return [[2**63], ["\u0001"], [None], "x", [[[]]] * 3]
    if kind == "boolean":
        return ["\u0001", 2, "yes"]
    if kind == "object" or "properties" in schema:
        return [[], "x", {"\u0001": 1}, {"unknown": 1}]
    return STRING_VALUES


class Sender:
    """Sends each request as every client; ``clients`` is set per operation (an anonymous
    client is refused before validation where login is required, so it only adds the plain
    request there)."""

    def __init__(self, failures: list[str]) -> None:
        self.clients: list[Client] = []
        self.failures, self.count = failures, 0

    def send(self, method: str, url: str, label: str, **kwargs: Any) -> None:
        for client in self.clients:
            self.count += 1
            response = getattr(client, method)(url, **kwargs)
            if response.status_code >= 500:
                self.failures.append(f"{method.upper()} {url} {label}: {response.status_code}")
            elif response.status_code >= 400 and "json" in response.get("Content-Type", ""):
                # Every refusal in the API's own shape, with a stable code.
                assert "code" in response.json(), (url, label, response.content[:200])


def _text(value: Any) -> Any:
    """A query value as a client would write it."""
    if isinstance(value, list):
        return [_text(v) for v in value if v is not None]
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _url(path: str, values: dict[str, Any]) -> str:
    return re.sub(r"\{(?:\w+:)?(\w+)\}", lambda m: str(values.get(m.group(1), 1)), path)


def _operation_requests(
    sender: Sender, clients: tuple[Client, Client], path, method, op, components, ids
):
    anonymous, staff_client = clients
    public = not op.get("security")
    sender.clients = [anonymous, staff_client]
    params = [p for p in op.get("parameters", []) if p["in"] in ("path", "query")]
    path_values = {p["name"]: ids.get(p["name"], 1) for p in params if p["in"] == "path"}
    query = {
        p["name"]: _sample(p.get("schema", {}), components)
        for p in params
        if p["in"] == "query" and p.get("required")
    }
    content = op.get("requestBody", {}).get("content", {})
    body_schema = None
    form = "multipart/form-data" in content
    if content:
        body_schema = _resolve(next(iter(content.values()))["schema"], components)
    body = _sample(body_schema, components) if body_schema else None
    if isinstance(body, dict):
        body.update({k: ids[k] for k in body if k in ids})

    def send(path_values=path_values, query=query, body=body, raw: str | None = None, label=""):
        url = _url(path, path_values)
        text_query = {k: _text(v) for k, v in query.items() if v is not None}
        if method == "get":
            sender.send("get", url, label, data=text_query)
            return
        if query:
            url += "?" + urlencode(text_query, doseq=True)
        if form:
            data = {k: ("" if v is None else v) for k, v in (body or {}).items()}
            for name, prop in body_schema.get("properties", {}).items():
                if _resolve(prop, components).get("format") == "binary" or (
                    _resolve(prop, components).get("items", {}).get("format") == "binary"
                ):
                    data[name] = SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")
            sender.send(method, url, label, data=data)
        elif raw is not None or body is not None:
            text = raw if raw is not None else json.dumps(body)
            sender.send(method, url, label, data=text, content_type="application/json")
        else:
            sender.send(method, url, label)

    send(label="plausible")
    sender.clients = [anonymous, staff_client] if public else [staff_client]
    for param in params:
        if param["in"] == "path":
            for value in PATH_VALUES:
                send(path_values={**path_values, param["name"]: value}, label=param["name"])
        else:
            for value in _hostile(param.get("schema", {}), components):
                if value is not None:
                    send(query={**query, param["name"]: value}, label=param["name"])
    if body_schema is not None:
        for name, prop in body_schema.get("properties", {}).items():
            for value in _hostile(prop, components):
                send(body={**body, name: value}, label=f"body.{name}={str(value)[:20]!r}")
        if not form:
            for raw in BODY_VALUES:
                send(raw=raw, label=f"body={raw[:20]!r}")


def test_no_hostile_input_to_any_operation_answers_5xx(world, client, monkeypatch):
    admin, ids = world
    # Thousands of refusals: Django's warning per 4xx would only slow the run.
    monkeypatch.setattr(logging.getLogger("django.request"), "level", logging.ERROR)
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    staff_client = Client()
    staff_client.force_login(admin)
    failures: list[str] = []
    sender = Sender(failures)
    clients = (Client(), staff_client)
    started = time.monotonic()
    operations = 0
    for path, item in schema["paths"].items():
        for method, op in item.items():
            operations += 1
            _operation_requests(sender, clients, path, method, op, components, ids)
    assert operations > 100
    assert sender.count > 3000
    assert failures == [], f"{len(failures)} of {sender.count} requests answered 5xx:\n" + (
        "\n".join(failures[:80])
    )
    assert time.monotonic() - started < 300
