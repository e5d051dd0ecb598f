"""The whole loop in a real browser: a rider reports with a photo, staff accept, points arrive."""

import pytest

from nuanxin.points.selectors import balance_of
from nuanxin.reports.models import Report, State
from tests.factories import TEST_PASSWORD
from tests.helpers import browser_second_factor, give_location_consent
from tests.points.factories import funded_pool
from tests.reports import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, phone: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    browser_second_factor(page, phone)
    page.wait_for_load_state("networkidle")


def test_rider_reports_with_a_photo_staff_accept_and_the_balance_rises(
    live_server, page, tree, screenshot_dir
):
    funded_pool(tree, "A1a", 500)
    cat = f.category(code="fire-lane-test", name="消防通道堵塞（测试）", points=7)
    rider = f.worker(tree, phone="13911112222", name="骑手小李")
    reviewer = f.community_staff(tree, phone="13911113333", name="社区小王")
    earlier = f.submitted(tree, cat=cat, point=(110.0502, 21.0501), description="门口被货车堵了")
    base = live_server.url

    # The rider: phone location, category, nearby reports shown first, a photo, submit.
    give_location_consent(rider)  # the pages ask for the position only then
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 21.05, "longitude": 110.05})
    log_in(page, base, rider.phone)
    page.goto(f"{base}/reports/new/")
    page.get_by_role("button", name="使用我的位置").click()
    page.get_by_label("问题类别").select_option(cat.code)
    page.wait_for_selector(f"#nearby >> text=#{earlier.pk}")
    assert "这是同一个问题——支持它" in page.locator("#nearby").inner_text()
    page.get_by_label("问题描述").fill("小区北门消防通道被电动车堵住")
    page.set_input_files(
        "#id_photos",
        files=[{"name": "lane.jpg", "mimeType": "image/jpeg", "buffer": f.jpeg_bytes((800, 600))}],
    )
    page.screenshot(path=str(screenshot_dir / "reports-new.png"), full_page=True)
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(f"{base}/reports/mine/*/")
    report = Report.objects.exclude(pk=earlier.pk).get()
    assert report.reporter == rider and report.region == tree["A1a-1"]
    assert report.photos.count() == 1
    assert "待审核" in page.locator("main").inner_text()
    # The thumbnail is served through the permission-checked photo view; wait for it to load.
    page.wait_for_function("() => document.querySelector('.photos img')?.complete")
    assert page.locator(".photos img").evaluate("img => img.naturalWidth") > 0

    # Community staff: the queue of my area, open the report, accept.
    page.context.clear_cookies()
    log_in(page, base, reviewer.phone)
    page.goto(f"{base}/reports/queue/")
    page.screenshot(path=str(screenshot_dir / "reports-queue.png"), full_page=True)
    page.locator(f".queue-item[data-id='{report.pk}'] a").click()
    assert rider.phone not in page.content()
    page.get_by_role("button", name="受理并发放 7 积分").click()
    page.wait_for_selector("text=已受理。")
    page.screenshot(path=str(screenshot_dir / "reports-staff-detail.png"), full_page=True)

    report.refresh_from_db()
    assert report.state == State.ACCEPTED and report.points_awarded == 7
    assert balance_of(rider).available == 7

    # The rider sees the step and the points on "my reports" and in the notifications.
    page.context.clear_cookies()
    log_in(page, base, rider.phone)
    page.goto(f"{base}/reports/mine/{report.pk}/")
    text = page.locator("main").inner_text()
    assert "已受理" in text and "已获得 7 积分" in text
    page.screenshot(path=str(screenshot_dir / "reports-mine-detail.png"), full_page=True)
    page.goto(f"{base}/me/notifications/")
    assert f"随手拍 #{report.pk} 已受理" in page.locator("main").inner_text()


def test_public_map_shows_dots_without_people(live_server, page, tree, screenshot_dir):
    rider = f.worker(tree, phone="13911114444", name="张三")
    f.submitted(tree, reporter=rider, description="张三家门口")

    page.goto(f"{live_server.url}/reports/map/")
    page.wait_for_selector("#public-map[data-loaded='1']")

    assert page.locator("#public-map .report-marker").count() == 1
    assert "张三" not in page.content()
    page.screenshot(path=str(screenshot_dir / "reports-public-map.png"))
