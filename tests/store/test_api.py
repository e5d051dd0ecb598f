"""The store API over Django's test client: worker and staff endpoints, error codes, the
Idempotency-Key replay, the report export."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from PIL import Image

from nuanxin.accounts.models import Role
from nuanxin.store import services
from nuanxin.store.models import Order, OrderStatus
from tests.factories import staff
from tests.helpers import send
from tests.store.factories import city_admin, keeper_of, make_item, make_shop, worker_with_points

pytestmark = pytest.mark.django_db
API = "/api/v1/store"


@pytest.fixture
def shop(tree, clock):
    keeper = keeper_of(tree)
    station = make_shop(tree, keeper=keeper)
    item = make_item(tree, name="食用油 5L", price=60)
    services.stock_restock(actor=keeper, station=station, item=item, quantity=2)
    person, _ = worker_with_points(tree, 100)
    return keeper, station, item, person


def test_shops_near_me_list_what_is_on_the_shelf(client, shop):
    _keeper, station, _item, person = shop
    answer = send(client, "get", f"{API}/shops?lon=110.05&lat=21.06", user=person)
    assert answer.status_code == 200
    first = answer.json()[0]
    assert first["station_id"] == station.pk
    assert 1000 < first["distance_m"] < 1200
    assert first["shelf"][0]["item"]["name"] == "食用油 5L"
    assert first["shelf"][0]["on_shelf"] == 2


@pytest.mark.parametrize(("shops", "items"), [(1, 1), (5, 4)])
def test_shops_near_me__query_count_does_not_grow_with_shops_and_items(
    client, tree, clock, shops, items, django_assert_max_num_queries
):
    catalogue = [make_item(tree, name=f"商品{i}", price=10, monthly_limit=2) for i in range(items)]
    stations = [make_shop(tree, lon=110.05 + i / 1000) for i in range(shops)]
    for station in stations:
        for item in catalogue:
            services.stock_restock(actor=None, station=station, item=item, quantity=3)
    person, _ = worker_with_points(tree, 100)
    services.order_create(worker=person, station=stations[0], item=catalogue[0])
    client.force_login(person)

    # session, user, the user's region, every open shop's position, the nearest shops with
    # their stations, their stocks, and this month's orders of the limited items: the same for
    # 1 shop with 1 item and for 5 shops with 4 items each
    with django_assert_max_num_queries(7):
        answer = send(client, "get", f"{API}/shops?lon=110.05&lat=21.06").json()

    assert sorted(s["station_id"] for s in answer) == sorted(s.pk for s in stations)
    lines = [line for s in answer for line in s["shelf"]]
    assert len(lines) == shops * items
    ordered = {(line["item"]["id"], line["ordered_this_month"]) for line in lines}
    assert ordered == {(catalogue[0].pk, 1)} | {(item.pk, 0) for item in catalogue[1:]}


def test_order_with_idempotency_key_is_replayed_then_cancelled(client, shop):
    _keeper, station, item, person = shop
    body = {"station_id": station.pk, "item_id": item.pk}
    first = send(client, "post", f"{API}/orders", body, person, **{"Idempotency-Key": "k1"})
    again = send(client, "post", f"{API}/orders", body, person, **{"Idempotency-Key": "k1"})

    assert first.status_code == 201 and again.status_code == 201
    assert again.json() == first.json()
    assert Order.objects.count() == 1
    order = first.json()
    assert len(order["pickup_code"]) == 6 and order["status"] == "pending"

    listed = send(client, "get", f"{API}/orders").json()
    assert [o["id"] for o in listed] == [order["id"]]
    cancelled = send(client, "post", f"{API}/orders/{order['id']}/cancel", {})
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["pickup_code"] is None


def test_order_errors_come_with_codes(client, shop, tree):
    _keeper, station, item, _person = shop
    poor, _ = worker_with_points(tree, 10)
    answer = send(
        client, "post", f"{API}/orders", {"station_id": station.pk, "item_id": item.pk}, poor
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "store.insufficient_points"
    missing = send(client, "post", f"{API}/orders", {"station_id": station.pk, "item_id": 9999})
    assert missing.status_code == 404 and missing.json()["code"] == "store.item_not_found"


def test_another_workers_order_is_not_found(client, shop, tree):
    _keeper, station, item, person = shop
    body = {"station_id": station.pk, "item_id": item.pk}
    order = send(client, "post", f"{API}/orders", body, person).json()
    stranger, _ = worker_with_points(tree, 10)
    answer = send(client, "get", f"{API}/orders/{order['id']}", user=stranger)
    assert answer.status_code == 404 and answer.json()["code"] == "store.order_not_found"


def test_keeper_looks_up_and_confirms_a_pickup(client, shop):
    keeper, station, item, person = shop
    order = send(
        client, "post", f"{API}/orders", {"station_id": station.pk, "item_id": item.pk}, person
    ).json()

    lookup = send(
        client,
        "post",
        f"{API}/staff/pickup/lookup",
        {"station_id": station.pk, "code": order["pickup_code"]},
        keeper,
    )
    assert lookup.status_code == 200
    seen = lookup.json()
    assert seen["worker_phone"].count("*") == 4 and seen["order"]["pickup_code"] is None
    confirm = send(
        client,
        "post",
        f"{API}/staff/pickup/confirm",
        {"station_id": station.pk, "code": order["pickup_code"], "order_id": order["id"]},
    )
    assert confirm.status_code == 200 and confirm.json()["order"]["status"] == "picked_up"
    stock = send(client, "get", f"{API}/staff/stock?station_id={station.pk}").json()
    assert (stock[0]["on_shelf"], stock[0]["handed_out"]) == (1, 1)


def test_a_worker_cannot_use_staff_endpoints(client, shop):
    _keeper, station, _item, person = shop
    answer = send(
        client,
        "post",
        f"{API}/staff/pickup/lookup",
        {"station_id": station.pk, "code": "123456"},
        person,
    )
    assert answer.status_code == 403 and answer.json()["code"] == "auth.staff_only"
    assert send(client, "get", f"{API}/staff/stock").json() == {
        "code": "auth.staff_only",
        "message": "只有工作人员可以进行此操作。",
        "extra": {},
    }


def test_staff_restock_remove_and_shop_rules(client, shop, tree):
    _keeper, station, item, _person = shop
    street = staff(Role.STREET_ADMIN, tree["A1"])
    body = {"station_id": station.pk, "item_id": item.pk, "quantity": 5, "note": "爱心企业捐赠"}
    assert send(client, "post", f"{API}/staff/stock/restock", body, street).json()["on_shelf"] == 7
    bad = send(client, "post", f"{API}/staff/stock/remove", {**body, "reason": ""})
    assert bad.status_code == 400 and bad.json()["code"] == "store.reason_required"
    patched = send(
        client, "patch", f"{API}/staff/shops/{station.pk}", {"redemption_day": 10, "is_open": False}
    )
    assert patched.json()["redemption_day"] == 10 and patched.json()["is_open"] is False
    cleared = send(
        client, "patch", f"{API}/staff/shops/{station.pk}", {"clear_redemption_day": True}
    )
    assert cleared.json()["redemption_day"] is None


def test_catalogue_over_the_api_is_for_city_admins(client, tree):
    county = staff(Role.COUNTY_ADMIN, tree["A"])
    body = {"name": "充电宝", "category": "digital", "points_price": 150, "monthly_limit": 1}
    refused = send(client, "post", f"{API}/staff/items", body, county)
    assert refused.status_code == 403 and refused.json()["code"] == "store.forbidden"
    created = send(client, "post", f"{API}/staff/items", body, city_admin(tree))
    assert created.status_code == 201
    item_id = created.json()["id"]
    retired = send(client, "patch", f"{API}/staff/items/{item_id}", {"retired": True})
    assert retired.json()["retired"] is True
    assert send(client, "get", f"{API}/items").json() == []


def test_monthly_report_and_its_export(client, shop, tree):
    keeper, station, item, person = shop
    order = services.order_create(worker=person, station=station, item=item)
    services.pickup_confirm(actor=keeper, station=station, code=order.pickup_code)
    county = staff(Role.COUNTY_ADMIN, tree["A"])

    rows = send(client, "get", f"{API}/staff/report?month=2030-05", user=county).json()
    assert rows == [
        {
            "county": "A区",
            "street": "A1街道",
            "station_code": station.code,
            "station": station.name,
            "item": "食用油 5L",
            "category": "粮油副食",
            "count": 1,
            "points": 60,
        }
    ]
    assert send(client, "get", f"{API}/staff/report?month=2030-13").json()["code"] == (
        "store.bad_month"
    )
    export = send(client, "get", f"{API}/staff/report.xlsx?month=2030-05")
    book = load_workbook(io.BytesIO(export.content))
    detail = book.worksheets[0]
    assert detail.cell(1, 1).value == "县（市、区）"
    assert [c.value for c in detail[2]][-2:] == [1, 60]
    # Outside the jurisdiction the month is empty.
    other = staff(Role.COUNTY_ADMIN, tree["B"])
    assert send(client, "get", f"{API}/staff/report?month=2030-05", user=other).json() == []
    assert Order.objects.get().status == OrderStatus.PICKED_UP


def test_openapi_lists_the_store(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith(f"{API}/")]
    assert f"{API}/orders" in paths and f"{API}/staff/pickup/confirm" in paths


def test_city_admin_uploads_an_item_picture(client, tree):
    admin = city_admin(tree)
    item = make_item(tree)
    client.force_login(admin)
    raw = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(raw, "PNG")
    upload = SimpleUploadedFile("rice.png", raw.getvalue(), content_type="image/png")

    answer = client.post(f"{API}/staff/items/{item.pk}/picture", {"picture": upload})

    assert answer.status_code == 200
    assert answer.json()["picture_url"].endswith(".jpg")
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    refused = client.post(f"{API}/staff/items/{item.pk}/picture", {"picture": bad})
    assert refused.status_code == 400 and refused.json()["code"] == "images.unsupported_format"
