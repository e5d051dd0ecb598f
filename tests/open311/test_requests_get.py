"""GET requests, requests/{id} and tokens/{token}: filters, defaults, status mapping, privacy."""

import datetime as dt

import pytest
from django.utils import timezone

from nuanxin.reports.models import Channel, Department, Report, State
from nuanxin.reports.privacy import public_point
from nuanxin.reports.services import photo_set_hidden, report_set_public_hidden
from tests.open311 import factories as f
from tests.open311.conftest import BASE
from tests.open311.schemas import (
    OFFSET_RE,
    TOKENS,
    assert_error,
    json_body,
    parse_xml,
    validate_local,
    validate_official,
)
from tests.reports import factories as rf

pytestmark = pytest.mark.django_db

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def reviewer(tree):
    return rf.community_staff(tree)


@pytest.fixture
def free_cat(tree):
    """A category that pays no points, so reports by workers can go through every state."""
    municipal = Department.objects.get(code="municipal")
    return rf.category(
        code="lamp", name="路灯损坏", points=0, handling_hours=72, department=municipal
    )


def get_json(client, path, **params):
    response = client.get(f"{BASE}/{path}", params)
    assert response.status_code == 200, response.content.decode()[:500]
    body = json_body(response)
    validate_official("requests.json", body)
    return body


def ids(body) -> list[str]:
    return [r["service_request_id"] for r in body]


def backdate(report, days: float) -> None:
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


def test_requests_json_lists_recent_requests_newest_first_with_every_field(client, tree, cat):
    older = rf.submitted(tree, reporter=None, cat=cat, channel=Channel.OPEN311)
    newer = rf.submitted(tree, reporter=None, cat=cat, channel=Channel.OPEN311)

    body = get_json(client, "requests.json")

    assert ids(body) == [str(newer.pk), str(older.pk)]
    item = body[0]
    assert list(item) == REQUEST_FIELDS
    assert item["status"] == "open" and item["service_code"] == "pothole"
    assert item["service_name"] == "道路坑洼"
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert OFFSET_RE.match(item[name]), item[name]
    due = timezone.localtime(newer.due_at).isoformat(timespec="seconds")
    assert item["expected_datetime"] == due
    assert item["service_notice"] == "该类问题一般在 48 小时内处置。"


def test_requests_xml_carries_the_same_requests(client, tree, cat):
    report = rf.submitted(tree, reporter=None, cat=cat, channel=Channel.OPEN311)
    (expected,) = get_json(client, "requests.json")

    root = parse_xml(client.get(f"{BASE}/requests.xml"))

    assert root.tag == "service_requests"
    (item,) = root.findall("request")
    assert [child.tag for child in item] == REQUEST_FIELDS
    assert item.findtext("service_request_id") == str(report.pk)
    for name in ("status", "service_code", "requested_datetime", "expected_datetime", "address"):
        assert item.findtext(name) == expected[name]
    assert float(item.findtext("lat")) == expected["lat"]
    assert float(item.findtext("long")) == expected["long"]
    assert item.findtext("zipcode") in ("", None)


def test_default_window_is_the_last_90_days(client, tree, cat):
    recent = rf.submitted(tree, reporter=None, cat=cat, channel=Channel.OPEN311)
    old = rf.submitted(tree, reporter=None, cat=cat, channel=Channel.OPEN311)
    backdate(old, 91)

    assert ids(get_json(client, "requests.json")) == [str(recent.pk)]
    in_window = get_json(
        client,
        "requests.json",
        start_date=(timezone.localdate() - dt.timedelta(days=100)).isoformat(),
        end_date=(timezone.localdate() - dt.timedelta(days=20)).isoformat(),
    )
    assert ids(in_window) == [str(old.pk)]


def test_at_most_1000_requests_are_returned(client, tree, cat):
    template = rf.submitted(tree, reporter=None, cat=cat, channel=Channel.OPEN311)
    fields = {
        f.name: getattr(template, f.name)
        for f in Report._meta.concrete_fields
        if f.name not in ("id", "submit_key")
    }
    Report.objects.bulk_create([Report(**fields) for _ in range(1000)])

    body = get_json(client, "requests.json")

    assert len(body) == 1000
    assert str(template.pk) not in ids(body)  # the oldest (lowest id at the same time) is cut


