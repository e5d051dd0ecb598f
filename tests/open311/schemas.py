"""Checking our answers against the official GeoReport v2 JSON Schemas, and the XML by hand.

The official schemas (services, service definition, requests) are not part of the repository:
the tests read them from the folder named by ``OPEN311_SCHEMAS``. Without it, the tests that need
them skip, saying so; in CI (``CI`` set) they fail instead, and a folder that lacks one of the
files fails everywhere. The official set has no schema for discovery, the answer to a POST,
tokens or errors: those are checked with the small schemas below, written from the spec's text.
"""

import json
import os
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlparse
from xml.etree import ElementTree as ET

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.helpers import in_ci

OFFICIAL = ("services.json", "service.json", "service-definition.json", "requests.json")
OFFSET_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'


def schema_dir() -> Path:
    folder = os.environ.get("OPEN311_SCHEMAS", "")
    if not folder:
        reason = "the official GeoReport v2 JSON Schemas: set OPEN311_SCHEMAS to their folder"
        if in_ci():
            pytest.fail(f"CI needs {reason}", pytrace=False)
        pytest.skip(f"needs {reason}")
    missing = [name for name in OFFICIAL if not (Path(folder) / name).is_file()]
    if missing:
        pytest.fail(f"OPEN311_SCHEMAS={folder} lacks {', '.join(missing)}", pytrace=False)
    return Path(folder)


@cache
def _registry() -> tuple[dict, Registry]:
    folder = schema_dir()
    loaded = {p.name: json.loads(p.read_text()) for p in folder.glob("*.json")}
    registry = Registry().with_resources(
        (name, Resource.from_contents(body, default_specification=DRAFT202012))
        for name, body in loaded.items()
    )
    return loaded, registry


def validate_official(name: str, data) -> None:
    """Validate against an official schema by file name (``requests.json`` ...)."""
    loaded, registry = _registry()
    validator = Draft202012Validator(
        loaded[name], registry=registry, format_checker=FormatChecker()
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []
    # The installed format checkers do not check "uri"; media_url must still be an absolute one.
    for item in data if isinstance(data, list) else [data]:
        url = item.get("media_url") if isinstance(item, dict) else None
        if url is not None:
            parts = urlparse(url)
            assert parts.scheme in ("http", "https") and parts.netloc, url


_NULLABLE_STRING = {"anyOf": [{"type": "string"}, {"type": "null"}]}

DISCOVERY = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": {"type": "string", "format": "date-time"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"type": "string"},
                    "url": {"type": "string"},
                    "changeset": {"type": "string", "format": "date-time"},
                    "type": {"enum": ["production", "test"]},
                    "formats": {
                        "type": "array",
                        "items": {"enum": ["text/xml", "application/json"]},
                    },
                },
            },
        },
    },
}
CREATED = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1,
    "items": {
        "type": "object",
        "required": ["service_request_id"],
        "properties": {
            "service_request_id": {"type": "string"},
            "token": _NULLABLE_STRING,
            "service_notice": _NULLABLE_STRING,
            "account_id": _NULLABLE_STRING,
        },
    },
}
TOKENS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id", "token"],
        "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}},
    },
}
ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "additionalProperties": False,
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}


def validate_local(schema: dict, data) -> None:
    errors = [
        e.message
        for e in Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(data)
    ]
    assert errors == []


def parse_xml(response) -> ET.Element:
    """The XML body, after checking the declaration and the content type the spec asks for."""
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(XML_DECLARATION)
    return ET.fromstring(response.content)


def json_body(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def assert_error(response, status: int, code: str, fmt: str = "json") -> str:
    """The spec's error document with ``status``; returns the description."""
    assert response.status_code == status, response.content.decode()[:500]
    assert response["X-Nuanxin-Error"] == code
    if fmt == "json":
        body = json_body(response)
        validate_local(ERRORS, body)
        assert body[0]["code"] == status
        return body[0]["description"]
    root = parse_xml(response)
    assert root.tag == "errors"
    (error,) = root.findall("error")
    assert error.findtext("code") == str(status)
    assert error.findtext("description")
    return error.findtext("description")
