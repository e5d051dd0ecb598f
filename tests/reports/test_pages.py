import io

import pytest

from nuanxin.accounts.models import Role
from nuanxin.points.selectors import balance_of
from nuanxin.reports.models import Report, State
from tests.factories import staff
from tests.points.factories import funded_pool
from tests.reports import factories as f

pytestmark = pytest.mark.django_db


def photo_upload():
    buffer = io.BytesIO(f.jpeg_bytes())
    buffer.name = "p.jpg"
    return buffer


def form(cat, **extra):
    return {
        "category": cat.code,
        "lon": f.IN_A1A_1[0],
        "lat": f.IN_A1A_1[1],
        "coord_system": "wgs84",
        "description": "楼道里有人给电动车充电",
        "submit_key": "page-key-1",
        **extra,
    }


def test_new_page_needs_login_and_shows_the_map_and_categories(client, tree, reporter):
    anonymous = client.get("/reports/new/")
    client.force_login(reporter)
    page = client.get("/reports/new/")

    html = page.content.decode()
    assert anonymous.status_code == 302
    assert 'id="pick-map"' in html and "电动车飞线充电" in html and "充电位置" in html


def test_submitting_the_form_twice_with_the_same_key_makes_one_report(client, tree, reporter, cat):
    client.force_login(reporter)

    first = client.post("/reports/new/", form(cat, photos=[photo_upload()]))
    second = client.post("/reports/new/", form(cat, photos=[photo_upload()]))

    report = Report.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/reports/mine/{report.pk}/"
    assert report.photos.count() == 1


def test_form_error_is_shown_in_chinese_and_keeps_the_input(client, tree, reporter, cat):
    client.force_login(reporter)

    response = client.post("/reports/new/", form(cat, lon="", lat=""))

    html = response.content.decode()
    assert response.status_code == 400
    assert "请先在地图上选择位置。" in html and "楼道里有人给电动车充电" in html
    assert Report.objects.count() == 0


def test_category_questions_are_answered_through_the_form(client, tree, reporter):
    client.force_login(reporter)
    response = client.post(
        "/reports/new/",
        form(
            f.category(
                code="charging-q",
                questions=[
                    {
                        "code": "where",
                        "label": "位置",
                        "type": "single",
                        "required": True,
                        "options": [{"key": "window", "name": "窗外"}],
                    }
                ],
            ),
            **{"q_charging-q_where": "window"},
        ),
    )

    assert response.status_code == 302
    assert Report.objects.get().answers == {"where": "window"}


def test_nearby_fragment_offers_to_add_to_an_open_report(client, tree, reporter, cat):
    existing = f.submitted(tree, cat=cat)
    client.force_login(reporter)

    html = client.get(
        "/reports/nearby/",
        {"lon": f.IN_A1A_1[0], "lat": f.IN_A1A_1[1], "category": cat.code},
    ).content.decode()
    supported = client.post(f"/reports/{existing.pk}/support/")

    assert f"#{existing.pk}" in html and "这是同一个问题——支持它" in html
    assert existing.reporter.phone not in html
    assert supported.status_code == 302
    existing.refresh_from_db()
    assert existing.support_count == 1


def test_mine_pages_show_my_reports_and_the_timeline(client, tree, reporter, reviewer):
    from nuanxin.reports.services import report_reject

    report = f.submitted(tree, reporter=reporter)
    report_reject(report=report, reviewer=reviewer, reason="照片看不清")
    other = f.submitted(tree)
    client.force_login(reporter)

    listing = client.get("/reports/mine/").content.decode()
    detail = client.get(f"/reports/mine/{report.pk}/").content.decode()
    foreign = client.get(f"/reports/mine/{other.pk}/")

    assert f"#{report.pk}" in listing and f"#{other.pk}" not in listing
    assert "照片看不清" in detail and "未通过" in detail
    assert foreign.status_code == 404


def test_reopen_through_the_page(client, tree, reporter, reviewer):
    from nuanxin.reports.services import report_accept, report_resolve

    funded_pool(tree, "A1a", 100)
    report = f.submitted(tree, reporter=reporter)
    report_accept(report=report, reviewer=reviewer)
    report_resolve(report=report, reviewer=reviewer, note="好了")
    client.force_login(reporter)

    page = client.get(f"/reports/mine/{report.pk}/").content.decode()
    client.post(f"/reports/mine/{report.pk}/reopen/", {"reason": "没修好"})

    assert "重新打开" in page
    report.refresh_from_db()
    assert report.state == State.REOPENED


