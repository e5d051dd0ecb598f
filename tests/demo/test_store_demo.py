import pytest
from django.db.models import Count

from nuanxin.stations.models import Station, StationKind
from nuanxin.store.checks import store_check
from nuanxin.store.models import Item, Order, OrderStatus, Shop, Stock

pytestmark = pytest.mark.django_db


def test_each_of_the_46_centres_runs_a_stocked_shop(demo_city):
    centres = Station.objects.filter(kind=StationKind.CENTRE)
    assert centres.count() == 46
    assert Shop.objects.filter(station__in=centres).count() == 46
    per_shop = Stock.objects.values("station").annotate(n=Count("pk"))
    assert per_shop.count() == 46 and min(row["n"] for row in per_shop) >= 8
    names = set(Item.objects.values_list("name", flat=True))
    assert {"大米 5kg", "花生油 1.8L", "分体式雨衣", "充电宝 10000mAh", "安全头盔"} <= names
    assert Item.objects.filter(category="appliance").exists()


def test_redemptions_in_every_state_and_the_books_reconcile(demo_city):
    statuses = set(Order.objects.values_list("status", flat=True))
    assert statuses == set(OrderStatus.values)
    assert Order.objects.count() >= 100
    report = store_check()
    assert report.ok, report.problems


def test_the_demo_rider_has_a_code_the_demo_keeper_can_hand_out(demo_city):
    order = Order.objects.get(worker__phone="13800000007", status=OrderStatus.PENDING)
    assert order.station.name == "南调街道暖新服务中心"
    assert order.station.keepers.filter(phone="13800000005").exists()
    assert order.station.shop.redemption_day is None
