"""The shop as a worker reads it: a compact list, points spent only after a confirmation page
that says what is spent, the balance after and where to pick up, how many points are missing,
and icons that do not mislead."""

import pytest
from django.urls import reverse

from nuanxin.demo.store import CATALOGUE
from nuanxin.store import services
from nuanxin.store.models import CATEGORY_ICONS, Item, ItemCategory, Order
from tests.store.factories import keeper_of, make_item, make_shop, worker_with_points

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(tree, clock):
    keeper = keeper_of(tree)
    station = make_shop(tree, keeper=keeper)
    raincoat = make_item(tree, name="雨衣", price=40, category="rain_gear")
    rice = make_item(tree, name="大米", price=130, category="grain_oil")
    for item in (raincoat, rice):
        services.stock_restock(actor=keeper, station=station, item=item, quantity=3)
    person, _ = worker_with_points(tree, 100)
    return station, raincoat, rice, person


def test_the_item_page_shows_cost_balance_after_and_pickup_station_and_spends_nothing(client, shop):
    station, raincoat, _rice, person = shop
    client.force_login(person)
    page = client.get(reverse("store:item", args=[station.pk, raincoat.pk])).content.decode()
    assert 'id="st-price">40 分<' in page
    assert 'id="st-balance">100 分<' in page
    assert 'id="st-after">60 分<' in page
    assert station.name in page and "小时内领取" in page
    assert "确认兑换（冻结 40 分）" in page
    assert not Order.objects.exists()  # opening the page orders nothing


def test_confirming_on_the_item_page_places_the_order(client, shop):
    station, raincoat, _rice, person = shop
    client.force_login(person)
    page = client.get(reverse("store:item", args=[station.pk, raincoat.pk])).content.decode()
    request_id = page.split('name="request_id" value="')[1].split('"')[0]
    answer = client.post(
        reverse("store:order_create"),
        {"station": station.pk, "item": raincoat.pk, "request_id": request_id},
    )
    order = Order.objects.get()
    assert answer.url == reverse("store:order", args=[order.public_id])
    assert order.points == 40


def test_an_item_out_of_reach_says_how_many_points_are_missing(client, shop):
    station, _raincoat, rice, person = shop
    client.force_login(person)
    listing = client.get(reverse("store:shop")).content.decode()
    assert "还差 30 分" in listing
    page = client.get(reverse("store:item", args=[station.pk, rice.pk])).content.decode()
    button = page.split('id="st-confirm"')[1].split("</button>")[0]
    assert "disabled" in button and "还差 30 分" in button
    assert 'id="st-after"' not in page


def test_the_category_filter_lists_only_that_category(client, shop):
    _station, raincoat, rice, person = shop
    client.force_login(person)
    page = client.get(reverse("store:shop"), {"category": "rain_gear"}).content.decode()
    assert raincoat.name in page and rice.name not in page
    everything = client.get(reverse("store:shop"), {"category": "nonsense"}).content.decode()
    assert raincoat.name in everything and rice.name in everything


def test_an_item_not_on_this_shelf_answers_not_found(client, shop, tree):
    station, _raincoat, _rice, person = shop
    elsewhere = make_item(tree, name="挂面", price=10)
    client.force_login(person)
    answer = client.get(reverse("store:item", args=[station.pk, elsewhere.pk]))
    assert answer.status_code == 404
    assert client.get(reverse("store:item", args=[999999, elsewhere.pk])).status_code == 404


# What a person accepts as the picture of each demo item: the symbol of its category (the page
# shows the category's name beside it). Written by hand, item by item, so that an item put in a
# category whose symbol does not fit it (a towel under a lotion bottle) fails here.
FITTING = {
    "大米 5kg": "🌾",
    "花生油 1.8L": "🌾",
    "挂面 1kg": "🌾",
    "洗衣液 2kg": "🛒",
    "纯棉毛巾": "🛒",
    "保温杯 500ml": "🛒",
    "分体式雨衣": "☔",
    "骑行雨披": "☔",
    "安全头盔": "🦺",
    "反光背心": "🦺",
    "充电宝 10000mAh": "📱",
    "手机支架": "📱",
    "电热水壶": "🔌",
    "小电风扇": "🔌",
}


def test_every_demo_item_has_a_fitting_icon_and_its_category_label(client, tree, clock):
    assert sorted(FITTING) == sorted(name for name, *_ in CATALOGUE)
    keeper = keeper_of(tree)
    station = make_shop(tree, keeper=keeper)
    for name, category, price, _limit, _text in CATALOGUE:
        item = make_item(tree, name=name, price=price, category=category)
        services.stock_restock(actor=keeper, station=station, item=item, quantity=1)
    person, _ = worker_with_points(tree, 1)
    client.force_login(person)
    listing = client.get(reverse("store:shop")).content.decode()
    for item in Item.objects.all():
        assert item.icon == FITTING[item.name], item.name
        tile = listing.split(f'data-item="{item.pk}"')[1].split("</li>")[0]
        label = ItemCategory(item.category).label
        assert f'aria-label="{label}">{item.icon}<' in tile and f'"st-cat">{label}<' in tile


def test_every_category_has_its_own_symbol():
    assert set(CATEGORY_ICONS) == set(ItemCategory)
    assert len(set(CATEGORY_ICONS.values())) == len(ItemCategory)
