"""POST requests: creating a service request with a client application's key."""

import pytest

from nuanxin.core.models import AuditLog
from nuanxin.geo.coords import from_wgs84
from nuanxin.open311.models import ClientApplication, RequestToken
from nuanxin.reports.models import Channel, Report
from tests.open311 import factories as f
from tests.open311.schemas import CREATED, assert_error, json_body, parse_xml, validate_local
from tests.reports import factories as rf

pytestmark = pytest.mark.django_db

LON, LAT = rf.IN_A1A_1


def where(**extra):
    return {"lat": str(LAT), "long": str(LON), **extra}


def test_post_json_files_a_report_for_the_client_with_the_citizens_contact(
    post, app_key, tree, cat
):
    client_app, _ = app_key

    response = post(
        service_code="pothole",
        description="路面有个大坑",
        address_string="人民大道 18 号",
        email="li@example.com",
        first_name="小明",
        last_name="李",
        phone="13800138000",
        device_id="dev-1",
        media_url="https://img.example.com/a.jpg",
        **where(),
    )

    assert response.status_code == 201
    body = json_body(response)
    validate_local(CREATED, body)
    report = Report.objects.get()
    token = RequestToken.objects.get()
    assert body == [
        {
            "service_request_id": str(report.pk),
            "token": token.token,
            "service_notice": "该类问题一般在 48 小时内处置。",
            "account_id": None,
        }
    ]
    assert report.channel == Channel.OPEN311 and report.reporter is None
    assert report.client_id == f"open311:{client_app.code}"
    assert (report.contact_name, report.contact_phone, report.contact_email) == (
        "李小明",
        "13800138000",
        "li@example.com",
    )
    assert (report.lon, report.lat) == (LON, LAT)
    assert report.region == tree["A1a-1"] and report.category == cat
    assert report.address == "人民大道 18 号"
    assert report.media_url == "https://img.example.com/a.jpg"
    assert token.client == client_app and token.report == report
    assert AuditLog.objects.filter(action="reports.submitted", object_id=str(report.pk)).exists()
    client_app.refresh_from_db()
    assert client_app.last_used_at is not None


def test_post_xml_answers_a_service_requests_document(post, cat):
    root = parse_xml(post("xml", service_code="pothole", description="坑", **where()))

    report = Report.objects.get()
    assert root.tag == "service_requests"
    (item,) = root.findall("request")
    assert item.findtext("service_request_id") == str(report.pk)
    assert item.findtext("token") == report.open311_token.token
    assert item.findtext("service_notice") == "该类问题一般在 48 小时内处置。"
    assert item.find("account_id") is not None and not item.findtext("account_id")


def test_attributes_answer_the_categorys_questions(post, qcat):
    response = post(
        service_code="charging",
        description="三楼飞线",
        **{
            "attribute[where]": "window",
            "attribute[kinds][]": ["car", "ebike"],
            "attribute[count]": "2",
            "attribute[warned]": "false",
            "attribute[note]": "晚上才有",
        },
        **where(),
    )

    assert response.status_code == 201, response.content
    assert Report.objects.get().answers == {
        "where": "window",
        "kinds": ["car", "ebike"],
        "count": 2.0,
        "warned": False,
        "note": "晚上才有",
    }


def test_latin_names_keep_their_order_and_a_missing_description_becomes_the_service_name(post, cat):
    post(service_code="pothole", first_name="Ann", last_name="Lee", **where())

    report = Report.objects.get()
    assert report.contact_name == "Ann Lee"
    assert report.description == "道路坑洼"


def test_gcj02_coordinates_are_converted_to_wgs84(post, cat):
    lon, lat = from_wgs84(LON, LAT, "gcj02")

    post(service_code="pothole", lat=str(lat), long=str(lon), coord_system="gcj02")

    report = Report.objects.get()
    assert abs(report.lon - LON) < 1e-5 and abs(report.lat - LAT) < 1e-5


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", [None, "", "nx311_not-a-key"])
def test_a_missing_or_unknown_api_key_is_403(post, db, fmt, key):
    response = post(fmt, api_key=key, service_code="pothole", **where())

    assert_error(response, 403, "open311.bad_api_key", fmt)
    assert not Report.objects.exists()


def test_a_switched_off_client_is_403(post, app_key, cat):
    client_app, _key = app_key
    ClientApplication.objects.filter(pk=client_app.pk).update(is_active=False)

    assert_error(post(service_code="pothole", **where()), 403, "open311.bad_api_key")
    assert not Report.objects.exists()


