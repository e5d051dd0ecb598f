import io
import json

import pytest
from openapi_spec_validator import validate

from nuanxin.accounts.services import token_issue
from nuanxin.core.models import AuditLog
from nuanxin.points.rules import DAILY_CAP, shortfall_text
from nuanxin.points.selectors import balance_of
from nuanxin.points.services import current_policy
from nuanxin.reports.models import Report, ReportPhoto, State
from nuanxin.reports.services import report_accept
from tests.points.factories import funded_pool
from tests.reports import factories as f

pytestmark = pytest.mark.django_db

BASE = "/api/v1/reports"


def bearer(user) -> dict:
    secret, _ = token_issue(user=user, name="test", second_factor=True)
    return {"Authorization": f"Bearer {secret}"}


def post_json(client, url, body, headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def upload(name="p.jpg", data=None):
    buffer = io.BytesIO(data if data is not None else f.jpeg_bytes())
    buffer.name = name
    return buffer


def submit(client, headers, cat, **extra):
    data = {
        "category": cat.code,
        "lon": str(f.IN_A1A_1[0]),
        "lat": str(f.IN_A1A_1[1]),
        "description": "井盖缺失",
        **extra,
    }
    return client.post(f"{BASE}/", data=data, headers=headers)


def test_openapi_document_is_valid_and_lists_the_report_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()

    validate(spec)
    paths = set(spec["paths"])
    for path in [
        "/api/v1/reports/",
        "/api/v1/reports/categories",
        "/api/v1/reports/nearby",
        "/api/v1/reports/queue",
        "/api/v1/reports/{report_id}/accept",
        "/api/v1/reports/{report_id}/reject",
        "/api/v1/reports/{report_id}/duplicate",
        "/api/v1/reports/{report_id}/dispatch",
        "/api/v1/reports/{report_id}/resolve",
        "/api/v1/reports/{report_id}/close",
        "/api/v1/reports/{report_id}/reopen",
        "/api/v1/reports/{report_id}/reassign",
        "/api/v1/reports/public",
    ]:
        assert path in paths, path


@pytest.mark.parametrize("count", [2, 12])
def test_queue__query_count_does_not_grow_with_the_reports(
    client, tree, reviewer, cat, count, django_assert_max_num_queries
):
    reports = [f.submitted(tree, cat=cat) for _ in range(count)]
    for report in reports:
        ReportPhoto.objects.create(report=report, image="p.jpg", thumbnail="t.jpg", width=64,
                                   height=48, size=100, uploaded_by=report.reporter)  # fmt: skip
    Report.objects.filter(pk=reports[0].pk).update(points_limited_by=DAILY_CAP)
    current_policy()
    headers = bearer(reviewer)

    # the token (read and stamped), the count, the page, its photos, the communities,
    # reporters, assignees and departments of the page (one query each, by primary key; none
    # when no report on the page has one), and the earning policy once for the one shortfall
    # reason on the page: the same for 2 reports and for 12
    with django_assert_max_num_queries(10):
        body = client.get(f"{BASE}/queue", {"waiting": True}, headers=headers).json()

    assert body["count"] == count
    assert {r["id"] for r in body["items"]} == {r.pk for r in reports}
    assert all(len(r["photos"]) == 1 and r["reporter"] for r in body["items"])
    notes = {r["id"]: r["points_note"] for r in body["items"]}
    assert notes.pop(reports[0].pk) == shortfall_text(DAILY_CAP) != ""
    assert set(notes.values()) <= {""}


def test_categories_are_public_and_include_the_chinese_defaults(client):
    body = client.get(f"{BASE}/categories").json()

    names = {c["code"]: c for c in body}
    assert names["ebike-charging"]["name"] == "电动车飞线充电"
    assert names["ebike-charging"]["questions"][0]["code"] == "where"
    assert names["food-safety"]["anonymous_public"] is True


def test_submit_with_photos_then_retry_with_same_idempotency_key_creates_one_report(
    client, tree, reporter, cat
):
    headers = {**bearer(reporter), "Idempotency-Key": "upload-1"}

    first = submit(client, headers, cat, photos=[upload(), upload()])
    again = submit(client, headers, cat, photos=[upload(), upload()])

    assert first.status_code == 201, first.content
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Report.objects.count() == 1 and ReportPhoto.objects.count() == 2
    body = first.json()
    assert body["state"] == "submitted" and body["region"] == "第1网格"
    assert len(body["photos"]) == 2


def test_submit_retry_after_a_lost_answer_also_finds_the_first_report(client, tree, reporter, cat):
    headers = {**bearer(reporter), "Idempotency-Key": "upload-2"}
    first = submit(client, headers, cat)
    # The stored answer is gone (e.g. expired): the report's own key still stops a duplicate.
    from nuanxin.core.models import IdempotencyRecord

    IdempotencyRecord.objects.all().delete()

    again = submit(client, headers, cat)

    assert again.json()["id"] == first.json()["id"]
    assert Report.objects.count() == 1


def test_submit_without_login_is_401_and_bad_photo_is_the_exact_code(client, tree, reporter, cat):
    anonymous = submit(client, {}, cat)
    bad = submit(client, bearer(reporter), cat, photos=[upload("x.jpg", b"<svg></svg>")])

    assert anonymous.status_code == 401
    assert bad.status_code == 400 and bad.json()["code"] == "images.unsupported_format"
    assert Report.objects.count() == 0


def test_photo_added_later_by_the_reporter(client, tree, reporter, cat):
    headers = bearer(reporter)
    report_id = submit(client, headers, cat).json()["id"]

    added = client.post(f"{BASE}/{report_id}/photos", data={"photo": upload()}, headers=headers)
    other = client.post(
        f"{BASE}/{report_id}/photos", data={"photo": upload()}, headers=bearer(f.worker(tree))
    )

    assert added.status_code == 201
    assert other.status_code == 404
    assert ReportPhoto.objects.filter(report_id=report_id).count() == 1


def test_nearby_lists_open_reports_without_reporter_fields(client, tree, reporter, cat):
    report = f.submitted(tree, cat=cat)

    body = client.get(
        f"{BASE}/nearby",
        {"lon": f.IN_A1A_1[0], "lat": f.IN_A1A_1[1], "category": cat.code},
        headers=bearer(reporter),
    ).json()

    assert [n["id"] for n in body] == [report.pk]
    assert "reporter" not in json.dumps(body) and report.reporter.phone not in json.dumps(body)


def test_full_loop_through_the_api_pays_the_reporter(client, tree, reporter, reviewer):
    funded_pool(tree, "A1a", 100)
    cat = f.category(points=6)
    report_id = submit(client, bearer(reporter), cat).json()["id"]
    staff_headers = bearer(reviewer)

    queue = client.get(f"{BASE}/queue", {"waiting": True}, headers=staff_headers).json()
    accepted = post_json(client, f"{BASE}/{report_id}/accept", {"note": "属实"}, staff_headers)
    mine = client.get(f"{BASE}/mine/{report_id}", headers=bearer(reporter)).json()

    assert [r["id"] for r in queue["items"]] == [report_id]
    assert queue["items"][0]["reporter"].endswith(reporter.phone[-4:])
    assert reporter.phone not in json.dumps(queue)
    assert accepted.status_code == 200 and accepted.json()["points_awarded"] == 6
    assert mine["state"] == "accepted" and mine["points_awarded"] == 6
    assert [e["kind"] for e in mine["events"]] == ["submitted", "accepted"]
    assert balance_of(reporter).available == 6


def test_each_transition_through_the_api(client, tree, reporter, reviewer):
    funded_pool(tree, "A1a", 100)
    dept = f.department(code="fire-test")
    headers = bearer(reviewer)
    report = f.submitted(tree, reporter=reporter)
    url = f"{BASE}/{report.pk}"

    steps = [
        post_json(client, f"{url}/accept", {}, headers),
        post_json(client, f"{url}/dispatch", {"department": "fire-test"}, headers),
        client.post(f"{url}/resolve", data={"note": "已修复", "photo": upload()}, headers=headers),
        post_json(client, f"{url}/reopen", {"reason": "没修好"}, bearer(reporter)),
        post_json(client, f"{url}/close", {"note": "办结"}, headers),
    ]

    assert [s.status_code for s in steps] == [200] * 5, [s.content for s in steps]
    report.refresh_from_db()
    assert report.state == State.CLOSED and report.department == dept


def test_transition_errors_have_their_codes_and_statuses(client, tree, reporter, reviewer):
    report = f.submitted(tree, reporter=reporter)
    url = f"{BASE}/{report.pk}"
    next_door = bearer(f.community_staff(tree, "A1b"))

    wrong_state = post_json(client, f"{url}/close", {}, bearer(reviewer))
    no_reason = post_json(client, f"{url}/reject", {"reason": ""}, bearer(reviewer))
    outside = post_json(client, f"{url}/accept", {}, next_door)
    worker_queue = client.get(f"{BASE}/queue", headers=bearer(reporter))
    unknown = post_json(client, f"{BASE}/999999/accept", {}, bearer(reviewer))

    assert (wrong_state.status_code, wrong_state.json()["code"]) == (
        409,
        "reports.invalid_transition",
    )
    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "reports.reason_required")
    assert outside.status_code == 404 and outside.json() == unknown.json()
    assert (worker_queue.status_code, worker_queue.json()["code"]) == (403, "auth.staff_only")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "reports.not_found")


