"""Discovery, the service list and service definitions, in both formats."""

import pytest

from nuanxin.reports.models import Category
from tests.open311.conftest import BASE
from tests.open311.schemas import (
    DISCOVERY,
    OFFSET_RE,
    assert_error,
    json_body,
    parse_xml,
    validate_local,
    validate_official,
)

pytestmark = pytest.mark.django_db


def test_discovery_json_names_this_endpoint_and_both_formats(client, cat):
    response = client.get(f"{BASE}/discovery.json")

    body = json_body(response)
    validate_local(DISCOVERY, body)
    (endpoint,) = body["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert OFFSET_RE.match(body["changeset"])


def test_discovery_xml_has_the_same_content(client, cat):
    root = parse_xml(client.get(f"{BASE}/discovery.xml"))

    assert root.tag == "discovery"
    assert OFFSET_RE.match(root.findtext("changeset"))
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert endpoint.findtext("type") == "production"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_the_bare_endpoint_redirects_to_discovery(client):
    response = client.get(f"{BASE}/")

    assert response.status_code == 302 and response["Location"] == f"{BASE}/discovery.xml"


def test_services_json_lists_active_categories_with_codes_as_strings(client, cat, qcat):
    Category.objects.filter(code="sanitation").update(is_active=False)

    response = client.get(f"{BASE}/services.json")

    assert response.status_code == 200  # no redirect to a trailing slash
    body = json_body(response)
    validate_official("services.json", body)
    by_code = {s["service_code"]: s for s in body}
    assert "sanitation" not in by_code
    assert by_code["charging"] == {
        "service_code": "charging",
        "service_name": "飞线充电",
        "description": "从窗户拉线给电动车充电",
        "metadata": True,
        "type": "realtime",
        "keywords": "飞线,充电",
        "group": "消防安全隐患",
    }
    assert by_code["pothole"]["metadata"] is False
    assert by_code["pothole"]["group"] is None


def test_services_xml_lists_the_same_services(client, cat, qcat):
    json_codes = [s["service_code"] for s in json_body(client.get(f"{BASE}/services.json"))]

    root = parse_xml(client.get(f"{BASE}/services.xml"))

    assert root.tag == "services"
    services = root.findall("service")
    assert [s.findtext("service_code") for s in services] == json_codes
    charging = next(s for s in services if s.findtext("service_code") == "charging")
    assert charging.findtext("service_name") == "飞线充电"
    assert charging.findtext("metadata") == "true"
    assert charging.findtext("type") == "realtime"
    pothole = next(s for s in services if s.findtext("service_code") == "pothole")
    assert pothole.findtext("metadata") == "false"
    assert pothole.find("group") is not None and pothole.findtext("group") in ("", None)


def test_service_definition_json_maps_every_question_type(client, qcat):
    body = json_body(client.get(f"{BASE}/services/charging.json"))

    validate_official("service-definition.json", body)
    assert body["service_code"] == "charging"
    attributes = {a["code"]: a for a in body["attributes"]}
    assert [a["order"] for a in body["attributes"]] == [1, 2, 3, 4, 5]
    assert {c: a["datatype"] for c, a in attributes.items()} == {
        "count": "number",
        "note": "string",
        "where": "singlevaluelist",
        "kinds": "multivaluelist",
        "warned": "singlevaluelist",
    }
    assert attributes["where"]["required"] is True and attributes["count"]["required"] is False
    assert attributes["where"]["variable"] is True
    assert attributes["where"]["description"] == "位置"
    assert attributes["where"]["values"] == [
        {"key": "window", "name": "窗外"},
        {"key": "corridor", "name": "楼道"},
    ]
    assert [v["key"] for v in attributes["warned"]["values"]] == ["true", "false"]
    assert attributes["note"]["datatype_description"] == "简要说明"


def test_service_definition_xml_nests_attributes_and_values(client, qcat):
    root = parse_xml(client.get(f"{BASE}/services/charging.xml"))

    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "charging"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["count", "note", "where", "kinds", "warned"]
    where = attributes[2]
    assert where.findtext("datatype") == "singlevaluelist"
    assert where.findtext("required") == "true"
    assert where.findtext("variable") == "true"
    assert where.findtext("order") == "3"
    assert [(v.findtext("key"), v.findtext("name")) for v in where.findall("values/value")] == [
        ("window", "窗外"),
        ("corridor", "楼道"),
    ]


def test_a_category_without_questions_has_an_empty_definition(client, cat):
    body = json_body(client.get(f"{BASE}/services/pothole.json"))

    validate_official("service-definition.json", body)
    assert body == {"service_code": "pothole", "attributes": []}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_or_inactive_service_is_404_in_the_spec_format(client, cat, fmt):
    Category.objects.filter(code="pothole").update(is_active=False)

    assert_error(client.get(f"{BASE}/services/nothing.{fmt}"), 404, "open311.unknown_service", fmt)
    assert_error(client.get(f"{BASE}/services/pothole.{fmt}"), 404, "open311.unknown_service", fmt)


@pytest.mark.parametrize(
    ("path", "fmt"),
    [("services.json/", "xml"), ("services.csv", "xml"), ("nothing/here.json", "json")],
)
def test_unknown_paths_are_404_in_the_spec_format(client, path, fmt):
    assert_error(client.get(f"{BASE}/{path}"), 404, "open311.not_found", fmt)


def test_a_write_method_on_a_read_resource_is_refused(client):
    response = client.post(f"{BASE}/services.json")

    assert_error(response, 405, "open311.method_not_allowed")
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_foreign_jurisdiction_is_404(client, settings, cat, fmt):
    settings.OPEN311_JURISDICTION_ID = "zhanjiang.gov.cn"

    wrong = client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "elsewhere"})
    ours = client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "zhanjiang.gov.cn"})
    omitted = client.get(f"{BASE}/services.{fmt}")

    assert_error(wrong, 404, "open311.unknown_jurisdiction", fmt)
    assert ours.status_code == 200 and omitted.status_code == 200


def test_error_descriptions_follow_the_requested_language(client):
    chinese = assert_error(client.get(f"{BASE}/services/x.json"), 404, "open311.unknown_service")
    english = assert_error(
        client.get(f"{BASE}/services/x.json", headers={"Accept-Language": "en"}),
        404,
        "open311.unknown_service",
    )

    assert "不存在" in chinese
    assert english.startswith("Unknown service_code")
