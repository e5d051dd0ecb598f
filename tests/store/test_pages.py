"""The store's pages through Django's test client: the shop, ordering, my orders with the
code and QR, the keeper's verify page, stock changes, the report; errors shown in Chinese."""

import pytest
from django.urls import reverse

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.store import services
from nuanxin.store.models import Item, Order, OrderStatus, Stock
from tests.factories import staff
from tests.store.factories import city_admin, keeper_of, make_item, make_shop, worker_with_points

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(tree, clock):
    keeper = keeper_of(tree)
    station = make_shop(tree, keeper=keeper)
    item = make_item(tree, name="雨衣", price=40)
    services.stock_restock(actor=keeper, station=station, item=item, quantity=1)
    person, _ = worker_with_points(tree, 100)
    return keeper, station, item, person


def _order_form(station, item, request_id="form-1"):
    return {"station": station.pk, "item": item.pk, "request_id": request_id}


def test_the_shop_shows_my_points_and_the_items(client, shop):
    _keeper, station, _item, person = shop
    client.force_login(person)
    page = client.get(reverse("store:shop")).content.decode()
    assert "积分兑换超市" in page and "雨衣" in page and "40 分" in page
    assert f'data-station="{station.pk}"' in page
    assert 'id="st-available">100<' in page
    # The list spends nothing: each item opens its own page, where the order is confirmed.
    assert reverse("store:order_create") not in page
    assert reverse("store:item", args=[station.pk, _item.pk]) in page


def test_ordering_from_the_page_twice_with_one_form_makes_one_order(client, shop):
    _keeper, station, item, person = shop
    client.force_login(person)
    first = client.post(reverse("store:order_create"), _order_form(station, item))
    again = client.post(reverse("store:order_create"), _order_form(station, item))

    order = Order.objects.get()
    assert first.url == again.url == reverse("store:order", args=[order.public_id])
    detail = client.get(first.url).content.decode()
    assert order.pickup_code[:3] in detail and "<svg" in detail
    assert "取消兑换" in detail


def test_sold_out_is_said_in_chinese(client, shop, tree):
    _keeper, station, item, person = shop
    services.order_create(worker=person, station=station, item=item)
    other, _ = worker_with_points(tree, 100)
    client.force_login(other)
    answer = client.post(
        reverse("store:order_create"), _order_form(station, item, "x"), follow=True
    )
    assert "该商品在本兑换点已兑完。" in answer.content.decode()
    assert Order.objects.count() == 1


def test_the_keeper_verifies_a_pickup_from_the_page(client, shop):
    keeper, station, item, person = shop
    order = services.order_create(worker=person, station=station, item=item)
    client.force_login(keeper)

    page = client.get(reverse("store:verify"), {"station": station.pk, "code": order.pickup_code})
    text = page.content.decode()
    assert person.masked_phone in text and "确认发放" in text
    assert person.phone not in text
    done = client.post(
        reverse("store:confirm"),
        {"station": station.pk, "code": order.pickup_code, "order": order.public_id},
        follow=True,
    )
    assert "已核销，商品已发放。" in done.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PICKED_UP


def test_a_wrong_code_shows_its_message(client, shop):
    keeper, station, *_ = shop
    client.force_login(keeper)
    page = client.get(reverse("store:verify"), {"station": station.pk, "code": "000000"})
    assert 'data-code="store.code_not_found"' in page.content.decode()


def test_workers_cannot_open_staff_pages(client, shop):
    _keeper, _station, _item, person = shop
    client.force_login(person)
    page = client.get(reverse("store:verify"))
    assert page.status_code == 403
    assert "只有工作人员可以进行此操作。" in page.content.decode()