def test_reject_duplicate_reassign_and_bulk_through_the_api(client, tree, reviewer):
    headers = bearer(reviewer)
    a, b, c, d = (f.submitted(tree) for _ in range(4))

    rejected = post_json(client, f"{BASE}/{a.pk}/reject", {"reason": "看不清"}, headers)
    dup = post_json(client, f"{BASE}/{b.pk}/duplicate", {"original": c.pk}, headers)
    moved = post_json(client, f"{BASE}/{c.pk}/reassign", {"region": tree["A1b"].code}, headers)
    bulk = post_json(client, f"{BASE}/bulk/reject", {"ids": [d.pk, c.pk], "reason": "x"}, headers)

    assert rejected.json()["state"] == "rejected"
    assert dup.json()["duplicate_of"] == c.pk
    assert moved.json() == {"id": c.pk, "region": tree["A1b"].code, "state": "submitted"}
    assert bulk.json() == {"done": [d.pk], "failed": {str(c.pk): "reports.not_found"}}


def test_reporter_contact_needs_a_purpose_and_is_audited(client, tree, reporter, reviewer):
    report = f.submitted(tree, reporter=reporter)

    refused = post_json(client, f"{BASE}/{report.pk}/reporter", {"purpose": ""}, bearer(reviewer))
    shown = post_json(client, f"{BASE}/{report.pk}/reporter", {"purpose": "回访"}, bearer(reviewer))

    assert refused.json()["code"] == "reports.purpose_required"
    assert shown.json()["phone"] == reporter.phone
    assert AuditLog.objects.filter(action="reports.reporter_viewed", actor=reviewer).count() == 1