def test_a_read_only_client_may_not_submit(post, app_key, cat):
    ClientApplication.objects.filter(pk=app_key[0].pk).update(can_submit=False)

    response = post(service_code="pothole", **where())

    assert_error(response, 403, "open311.client_cannot_submit")
    assert not Report.objects.exists()


def test_the_key_is_checked_before_the_body(post, cat):
    response = post(api_key="wrong", service_code="nothing")

    assert_error(response, 403, "open311.bad_api_key")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"lat": str(LAT), "long": str(LON)}, "open311.service_code_required"),
        ({"service_code": "nothing", **where()}, "open311.unknown_service"),
        ({"service_code": "pothole"}, "open311.location_required"),
        ({"service_code": "pothole", "lat": str(LAT)}, "open311.location_required"),
        ({"service_code": "pothole", "lat": "north", "long": str(LON)}, "open311.bad_location"),
        ({"service_code": "pothole", "lat": "nan", "long": str(LON)}, "open311.bad_location"),
        ({"service_code": "pothole", "coord_system": "utm", **where()}, "open311.bad_location"),
        ({"service_code": "pothole", "lat": "95", "long": str(LON)}, "geo.bad_coordinates"),
        ({"service_code": "pothole", "lat": "30.0", "long": "120.0"}, "reports.outside_area"),
        ({"service_code": "pothole", "email": "not-mail", **where()}, "reports.bad_email"),
        ({"service_code": "pothole", "media_url": "ftp://x/y", **where()}, "reports.bad_media_url"),
        (
            {"service_code": "pothole", "description": "长" * 2001, **where()},
            "reports.text_too_long",
        ),
    ],
)
def test_bad_input_is_400_and_creates_nothing(post, cat, fields, code):
    assert_error(post(**fields), 400, code)
    assert not Report.objects.exists() and not RequestToken.objects.exists()


def test_an_address_without_coordinates_is_refused_with_a_clear_reason(post, cat):
    response = post("xml", service_code="pothole", address_string="人民大道 18 号")

    description = assert_error(response, 400, "open311.coordinates_required", "xml")
    assert "lat" in description and "long" in description
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("attributes", "code", "named"),
    [
        ({}, "reports.answer_required", "where"),
        ({"attribute[where]": "roof"}, "reports.bad_answer", "where"),
        (
            {"attribute[where]": "window", "attribute[colour]": "red"},
            "reports.unknown_question",
            "colour",
        ),
        ({"attribute[where]": "window", "attribute[count]": "many"}, "reports.bad_answer", "count"),
    ],
)
def test_attributes_are_checked_against_the_definition(post, qcat, attributes, code, named):
    response = post(service_code="charging", **attributes, **where())

    description = assert_error(response, 400, code)
    assert named in description
    assert not Report.objects.exists()


def test_a_retry_from_the_same_device_with_the_same_content_files_one_request(post, cat):
    fields = {"service_code": "pothole", "description": "坑", "device_id": "phone-7", **where()}

    first = json_body(post(**fields))
    again = json_body(post(**fields))
    other_device = json_body(post(**{**fields, "device_id": "phone-8"}))

    assert again == first
    assert other_device[0]["service_request_id"] != first[0]["service_request_id"]
    assert Report.objects.count() == 2 and RequestToken.objects.count() == 2
    assert RequestToken.objects.filter(submit_key__isnull=True).count() == 0


def test_the_same_content_from_another_client_is_another_request(post, cat):
    from tests.open311.factories import client_app

    _, other_key = client_app()
    fields = {"service_code": "pothole", "description": "坑", "device_id": "phone-7", **where()}

    first = json_body(post(**fields))
    second = json_body(post(**fields, api_key=other_key))

    assert first[0]["service_request_id"] != second[0]["service_request_id"]


def test_without_a_device_id_identical_requests_are_two_people(post, cat):
    fields = {"service_code": "pothole", "description": "坑", **where()}

    post(**fields)
    post(**fields)

    assert Report.objects.count() == 2
    assert RequestToken.objects.filter(submit_key__isnull=True).count() == 2


def test_a_retry_with_the_same_idempotency_key_is_replayed(post, cat):
    fields = {"service_code": "pothole", "description": "坑", **where()}

    first = post(headers={"Idempotency-Key": "k-1"}, **fields)
    second = post(headers={"Idempotency-Key": "k-1"}, **fields)

    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.content == first.content
    assert Report.objects.count() == 1


def test_idempotency_keys_belong_to_their_client_application(post, cat):
    other_key = f.client_app()[1]
    fields = {"service_code": "pothole", "description": "坑", **where()}

    first = post(headers={"Idempotency-Key": "shared"}, **fields)
    second = post(headers={"Idempotency-Key": "shared"}, api_key=other_key, **fields)

    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert Report.objects.count() == 2