def test_filters_by_service_code_and_status(client, tree, cat, free_cat, reviewer):
    pothole = rf.submitted(tree, reporter=None, cat=cat, channel=Channel.OPEN311)
    lamp_open = f.in_state(tree, "accepted", cat=free_cat, reviewer=reviewer)
    lamp_closed = f.in_state(tree, "resolved", cat=free_cat, reviewer=reviewer)

    by_code = get_json(client, "requests.json", service_code="lamp")
    both_codes = get_json(client, "requests.json", service_code="lamp,pothole")
    closed = get_json(client, "requests.json", status="closed")
    open_lamps = get_json(client, "requests.json", status="open", service_code="lamp")
    everything = get_json(client, "requests.json", status="open,closed")

    assert set(ids(by_code)) == {str(lamp_open.pk), str(lamp_closed.pk)}
    assert set(ids(both_codes)) == {str(lamp_open.pk), str(lamp_closed.pk), str(pothole.pk)}
    assert ids(closed) == [str(lamp_closed.pk)]
    assert ids(open_lamps) == [str(lamp_open.pk)]
    assert len(everything) == 3


def test_service_request_id_list_ignores_the_other_filters(client, tree, cat):
    first = rf.submitted(tree, reporter=None, cat=cat, channel=Channel.OPEN311)
    second = rf.submitted(tree, reporter=None, cat=cat, channel=Channel.OPEN311)
    backdate(first, 400)

    body = get_json(
        client,
        "requests.json",
        service_request_id=f"{first.pk},{second.pk},abc,999999",
        status="closed",
        service_code="lamp",
    )

    assert ids(body) == [str(second.pk), str(first.pk)]