def test_restock_and_write_off_from_the_stock_page(client, shop):
    keeper, station, item, _person = shop
    client.force_login(keeper)
    client.post(
        reverse("store:stock_change", args=["restock"]),
        {"station": station.pk, "item": item.pk, "quantity": 4, "note": "第二批"},
    )
    refused = client.post(
        reverse("store:stock_change", args=["remove"]),
        {"station": station.pk, "item": item.pk, "quantity": 1, "reason": ""},
        follow=True,
    )
    assert "请填写原因。" in refused.content.decode()
    client.post(
        reverse("store:stock_change", args=["remove"]),
        {"station": station.pk, "item": item.pk, "quantity": 1, "reason": "破损"},
    )
    stock = Stock.objects.get(station=station, item=item)
    assert (stock.restocked, stock.on_shelf, stock.removed) == (5, 4, 1)
    page = client.get(reverse("store:stock"), {"station": station.pk}).content.decode()
    assert "雨衣" in page and "累计入库" in page


def test_report_page_and_export(client, shop, tree):
    keeper, station, item, person = shop
    order = services.order_create(worker=person, station=station, item=item)
    services.pickup_confirm(actor=keeper, station=station, code=order.pickup_code)
    client.force_login(staff(Role.STREET_ADMIN, tree["A1"]))
    page = client.get(reverse("store:report"), {"month": "2030-05"}).content.decode()
    assert "2030年5月兑换统计" in page and "共发放 1 件，消耗积分 40 分。" in page
    export = client.get(reverse("store:report_export"), {"month": "2030-05"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = client.get(reverse("store:report"), {"month": "2030-5"})
    assert bad.status_code == 400 and "月份格式应为 YYYY-MM。" in bad.content.decode()


def test_home_cards(client, shop):
    keeper, station, item, person = shop
    services.order_create(worker=person, station=station, item=item)
    client.force_login(person)
    assert "待领取的兑换" in client.get("/").content.decode()
    client.force_login(keeper)
    assert "待核销的兑换" in client.get("/").content.decode()


def test_admin_lists_stock_and_orders_by_jurisdiction_without_codes(client, shop, tree):
    _keeper, station, item, person = shop
    order = services.order_create(worker=person, station=station, item=item)
    inside, outside = staff(Role.COUNTY_ADMIN, tree["A"]), staff(Role.COUNTY_ADMIN, tree["B"])

    client.force_login(inside)
    assert station.name in client.get("/admin/store/stock/").content.decode()
    detail = client.get(f"/admin/store/order/{order.pk}/change/").content.decode()
    assert item.name in detail and order.pickup_code not in detail
    client.force_login(outside)
    assert station.name not in client.get("/admin/store/stock/").content.decode()
    assert client.get(f"/admin/store/order/{order.pk}/change/").status_code == 302


def test_city_admin_adds_an_item_in_the_admin_and_bad_input_is_an_error(client, tree):
    client.force_login(city_admin(tree))
    form = {"name": "电动车充电器", "category": "digital", "points_price": "0", "description": ""}
    refused = client.post("/admin/store/item/add/", form)
    assert refused.status_code == 200
    assert "所需积分必须是 1 到 1000000 之间的整数。" in refused.content.decode()
    assert not Item.objects.exists()

    client.post("/admin/store/item/add/", {**form, "points_price": "200", "monthly_limit": "1"})

    item = Item.objects.get(name="电动车充电器")
    assert (item.points_price, item.monthly_limit) == (200, 1)
    assert AuditLog.objects.filter(action="store.item_create", object_id=str(item.pk)).exists()


def test_the_keeper_cancels_a_waiting_order_with_a_reason(client, shop):
    keeper, station, item, person = shop
    order = services.order_create(worker=person, station=station, item=item)
    client.force_login(keeper)
    page = client.get(reverse("store:verify"), {"station": station.pk, "code": order.pickup_code})
    assert "取消订单" in page.content.decode()

    refused = client.post(
        reverse("store:staff_cancel"), {"order": order.public_id, "reason": ""}, follow=True
    )
    assert "请填写原因。" in refused.content.decode()
    done = client.post(
        reverse("store:staff_cancel"), {"order": order.public_id, "reason": "商品破损"}, follow=True
    )

    assert "订单已取消，积分已退回兑换人。" in done.content.decode()
    order.refresh_from_db()
    assert (order.status, order.note) == (OrderStatus.CANCELLED, "商品破损")
