import pytest

from nuanxin.points import services
from tests.factories import TEST_PASSWORD
from tests.helpers import browser_second_factor
from tests.points.factories import tid, worker_with_points

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_sees_balance_and_loads_more_history_on_a_phone(
    live_server, page, tree, screenshot_dir
):
    person, account = worker_with_points(tree, 100)
    for _ in range(22):
        services.transfer(
            transfer_id=tid(),
            debit=account,
            credit=services.shop_sink(),
            amount=1,
            reason="store.redemption",
        )

    page.goto(f"{live_server.url}/accounts/login/?next=/points/")
    page.get_by_label("手机号").fill(person.phone)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    browser_second_factor(page, person.phone)
    page.wait_for_url(f"{live_server.url}/points/")

    assert page.get_by_test_id("available").inner_text() == "78"
    assert page.locator("#history li:not(.more)").count() == 20
    page.screenshot(path=str(screenshot_dir / "points-mine.png"), full_page=True)
    page.get_by_role("button", name="加载更多").click()
    page.wait_for_selector("text=随手拍审核通过")
    assert page.locator("#history li:not(.more)").count() == 23
