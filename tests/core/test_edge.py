"""The edge (core.edge, the API's parser and error handlers): sizes, nesting, characters, and
one error shape for whatever goes wrong, in the API, in Open311 and on pages."""

import json

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from nuanxin.core.edge import MAX_JSON_DEPTH, json_depth, loads_json
from nuanxin.core.errors import ApplicationError
from tests.helpers import error_code

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"


def _post(client, body: str, url: str = LOGIN):
    return client.post(url, data=body, content_type="application/json")


@pytest.mark.parametrize("text", ["138\u0001", "\u0000", "a\u0085b", "\u007f", "x\ud800", "\ufffe"])
def test_a_control_character_in_any_json_string_is_refused(client, text):
    response = _post(client, json.dumps({"phone": text, "password": "x"}))

    assert response.status_code == 400
    assert response.json()["code"] == "request.invalid_character"
    assert response.json()["extra"]["field"] == "body"


def test_a_control_character_in_a_key_or_nested_value_is_refused(client):
    for body in ({"phone": "1", "password": "x", "a\u0001": 1}, {"x": [{"y": ["\u0002"]}]}):
        response = _post(client, json.dumps(body))
        assert response.json()["code"] == "request.invalid_character"


def test_tab_newline_and_carriage_return_are_text(client):
    response = _post(client, json.dumps({"phone": "13800000000", "password": "a\tb\r\nc"}))

    assert response.status_code == 401
    assert response.json()["code"] == "accounts.bad_credentials"


def test_deep_json_is_refused_before_parsing(client):
    response = _post(client, "[" * 100_000 + "]" * 100_000)

    assert response.status_code == 400
    assert response.json()["code"] == "request.too_deep"
    assert response.json()["extra"] == {"max_depth": MAX_JSON_DEPTH}


def test_nesting_up_to_the_limit_is_parsed():
    text = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert json_depth(text.encode(), 100) == MAX_JSON_DEPTH
    assert loads_json(text) is not None
    assert error_code(lambda: loads_json("[" + text + "]")) == "request.too_deep"
    # Brackets inside strings are text, not nesting.
    assert loads_json(json.dumps({"a": "[" * 1000})) == {"a": "[" * 1000}


def test_a_json_body_over_the_limit_is_413(client):
    response = _post(client, json.dumps({"phone": "1" * 1_100_000, "password": "x"}))

    assert response.status_code == 413
    assert response.json()["code"] == "request.too_large"


@pytest.mark.parametrize("body", ["NaN", '{"a": Infinity}', "[1e999]", "[1,", "\xff", "1" * 5000])
def test_json_that_is_not_json_is_bad_json(client, body):
    response = _post(client, body)

    assert response.status_code == 400
    assert response.json()["code"] == "request.bad_json"


def test_a_control_character_in_the_query_or_path_is_refused(client):
    query = client.get("/api/v1/geo/tree", {"root": "4499\u0001"})
    path = client.get("/api/v1/geo/44%01")

    assert (query.status_code, query.json()["code"]) == (400, "request.invalid_character")
    assert query.json()["extra"]["field"] == "root"
    assert (path.status_code, path.json()["code"]) == (400, "request.invalid_character")


def test_a_control_character_in_a_form_field_is_refused(client, tree):
    field = client.post(
        "/api/v1/reports/",
        {"category": "x", "description": "堵\u0001",
         "photos": SimpleUploadedFile("a.jpg", b"x", "image/jpeg")},
    )  # fmt: skip

    assert field.json()["code"] == "request.invalid_character"
    assert field.json()["extra"]["field"] == "description"


def test_an_unhandled_error_in_the_api_is_a_json_500_and_is_logged(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("nuanxin.geo.api.region_tree", broken)

    response = client.get("/api/v1/geo/tree")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "server_error", "message": response.json()["message"],
                               "extra": {}}  # fmt: skip
    assert "secret detail" not in response.content.decode()
    assert any(r.exc_info and "secret detail" in str(r.exc_info[1]) for r in caplog.records)


def test_an_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no/such/thing")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_error_outside_the_api_views_is_json_under_the_api(monkeypatch):
    """An error raised by a middleware reaches Django's handler500, which answers in the API's
    shape for /api/ and in Open311's format for /open311/."""

    def broken(self, request):
        raise RuntimeError("middleware broke")

    monkeypatch.setattr("nuanxin.core.idempotency.IdempotencyMiddleware.__call__", broken)
    client = Client(raise_request_exception=False)

    api = client.get("/api/v1/geo/tree")
    open311 = client.get("/open311/v2/services.json")
    page = client.get("/")

    assert (api.status_code, api.json()["code"]) == (500, "server_error")
    assert open311.status_code == 500
    assert open311.json()[0]["code"] == 500
    assert open311["X-Nuanxin-Error"] == "server_error"
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")


def test_open311_refusals_come_in_its_own_format(client):
    json_answer = client.post("/open311/v2/requests.json", {"description": "堵\u0001"})
    xml_answer = client.get("/open311/v2/services.xml", {"jurisdiction_id": "\u0002"})

    assert json_answer.status_code == 400
    assert json_answer.json()[0]["code"] == 400
    assert json_answer["X-Nuanxin-Error"] == "request.invalid_character"
    assert xml_answer.status_code == 400
    assert xml_answer.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert xml_answer["X-Nuanxin-Error"] == "request.invalid_character"


def test_a_page_form_with_a_control_character_goes_back_with_the_message(client):
    response = client.post(
        "/accounts/login/",
        {"mode": "password", "phone": "138\u0001", "password": "x"},
        HTTP_REFERER="http://testserver/accounts/login/",
    )

    assert response.status_code == 302
    assert response["Location"] == "http://testserver/accounts/login/"
    [message] = list(get_messages(response.wsgi_request))
    assert "控制字符" in str(message) and "U+0001" in str(message)


def test_a_page_request_with_a_control_character_and_no_form_gets_the_error_page(client):
    response = client.get("/", {"q": "\u0001"})

    assert response.status_code == 400
    assert "控制字符" in response.content.decode()
    assert 'data-code="request.invalid_character"' in response.content.decode()


def test_check_text_names_the_character():
    from nuanxin.core.edge import check_text

    with pytest.raises(ApplicationError) as caught:
        check_text("义诊\u0001", "extra_services")

    assert caught.value.extra == {"field": "extra_services", "character": "U+0001"}


def test_the_api_parser_checks_form_and_query_values_it_parses_itself(rf):
    """Ninja parses a PUT or PATCH form after the middleware: the parser applies the rule."""
    from django.http import QueryDict

    from nuanxin.api import EdgeParser

    parser = EdgeParser()
    request = rf.get("/")

    assert parser.parse_querydict(QueryDict("a=1&b=x"), [], request) == {"a": "1", "b": "x"}
    assert (
        error_code(lambda: parser.parse_querydict(QueryDict("note=%01"), [], request))
        == "request.invalid_character"
    )
