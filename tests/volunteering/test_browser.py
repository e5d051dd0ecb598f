"""The whole loop in a real browser: a rider claims, checks in and out by the QR link, staff
verify on the attendance sheet, and the points arrive."""

import pytest

from nuanxin.points.selectors import balance_of
from nuanxin.volunteering import services
from nuanxin.volunteering.models import Attendance, Claim
from tests.factories import TEST_PASSWORD
from tests.helpers import browser_second_factor
from tests.volunteering.factories import (
    DAY,
    community_staff,
    fund,
    make_project,
    only_session,
    worker,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, base, phone):
    page.goto(f"{base}/accounts/login/?next=/volunteer/")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    browser_second_factor(page, phone)
    page.wait_for_url(f"{base}/volunteer/")


def test_claim_check_in_verify_points(live_server, page, browser, tree, clock, screenshot_dir):
    fund(tree)
    project = make_project(
        tree,
        title="政策传单随手派",
        kind="leaflets",
        award_rule="per_task",
        points_per_task=20,
        quantity_target=100,
        place_name="社区广场",
    )
    session = only_session(project)
    rider = worker(tree, phone="13912345678", name="骑手小李")
    officer = community_staff(tree)
    officer.phone, officer.name = "13812345678", "社区小王"
    officer.save()
    base = live_server.url

    # The rider claims a place from the list.
    _log_in(page, base, "13912345678")
    card = page.locator(f"article[data-project='{project.pk}']")
    assert "政策传单随手派" in card.inner_text()
    page.screenshot(path=str(screenshot_dir / "volunteering-list.png"), full_page=True)
    card.get_by_role("button", name="认领").click()
    page.wait_for_selector(".messages li.success")
    claim = Claim.objects.get(worker=rider)
    assert claim.code in page.locator(".messages").inner_text()

    # At the place: the QR code opens the scan page; check in, later check out with 42 leaflets.
    token = services.session_token(session)
    clock.set(DAY, 9, 5)
    page.goto(f"{base}/volunteer/scan/{token}/")
    page.locator("#vt-check-in").click()
    page.wait_for_selector("#vt-check-out")
    clock.set(DAY, 10, 50)
    page.reload()
    page.get_by_label("本次发放传单（份）").fill("42")
    page.screenshot(path=str(screenshot_dir / "volunteering-scan.png"), full_page=True)
    page.locator("#vt-check-out").click()
    page.wait_for_selector(".messages li.success")
    attendance = Attendance.objects.get(claim=claim)
    assert (attendance.status, attendance.quantity_reported) == ("checked_out", 42)

    # Staff verify on the attendance sheet.
    staff_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    staff_page = staff_context.new_page()
    staff_page.goto(f"{base}/accounts/login/?next=/volunteer/staff/s/{session.pk}/")
    staff_page.get_by_label("手机号").fill("13812345678")
    staff_page.get_by_label("密码").fill(TEST_PASSWORD)
    staff_page.get_by_role("button", name="登录").click()
    browser_second_factor(staff_page, "13812345678")
    staff_page.wait_for_url(f"{base}/volunteer/staff/s/{session.pk}/")
    row = staff_page.locator(f"tr[data-claim='{claim.pk}']")
    assert "139****5678" in row.inner_text()
    row.locator("select[name=outcome]").select_option("full")
    row.get_by_role("button", name="核验").click()
    staff_page.wait_for_selector(f"tr[data-claim='{claim.pk}'] .vt-awarded")
    assert staff_page.locator(f"tr[data-claim='{claim.pk}'] .vt-awarded").inner_text() == "+20"
    staff_page.screenshot(path=str(screenshot_dir / "volunteering-sheet.png"), full_page=True)
    staff_context.close()

    # The rider sees the points.
    page.goto(f"{base}/volunteer/mine/")
    assert page.locator("#vt-points").inner_text() == "20"
    assert "42" in page.locator(f"article[data-claim='{claim.pk}']").inner_text()
    page.screenshot(path=str(screenshot_dir / "volunteering-mine.png"), full_page=True)
    assert balance_of(rider).available == 20
