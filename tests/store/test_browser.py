"""Order -> pickup in a real browser: a rider orders a raincoat on the phone and sees the pickup
code; the keeper types it on the verify page, checks the person, confirms; the rider's order
shows as picked up and the points are spent."""

import pytest

from nuanxin.points.selectors import balance_of
from nuanxin.store import services
from nuanxin.store.models import Order, OrderStatus
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import browser_second_factor
from tests.points.factories import funded_pool
from tests.store.factories import city_admin, keeper_of, make_item, make_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, base, phone, target):
    page.goto(f"{base}/accounts/login/?next={target}")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    browser_second_factor(page, phone)
    page.wait_for_url(f"{base}{target}")


def test_order_then_pickup_verification(live_server, page, browser, tree, clock, screenshot_dir):
    from nuanxin.points import services as points

    keeper = keeper_of(tree)
    keeper.phone, keeper.name = "13812345678", "驿站老张"
    keeper.save()
    station = make_shop(tree, keeper=keeper)
    raincoat = make_item(tree, name="加厚雨衣", price=60, description="骑手专用分体式")
    rice = make_item(tree, name="大米 5kg", price=120)
    for item in (raincoat, rice):
        services.stock_restock(actor=keeper, station=station, item=item, quantity=3)
    rider = UserFactory(role="worker", region=tree["A1a"], phone="13912345678", name="骑手小李")
    points.policy_update(actor=city_admin(tree), daily_cap=None, monthly_cap=None)
    funded_pool(tree, "A1a", 100)
    points.earn(
        transfer_id="seed-earn",
        worker=rider,
        community=tree["A1a"],
        source="report.accepted",
        points=100,
        reference="report:seed",
    )
    base = live_server.url

    # The rider: the shop lists both items as cards; rice costs more than they have, and says
    # by how much. Nothing is spent from the list.
    _log_in(page, base, "13912345678", "/store/")
    assert page.locator("#st-available").inner_text() == "100"
    assert "还差 20 分" in page.locator(f"li[data-item='{rice.pk}']").inner_text()
    assert page.locator("form[action$='/store/order/']").count() == 0
    page.screenshot(path=str(screenshot_dir / "store-shop.png"), full_page=True)
    page.goto(f"{base}/store/s/{station.pk}/i/{rice.pk}/")
    assert page.locator("#st-confirm").is_disabled()
    assert page.locator("#st-confirm").inner_text() == "还差 20 分"

    # The raincoat's card opens its page: cost, balance after, where to pick it up; only the
    # confirm button places the order.
    page.goto(f"{base}/store/")
    page.locator(f"li[data-item='{raincoat.pk}'] a").click()
    page.wait_for_selector("#st-confirm")
    assert page.locator("#st-price").inner_text() == "60 分"
    assert page.locator("#st-after").inner_text() == "40 分"
    assert station.name in page.locator("#st-station").inner_text()
    assert Order.objects.filter(worker=rider).count() == 0
    page.screenshot(path=str(screenshot_dir / "store-confirm.png"), full_page=True)
    page.locator("#st-confirm").click()
    page.wait_for_selector("#st-code")
    order = Order.objects.get(worker=rider)
    assert page.locator("#st-code").inner_text().replace(" ", "") == order.pickup_code
    assert page.locator(".st-qr svg").count() == 1
    page.screenshot(path=str(screenshot_dir / "store-order.png"), full_page=True)
    assert balance_of(rider).available == 40

    # The keeper, on their phone: types the code, sees who ordered, confirms.
    keeper_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    keeper_page = keeper_context.new_page()
    _log_in(keeper_page, base, "13812345678", "/store/verify/")
    keeper_page.get_by_label("取货码（6 位数字）").fill(order.pickup_code)
    keeper_page.get_by_role("button", name="查询").click()
    found = keeper_page.locator(f"article[data-order='{order.public_id}']")
    assert "139****5678" in found.inner_text() and "骑手小李" in found.inner_text()
    keeper_page.screenshot(path=str(screenshot_dir / "store-verify.png"), full_page=True)
    keeper_page.locator("#st-confirm").click()
    keeper_page.wait_for_selector(".messages li.success")
    assert "已核销" in keeper_page.locator(".messages").inner_text()
    keeper_context.close()

    # The rider's order is done and the points are spent.
    page.goto(f"{base}/store/orders/{order.public_id}/")
    assert page.locator("#st-status").inner_text() == "已领取"
    order.refresh_from_db()
    assert order.status == OrderStatus.PICKED_UP
    balance = balance_of(rider)
    assert (balance.available, balance.held, balance.posted) == (40, 0, 40)