def test_datetimes_with_offsets_z_or_none_are_understood(client, tree, cat):
    report = rf.submitted(tree, reporter=None, cat=cat, channel=Channel.OPEN311)
    local = timezone.localtime(report.created_at)
    utc = report.created_at.astimezone(dt.UTC)
    after = (local + dt.timedelta(minutes=1)).replace(tzinfo=None)

    with_offset = get_json(
        client, "requests.json", start_date=(local - dt.timedelta(minutes=1)).isoformat()
    )
    with_z = get_json(
        client,
        "requests.json",
        start_date=(utc - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    naive_local_after = get_json(client, "requests.json", start_date=after.isoformat())
    # A client that forgot to URL-encode "+08:00" sends " 08:00".
    unencoded = client.get(
        f"{BASE}/requests.json?start_date="
        + (local - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    )

    assert ids(with_offset) == ids(with_z) == [str(report.pk)]
    assert naive_local_after == []
    assert ids(json_body(unencoded)) == [str(report.pk)]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start_date": "yesterday"}, "open311.bad_date"),
        ({"end_date": "2024-13-45"}, "open311.bad_date"),
        ({"start_date": "2024-05-02", "end_date": "2024-05-01"}, "open311.bad_date_range"),
        ({"start_date": "2024-01-01", "end_date": "2024-06-01"}, "open311.date_range_too_long"),
        ({"status": "pending"}, "open311.bad_status"),
        ({"service_code": "nothing"}, "open311.unknown_service"),
    ],
)
def test_bad_filters_are_400(client, db, params, code, fmt):
    assert_error(client.get(f"{BASE}/requests.{fmt}", params), 400, code, fmt)


@pytest.mark.parametrize(
    ("state", "status", "notes"),
    [
        ("submitted", "open", None),
        ("accepted", "open", "已受理，感谢反馈"),
        ("dispatched", "open", "已派市政维修"),
        ("resolved", "closed", "已修复"),
        ("closed", "closed", None),
        ("reopened", "open", None),
        ("rejected", "closed", "照片看不清，无法核实"),
    ],
)
def test_status_mapping(client, tree, free_cat, reviewer, state, status, notes):
    reporter = rf.worker(tree) if state == "reopened" else None
    report = f.in_state(tree, state, cat=free_cat, reviewer=reviewer, reporter=reporter)
    assert report.state == state

    (item,) = get_json(client, f"requests/{report.pk}.json")

    assert (item["status"], item["status_notes"]) == (status, notes)
    assert item["agency_responsible"] == report.department.name
    if status == "closed":
        assert item["expected_datetime"] is None
        assert item["updated_datetime"] == timezone.localtime(report.state_changed_at).isoformat(
            timespec="seconds"
        )
    else:
        assert item["expected_datetime"] is not None


def test_a_duplicate_is_closed_and_names_the_request_it_joins(client, tree, free_cat, reviewer):
    report = f.in_state(tree, "duplicate", cat=free_cat, reviewer=reviewer)

    (item,) = get_json(client, f"requests/{report.pk}.json")

    assert item["status"] == "closed"
    assert item["status_notes"] == f"与请求 {report.duplicate_of_id} 是同一问题。"
    assert item["description"] is None


def test_a_reassignment_note_becomes_the_status_note(client, tree, free_cat, reviewer):
    from nuanxin.reports.services import report_reassign

    report = f.in_state(tree, "accepted", cat=free_cat, reviewer=reviewer)
    report_reassign(report=report, reviewer=reviewer, region=tree["A1b"], note="内部：划错了")

    (item,) = get_json(client, f"requests/{report.pk}.json")

    assert item["status_notes"].startswith("已转交至")
    assert "内部" not in item["status_notes"]
    assert item["address"] == "A区A1街道A1b社区"


def test_nothing_about_the_reporter_and_only_a_coarse_location_is_public(client, tree, post):
    rf.category(code="pothole", name="道路坑洼")
    exact = (110.05123, 21.05234)
    response = post(
        service_code="pothole",
        lat=str(exact[1]),
        long=str(exact[0]),
        description="坑很深，有事打我电话 13912345678，身份证 44080219900101123X",
        address_string="人民大道 18 号 3 栋",
        email="reporter@example.com",
        first_name="小明",
        last_name="李",
        phone="13800138000",
        device_id="secret-device",
    )
    report_id = json_body(response)[0]["service_request_id"]
    report = Report.objects.get(pk=report_id)

    raw = client.get(f"{BASE}/requests/{report_id}.json").content.decode()
    raw_xml = client.get(f"{BASE}/requests.xml").content.decode()
    (item,) = json_body(client.get(f"{BASE}/requests/{report_id}.json"))

    for secret in ("13800138000", "reporter@example", "李小明", "secret-device", "人民大道"):
        assert secret not in raw and secret not in raw_xml
    assert "13912345678" not in raw and "139****5678" in item["description"]
    assert "44080219900101123X" not in raw
    assert (item["long"], item["lat"]) == public_point(report)
    assert (item["long"], item["lat"]) != exact
    assert item["address"] == "A区A1街道A1a社区"


def test_anonymous_categories_show_no_description_and_only_the_community(client, tree):
    cat = rf.category(code="food", name="食品安全线索", anonymous_public=True)
    report = rf.submitted(tree, reporter=None, cat=cat, channel=Channel.OPEN311)

    (item,) = get_json(client, f"requests/{report.pk}.json")

    assert item["description"] is None
    assert (item["long"], item["lat"]) == tree["A1a"].centre


def test_photos_are_linked_only_where_the_category_publishes_them(client, tree):
    shown = rf.category(code="graffiti", name="乱涂乱画", public_photos=True)
    private = rf.category(code="pothole", name="道路坑洼")
    with_photo = rf.submitted(
        tree, reporter=None, cat=shown, channel=Channel.OPEN311, photos=[rf.jpeg_bytes()]
    )
    linked = rf.submitted(
        tree, reporter=None, cat=shown, channel=Channel.OPEN311, media_url="https://x.cn/a.jpg"
    )
    not_shown = rf.submitted(
        tree,
        reporter=None,
        cat=private,
        channel=Channel.OPEN311,
        photos=[rf.jpeg_bytes()],
        media_url="https://x.cn/b.jpg",
    )
    photo = with_photo.photos.get()

    items = {i["service_request_id"]: i for i in get_json(client, "requests.json")}

    assert items[str(with_photo.pk)]["media_url"] == f"http://testserver/reports/photo/{photo.pk}/"
    assert client.get(f"/reports/photo/{photo.pk}/").status_code == 200
    assert items[str(linked.pk)]["media_url"] == "https://x.cn/a.jpg"
    assert items[str(not_shown.pk)]["media_url"] is None
    photo_set_hidden(photo=photo, moderator=rf.community_staff(tree), hidden=True, reason="人脸")
    (again,) = get_json(client, f"requests/{with_photo.pk}.json")
    assert again["media_url"] is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_request_hidden_by_staff_is_not_found(client, tree, cat, reviewer, fmt):
    report = rf.submitted(tree, reporter=None, cat=cat, channel=Channel.OPEN311)
    report_set_public_hidden(report=report, moderator=reviewer, hidden=True, reason="涉及隐私")

    hidden = client.get(f"{BASE}/requests/{report.pk}.{fmt}")
    missing = client.get(f"{BASE}/requests/{report.pk + 1000}.{fmt}")

    assert_error(hidden, 404, "open311.unknown_request", fmt)
    # Exactly the answer for an id that never existed: the body does not echo the id.
    assert hidden.content == missing.content
    assert get_json(client, "requests.json") == []


def test_one_request_json_is_an_array_of_one_and_xml_a_list_of_one(client, tree, cat):
    report = rf.submitted(tree, reporter=None, cat=cat, channel=Channel.OPEN311)

    body = get_json(client, f"requests/{report.pk}.json")
    root = parse_xml(client.get(f"{BASE}/requests/{report.pk}.xml"))

    assert isinstance(body, list) and ids(body) == [str(report.pk)]
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [str(report.pk)]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("raw_id", ["999999", "abc", "1" * 30])
def test_an_unknown_request_is_404(client, db, fmt, raw_id):
    assert_error(client.get(f"{BASE}/requests/{raw_id}.{fmt}"), 404, "open311.unknown_request", fmt)


def test_a_token_leads_to_the_request_id_in_both_formats(client, post, cat):
    created = json_body(post(service_code="pothole", lat="21.05", long="110.05"))[0]

    body = json_body(client.get(f"{BASE}/tokens/{created['token']}.json"))
    root = parse_xml(client.get(f"{BASE}/tokens/{created['token']}.xml"))

    validate_local(TOKENS, body)
    assert body == [
        {"service_request_id": created["service_request_id"], "token": created["token"]}
    ]
    item = root.find("request")
    assert item.findtext("service_request_id") == created["service_request_id"]
    assert item.findtext("token") == created["token"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_token_is_404(client, db, fmt):
    assert_error(client.get(f"{BASE}/tokens/nope.{fmt}"), 404, "open311.unknown_token", fmt)


def test_listing_takes_a_fixed_number_of_queries(
    client, tree, free_cat, reviewer, django_assert_num_queries
):
    for state in ("submitted", "accepted", "resolved", "rejected"):
        f.in_state(tree, state, cat=free_cat, reviewer=reviewer)
    shown = rf.category(code="graffiti", name="乱涂乱画", public_photos=True)
    rf.submitted(tree, reporter=None, cat=shown, channel=Channel.OPEN311, photos=[rf.jpeg_bytes()])
    get_json(client, "requests.json")  # warm the translation machinery

    # reports, status notes, photos, area names; the session is not touched.
    with django_assert_num_queries(4):
        body = get_json(client, "requests.json")

    assert len(body) == 5
    assert body[0]["media_url"] is not None
    assert {i["status"] for i in body} == {"open", "closed"}
    assert State.REJECTED in {r.state for r in Report.objects.all()}
