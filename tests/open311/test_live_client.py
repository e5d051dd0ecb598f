"""An independent GeoReport v2 client over real HTTP.

It knows only the spec: it starts from the discovery document, follows the endpoint URL found
there, picks a service from the XML list, fills the required attributes from the service
definition, files a request with its api_key and finds it again by id and in the list. It
reads nothing nuanxin-specific (no headers, no error codes of ours).
"""

import json
import urllib.error
import urllib.parse
import urllib.request
from xml.etree import ElementTree as ET

import pytest

from nuanxin.reports.models import Report
from tests.open311 import factories as f
from tests.open311.schemas import validate_official

pytestmark = pytest.mark.django_db(transaction=True)


class GeoReportClient:
    def __init__(self, discovery_url: str, api_key: str) -> None:
        self.discovery_url = discovery_url
        self.api_key = api_key
        self.base = ""

    def _get(self, url: str) -> tuple[str, bytes]:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.headers["Content-Type"], response.read()

    def discover(self) -> dict:
        content_type, body = self._get(self.discovery_url)
        assert content_type.startswith("application/json")
        document = json.loads(body.decode("utf-8"))
        endpoint = next(
            e
            for e in document["endpoints"]
            if e["specification"].endswith("GeoReport_v2") and "text/xml" in e["formats"]
        )
        self.base = endpoint["url"]
        return document

    def services(self) -> list[dict]:
        _, body = self._get(f"{self.base}/services.xml")
        root = ET.fromstring(body)
        assert root.tag == "services"
        return [{child.tag: child.text for child in service} for service in root]

    def definition(self, code: str) -> dict:
        _, body = self._get(f"{self.base}/services/{urllib.parse.quote(code)}.json")
        document = json.loads(body)
        validate_official("service-definition.json", document)
        return document

    def post(self, fields: dict) -> list[dict]:
        data = urllib.parse.urlencode({**fields, "api_key": self.api_key}).encode()
        request = urllib.request.Request(f"{self.base}/requests.json", data=data, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert 200 <= response.status < 300
            return json.loads(response.read())

    def request(self, request_id: str) -> dict:
        _, body = self._get(f"{self.base}/requests/{urllib.parse.quote(request_id)}.json")
        (item,) = json.loads(body)
        return item

    def requests_xml(self, **params: str) -> list[dict]:
        query = urllib.parse.urlencode(params)
        _, body = self._get(f"{self.base}/requests.xml?{query}")
        assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        root = ET.fromstring(body)
        assert root.tag == "service_requests"
        return [{child.tag: child.text for child in item} for item in root]

    def token(self, token: str) -> dict:
        _, body = self._get(f"{self.base}/tokens/{urllib.parse.quote(token)}.xml")
        item = ET.fromstring(body).find("request")
        return {child.tag: child.text for child in item}


def test_an_independent_client_discovers_reports_and_follows_a_request(live_server, tree):
    f.category_with_questions(code="charging", name="飞线充电")
    _, key = f.client_app(name="湛江12345热线")
    client = GeoReportClient(f"{live_server.url}/open311/v2/discovery.json", key)

    client.discover()
    services = client.services()
    chosen = next(s for s in services if s["service_name"] == "飞线充电")
    definition = client.definition(chosen["service_code"])
    fields = {
        "service_code": chosen["service_code"],
        "lat": "21.0512",
        "long": "110.0534",
        "description": "三楼窗口拉线给电动车充电",
        "device_id": "hotline-call-0815",
    }
    for attribute in definition["attributes"]:
        if attribute["required"]:
            fields[f"attribute[{attribute['code']}]"] = attribute["values"][0]["key"]
    (created,) = client.post(fields)
    request_id = created["service_request_id"]
    one = client.request(request_id)
    listed = client.requests_xml(service_code=chosen["service_code"], status="open")
    by_token = client.token(created["token"])

    assert client.base == f"{live_server.url}/open311/v2"
    assert chosen["service_code"] == "charging" and chosen["metadata"] == "true"
    assert isinstance(request_id, str)
    assert one["service_request_id"] == request_id and one["status"] == "open"
    assert one["service_code"] == "charging" and one["service_name"] == "飞线充电"
    assert one["requested_datetime"].endswith("+08:00")
    assert [item["service_request_id"] for item in listed] == [request_id]
    assert listed[0]["description"] == "三楼窗口拉线给电动车充电"
    assert by_token == {"service_request_id": request_id, "token": created["token"]}
    report = Report.objects.get(pk=int(request_id))
    assert report.answers == {"where": "window"}


def test_an_independent_client_reads_an_error_document(live_server, db):
    with pytest.raises(urllib.error.HTTPError) as failure:
        urllib.request.urlopen(f"{live_server.url}/open311/v2/services/none.xml", timeout=10)

    assert failure.value.code == 404
    root = ET.fromstring(failure.value.read())
    assert root.tag == "errors" and root.find("error/code").text == "404"
