"""The published OpenAPI document is valid, names each schema once, declares every operation's
error answers in the one error shape, and every operation is in docs/api.md."""

import collections
import json
import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel

import nuanxin
from nuanxin.api import api

ROOT = Path(nuanxin.__file__).resolve().parents[2]
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def document():
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), default=str))


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def test_the_published_document_is_valid_openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)  # raises on any error
    assert len(document["paths"]) > 50


def test_the_validator_refuses_a_broken_document(document):
    broken = json.loads(json.dumps(document))
    broken["paths"]["/api/v1/geo/{code}"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ] = {"type": "array", "items": "not a schema"}
    with pytest.raises(Exception, match=r"not a schema|is not of type"):
        validate(broken)


def _schema_classes() -> dict[str, set[str]]:
    found: dict[str, set[str]] = collections.defaultdict(set)
    stack = [BaseModel]
    seen = set()
    while stack:
        for cls in stack.pop().__subclasses__():
            if cls in seen:
                continue
            seen.add(cls)
            stack.append(cls)
            if cls.__module__.startswith("nuanxin."):
                found[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    return found


def test_no_two_schema_classes_share_a_name():
    """The document names a schema by its class name: two classes of one name would publish one
    of them for both (answers of the other then fail their own schema)."""
    classes = _schema_classes()
    assert "StationHoursOut" in classes and "VolunteerHoursOut" in classes
    shared = {name: sorted(where) for name, where in classes.items() if len(where) > 1}
    assert not shared, f"schema classes sharing a name: {shared}"


def test_every_schema_the_operations_use_is_in_the_document(document):
    names = set(document["components"]["schemas"])
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))
    assert refs <= names, f"referenced but missing: {sorted(refs - names)}"


def test_no_schema_uses_formats_our_answers_do_not_meet(document):
    """JSON Schema's "time" is RFC 3339's (with an offset); our times of day have none."""
    text = json.dumps(document)
    assert '"format": "time"' not in text
    assert "prefixItems" not in text  # tuples: not every OpenAPI tool reads them


def test_every_operation_declares_its_error_answers_in_the_error_shape(document):
    error = document["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "extra"}
    missing = []
    for method, path, operation in operations(document):
        responses = operation["responses"]
        expected = {"400", "4XX", "500"}
        if operation.get("security"):
            expected |= {"401", "403"}
        if "{" in path:
            expected.add("404")
        if operation.get("parameters") or "requestBody" in operation:
            expected.add("422")
        for status in expected:
            schema = responses.get(status, {}).get("content", {}).get("application/json", {})
            if schema.get("schema") != {"$ref": "#/components/schemas/Error"}:
                missing.append(f"{method.upper()} {path} {status}")
    assert not missing, f"error answers not declared: {missing[:20]}"


@pytest.mark.django_db
def test_an_error_answer_matches_the_declared_shape(client, document):
    import jsonschema

    response = client.get("/api/v1/geo/999999999")
    assert response.status_code == 404
    jsonschema.validate(response.json(), document["components"]["schemas"]["Error"])


def _documented_operations() -> set[str]:
    text = (ROOT / "docs" / "api.md").read_text()
    named = re.findall(r"`((?:GET|POST|PUT|PATCH|DELETE) /api/v1/[^`\s?]*)[^`\s]*`", text)
    return set(named)


def test_every_operation_is_in_the_api_reference(document):
    """A new endpoint without its line in docs/api.md fails here, and so does a line for an
    endpoint that is gone."""
    operations_ = {f"{method.upper()} {path}" for method, path, _op in operations(document)}
    documented = _documented_operations()
    assert "POST /api/v1/auth/logout" in operations_
    assert not operations_ - documented, (
        f"operations missing from docs/api.md: {sorted(operations_ - documented)}"
    )
    assert not documented - operations_, (
        f"docs/api.md names operations the API lacks: {sorted(documented - operations_)}"
    )


def test_each_operation_has_one_reference_row():
    text = (ROOT / "docs" / "api.md").read_text()
    reference = text.split("## Reference: every operation", 1)[1]
    rows = re.findall(r"^\| `((?:GET|POST|PUT|PATCH|DELETE) /api/v1/[^`\s]*)`", reference, re.M)
    repeated = sorted({row for row in rows if rows.count(row) > 1})
    assert not repeated, f"operations with more than one row: {repeated}"
    for line in reference.splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            assert len(cells) == 4 and all(cells), f"a row lacks who, answer or errors: {line}"
