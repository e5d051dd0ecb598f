"""The two wire formats of GeoReport v2: XML (required by the spec) and JSON.

Both are built from the same plain data. In XML a list becomes an element holding one child per
item (``<values><value>…``), ``None`` an empty element and booleans ``true``/``false``; the
document starts with the UTF-8 declaration the spec asks for.
"""

import json
from typing import Any
from xml.etree import ElementTree as ET  # builds our output, parses nothing

from django.http import HttpResponse

from nuanxin.core.errors import ApplicationError

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
CONTENT_TYPES = {
    "xml": "text/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
# The element name of one item of each list-valued field.
ITEM_TAGS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
# Statuses the spec names for errors, a body over the size limit and a server error; anything
# else a service raises is reported as bad input.
ERROR_STATUSES = {400, 403, 404, 405, 413, 500}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ET.Element, tag: str, value: Any) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        _fill(element, value)
    elif isinstance(value, list):
        child_tag = ITEM_TAGS[tag]
        for item in value:
            _append(element, child_tag, item)
    else:
        element.text = _text(value)


def _fill(element: ET.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        _append(element, key, value)


def to_xml(root: str, data: dict[str, Any] | list[dict[str, Any]], item: str = "") -> bytes:
    """``data`` as an XML document: an object is the root's children, a list the root's
    ``item`` elements."""
    element = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            _fill(ET.SubElement(element, item), entry)
    else:
        _fill(element, data)
    return (XML_DECLARATION + ET.tostring(element, encoding="unicode")).encode()


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def respond(
    fmt: str,
    data: dict[str, Any] | list[dict[str, Any]],
    *,
    root: str,
    item: str = "",
    status: int = 200,
) -> HttpResponse:
    body = to_xml(root, data, item) if fmt == "xml" else to_json(data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, error: ApplicationError) -> HttpResponse:
    """``[{"code": 400, "description": "…"}]`` / ``<errors><error>…``; the stable nuanxin code
    travels in the ``X-Nuanxin-Error`` header for clients (and tests) that branch on it."""
    status = error.status if error.status in ERROR_STATUSES else 400
    body = [{"code": status, "description": _description(error)}]
    response = respond(fmt, body, root="errors", item="error", status=status)
    response["X-Nuanxin-Error"] = error.code
    return response


def _description(error: ApplicationError) -> str:
    detail = error.extra.get("questions") or error.extra.get("question")
    if detail and error.code.startswith("reports."):
        names = detail if isinstance(detail, list) else [detail]
        return f"{error.message} (attribute: {', '.join(map(str, names))})"
    return error.message