def test_queue_is_for_staff_and_shows_only_my_area(client, tree, reporter, reviewer):
    mine = f.submitted(tree, description="我辖区的问题")
    f.submitted(tree, point=f.IN_A1B_1, description="隔壁社区的问题")

    client.force_login(reporter)
    worker_view = client.get("/reports/queue/")
    client.force_login(reviewer)
    html = client.get("/reports/queue/").content.decode()

    assert worker_view.status_code == 403
    assert "我辖区的问题" in html and "隔壁社区的问题" not in html
    assert f'value="{mine.pk}"' in html
    assert mine.reporter.phone not in html


def test_queue_filters_and_overdue_flag(client, tree, reviewer):
    import datetime as dt

    from django.utils import timezone

    late = f.submitted(tree, description="超期的问题")
    f.submitted(tree, description="按时的问题")
    Report.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=2))
    client.force_login(reviewer)

    overdue = client.get("/reports/queue/", {"view": "all", "overdue": "1"}).content.decode()

    assert "超期的问题" in overdue and "按时的问题" not in overdue


def test_staff_detail_masks_the_reporter_and_reveal_is_audited(client, tree, reporter, reviewer):
    from nuanxin.core.models import AuditLog

    report = f.submitted(tree, reporter=reporter)
    client.force_login(reviewer)

    page = client.get(f"/reports/queue/{report.pk}/").content.decode()
    revealed = client.post(f"/reports/queue/{report.pk}/reveal/", {"purpose": "回访"})

    assert reporter.phone not in page and reporter.masked_phone in page
    assert reporter.phone in revealed.content.decode()
    assert revealed["Cache-Control"] == "no-store"
    assert AuditLog.objects.filter(action="reports.reporter_viewed").count() == 1


def test_staff_accept_through_the_page_pays_the_reporter(client, tree, reporter, reviewer):
    funded_pool(tree, "A1a", 100)
    report = f.submitted(tree, reporter=reporter, cat=f.category(points=9))
    client.force_login(reviewer)

    response = client.post(f"/reports/queue/{report.pk}/accept/", {"note": ""})

    assert response.status_code == 302
    assert balance_of(reporter).available == 9


def test_staff_of_the_next_community_cannot_open_or_act_and_sees_not_found(client, tree, reporter):
    report = f.submitted(tree, reporter=reporter)
    client.force_login(f.community_staff(tree, "A1b"))

    page = client.get(f"/reports/queue/{report.pk}/")
    action = client.post(f"/reports/queue/{report.pk}/reject/", {"reason": "x"})

    assert page.status_code == 404 and action.status_code == 404
    assert 'data-code="reports.not_found"' in page.content.decode()
    report.refresh_from_db()
    assert report.state == State.SUBMITTED


def test_bulk_accept_from_the_queue(client, tree, reviewer):
    funded_pool(tree, "A1a", 100)
    reports = [f.submitted(tree) for _ in range(3)]
    client.force_login(reviewer)

    client.post("/reports/queue/bulk/", {"ids": [r.pk for r in reports[:2]], "action": "accept"})

    states = sorted(Report.objects.values_list("state", flat=True))
    assert states == ["accepted", "accepted", "submitted"]


def test_duplicate_from_the_page_takes_the_typed_number(client, tree, reviewer):
    original = f.submitted(tree)
    report = f.submitted(tree)
    client.force_login(reviewer)

    client.post(f"/reports/queue/{report.pk}/duplicate/", {"original": [str(original.pk), ""]})

    report.refresh_from_db()
    assert report.duplicate_of == original


def test_public_map_page_is_open_to_everyone(client, tree):
    response = client.get("/reports/map/")

    assert response.status_code == 200
    assert 'id="public-map"' in response.content.decode()


def test_street_admin_sees_the_whole_street(client, tree):
    report = f.submitted(tree, point=f.IN_A1B_1, description="街道内的问题")
    client.force_login(staff(Role.STREET_ADMIN, tree["A1"]))

    html = client.get("/reports/queue/").content.decode()

    assert "街道内的问题" in html and f"#{report.pk}" in html
