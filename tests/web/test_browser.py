import pytest

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_logs_in_through_the_page_and_sees_the_region_map(
    live_server, page, tree, screenshot_dir
):
    UserFactory(phone="13912345678", name="骑手小李", region=tree["A1a"])

    page.goto(f"{live_server.url}/map/")
    page.get_by_role("link", name="登录").click()
    page.get_by_label("手机号").fill("139 1234 5678")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(f"{live_server.url}/map/")
    assert page.locator(".who").inner_text() == "骑手小李"
    page.wait_for_selector("#region-map[data-loaded='2']")
    assert page.locator("#region-list li").all_inner_texts() == ["A区", "B区"]
    assert page.locator("#region-map path.leaflet-interactive").count() == 2

    page.screenshot(path=str(screenshot_dir / "region-map.png"))
    page.locator("#region-list li", has_text="B区").click()
    page.wait_for_selector("#region-map[data-level='street']")
    assert page.locator("#region-list li").all_inner_texts() == ["B1街道", "B2街道"]
