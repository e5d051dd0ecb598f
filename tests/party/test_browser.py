"""A mobile member on the road signs in to the branch's meeting from a phone (390×844)."""

import datetime as dt

import pytest

from nuanxin.party import services
from nuanxin.party.models import Attendance
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import browser_second_factor
from tests.party.conftest import MEETING_START
from tests.party.factories import member, org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mobile_member_signs_in_online_from_the_road(
    live_server, page, tree, clock, screenshot_dir
):
    branch = org(tree["A1"], name="滴滴司机流动党支部", branch_type="mobile")
    driver = UserFactory(role="worker", region=tree["A1a"], phone="13912340001", name="老陈")
    services.membership_join(
        actor=None, worker=member(tree["A1a"], user=driver, name="老陈"), organisation=branch,
        kind="formal", joined_on=dt.date(2021, 5, 20), mobile=True,
    )  # fmt: skip
    meeting = services.meeting_schedule(
        actor=None, organisation=branch, kind="theme_day", title="主题党日：文明出行",
        starts_at=MEETING_START, ends_at=MEETING_START + dt.timedelta(hours=2),
        place="沙湾街道党群服务中心", online_link="https://meet.example.cn/didi",
    )  # fmt: skip
    clock.at = MEETING_START + dt.timedelta(minutes=10)
    base = live_server.url

    page.goto(f"{base}/accounts/login/?next=/party/")
    page.get_by_label("手机号").fill("13912340001")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    browser_second_factor(page, "13912340001")
    page.wait_for_url(f"{base}/party/")
    assert "滴滴司机流动党支部" in page.locator("#party-membership").inner_text()
    page.locator(f"article[data-meeting='{meeting.pk}'] a").click()
    page.wait_for_url(f"{base}/party/meetings/{meeting.pk}/")
    button = page.locator("#party-online-signin")
    assert button.is_visible()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(screenshot_dir / "party-meeting-phone.png"), full_page=True)
    button.click()
    page.wait_for_selector("#party-signed")
    assert "已签到" in page.locator("#party-signed").inner_text()
    row = Attendance.objects.get(meeting=meeting)
    assert (row.method, row.membership.worker.user_id) == ("online", driver.pk)