def test_public_map_is_coarse_and_carries_no_people_or_text(client, tree, reporter, reviewer):
    open_cat = f.category()
    secret_cat = f.category(anonymous_public=True)
    visible = f.submitted(
        tree, reporter=reporter, cat=open_cat, description="张三家门口 13912345678"
    )
    clue = f.submitted(tree, reporter=reporter, cat=secret_cat)
    rejected = f.submitted(tree, reporter=reporter, cat=open_cat)
    from nuanxin.reports.services import report_reject

    report_reject(report=rejected, reviewer=reviewer, reason="x")

    body = client.get(f"{BASE}/public").json()

    by_id = {feat["properties"]["id"]: feat for feat in body["features"]}
    assert set(by_id) == {visible.pk, clue.pk}
    text = json.dumps(body, ensure_ascii=False)
    assert "张三" not in text and reporter.phone not in text and "description" not in text
    lon, lat = by_id[visible.pk]["geometry"]["coordinates"]
    assert (lon, lat) != (visible.lon, visible.lat)
    assert abs(lat - visible.lat) * 111_320 <= 100 + 1
    assert by_id[clue.pk]["geometry"]["coordinates"] == list(tree["A1a"].centre)
    assert by_id[clue.pk]["properties"]["precision"] == "community"


def test_photos_are_served_only_to_the_reporter_and_staff_over_the_area(
    client, tree, reporter, reviewer
):
    report = f.submitted(tree, reporter=reporter, photos=[f.jpeg_bytes()])
    photo = report.photos.get()
    url = f"/reports/photo/{photo.pk}/"

    public = client.get(url)
    next_door = client.get(url, headers=bearer(f.community_staff(tree, "A1b")))
    own = client.get(url, headers=bearer(reporter))
    staff_view = client.get(f"{url}?thumb=1", headers=bearer(reviewer))

    assert public.status_code == 404 and next_door.status_code == 404
    assert own.status_code == 200 and own["Content-Type"] == "image/jpeg"
    assert staff_view.status_code == 200
    assert b"".join(own.streaming_content)[:2] == b"\xff\xd8"


def test_accept_when_the_pool_is_empty_answers_budget_exhausted(client, tree, reviewer):
    report = f.submitted(tree)

    response = post_json(client, f"{BASE}/{report.pk}/accept", {}, bearer(reviewer))

    assert response.json()["code"] == "points.budget_exhausted"
    report.refresh_from_db()
    assert report.state == State.SUBMITTED


def test_mine_lists_only_my_reports(client, tree, reporter, reviewer):
    funded_pool(tree, "A1a", 100)
    mine = f.submitted(tree, reporter=reporter)
    f.submitted(tree)
    report_accept(report=mine, reviewer=reviewer)

    body = client.get(f"{BASE}/mine", headers=bearer(reporter)).json()

    assert [r["id"] for r in body] == [mine.pk]
