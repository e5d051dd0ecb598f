"""Demo part: the points-exchange shops (积分兑换超市) of the 46 service centres.

The city admin keeps a catalogue of daily goods and small appliances; every centre opens a shop
and stocks a realistic share of it (some hand goods out on a monthly redemption day). Workers
who have earned points redeem some: picked up over the past weeks, cancelled, expired unclaimed,
and some still waiting with their pickup codes — among them the demo rider's order at
南调街道暖新服务中心, which the demo station keeper can hand out.

Everything goes through the store's services; dates are spread over the past weeks afterwards
(the services stamp "now"), as the reports part does.
"""

import datetime as dt
import random
from collections import Counter

from django.db.models import F
from django.utils import timezone

from nuanxin.accounts.models import Role, User
from nuanxin.core.errors import ApplicationError
from nuanxin.demo.loader import DemoContext
from nuanxin.points.models import Account, AccountKind
from nuanxin.stations.models import Station, StationKind, StationStatus
from nuanxin.store import services
from nuanxin.store.models import Item, Movement, Order, OrderStatus, Shop, Stock

# (name, category, points, monthly limit, description)
CATALOGUE = [
    ("大米 5kg", "grain_oil", 100, 2, "东北长粒香大米，真空包装"),
    ("花生油 1.8L", "grain_oil", 80, 2, "压榨一级花生油"),
    ("挂面 1kg", "grain_oil", 20, None, "鸡蛋挂面"),
    ("洗衣液 2kg", "daily", 40, None, "薰衣草香型"),
    ("纯棉毛巾", "daily", 15, None, "吸汗速干，两条装"),
    ("保温杯 500ml", "daily", 60, 1, "不锈钢内胆，骑手随身带"),
    ("分体式雨衣", "rain_gear", 70, 1, "加厚防水，带反光条，骑手专用"),
    ("骑行雨披", "rain_gear", 45, 1, "电动车用，可遮挡车头"),
    ("安全头盔", "safety", 120, 1, "符合国标的电动自行车头盔"),
    ("反光背心", "safety", 25, 1, "夜间配送更安全"),
    ("充电宝 10000mAh", "digital", 150, 1, "双口快充"),
    ("手机支架", "digital", 30, 1, "电动车把手用，防抖"),
    ("电热水壶", "appliance", 180, 1, "1.7L 不锈钢"),
    ("小电风扇", "appliance", 90, 1, "USB 充电，夏季送清凉"),
]
REDEMPTION_DAY_EVERY = 6  # every sixth centre hands out on the 15th of each month
ORDERS = 120
# The share of each outcome among the demo's orders, in the order they are dealt out.
OUTCOMES = (
    [OrderStatus.PICKED_UP] * 5
    + [OrderStatus.PENDING] * 3
    + [
        OrderStatus.CANCELLED,
        OrderStatus.EXPIRED,
    ]
)
FOCUS_CENTRE = "南调街道暖新服务中心"
DEMO_RIDER = "13800000007"


def _catalogue(admin: User) -> list[Item]:
    items = []
    for name, category, price, limit, description in CATALOGUE:
        item = Item.objects.filter(name=name).first() or services.item_create(
            actor=admin,
            name=name,
            category=category,
            points_price=price,
            monthly_limit=limit,
            description=description,
        )
        items.append(item)
    return items


def _shops(rng: random.Random, admin: User, items: list[Item]) -> list[Station]:
    centres = list(
        Station.objects.filter(kind=StationKind.CENTRE, status=StationStatus.OPEN).order_by("code")
    )
    for index, centre in enumerate(centres):
        day = 15 if index % REDEMPTION_DAY_EVERY == REDEMPTION_DAY_EVERY - 1 else None
        if centre.name == FOCUS_CENTRE:
            day = None  # the demo keeper hands out any day
        services.shop_open(actor=admin, station=centre, pickup_hours=72, redemption_day=day)
        keeper = centre.keepers.first() or admin
        for item in rng.sample(items, rng.randint(8, len(items))):
            quantity = rng.choice([5, 10, 10, 20, 30, 40]) if item.points_price < 150 else 5
            services.stock_restock(
                actor=keeper, station=centre, item=item, quantity=quantity, note="首批入库"
            )
    return centres


def _spendable_workers() -> list[tuple[User, int]]:
    accounts = (
        Account.objects.filter(kind=AccountKind.WORKER, user__role=Role.WORKER)
        .annotate(free=F("posted") - F("held"))
        .filter(free__gte=20)
        .select_related("user__region")
        .order_by("pk")
    )
    return [(account.user, account.free) for account in accounts]


def _county_of(region_path: str) -> str:
    return region_path.split("/")[1] if region_path.count("/") > 1 else ""


def _backdate(order: Order, days_ago: float, *, resolved: bool) -> Order:
    """Move an order (and its movements) back in time; a resolved one was done 4 hours later."""
    created = timezone.now() - dt.timedelta(days=days_ago)
    changes = {"created_at": created, "expires_at": created + (order.expires_at - order.created_at)}
    if resolved:
        changes["resolved_at"] = created + dt.timedelta(hours=4)
        Movement.objects.filter(order=order).exclude(kind="reserve").update(
            created_at=changes["resolved_at"]
        )
    Movement.objects.filter(order=order, kind="reserve").update(created_at=created)
    Order.objects.filter(pk=order.pk).update(**changes)
    order.refresh_from_db()
    return order


def _place(rng: random.Random, worker: User, free: int, centre: Station, key: str) -> Order | None:
    lines = list(
        Stock.objects.filter(station=centre, on_shelf__gt=0, item__points_price__lte=free)
        .select_related("item")
        .order_by("item__name")
    )
    rng.shuffle(lines)
    for line in lines:  # the first the worker may still order: a monthly limit can refuse one
        try:
            return services.order_create(
                worker=worker, station=centre, item=line.item, request_id=key
            )
        except ApplicationError:
            continue
    return None


def _redeem(rng: random.Random, admin: User, centres: list[Station]) -> Counter:
    """Orders in every state by workers who have points, at a centre of their county."""
    by_county: dict[str, list[Station]] = {}
    for centre in centres:
        by_county.setdefault(_county_of(centre.region.path), []).append(centre)
    day_shops = set(
        Shop.objects.filter(redemption_day__isnull=False).values_list("station_id", flat=True)
    )
    workers = _spendable_workers()
    rng.shuffle(workers)
    counts: Counter = Counter()
    for index, (worker, free) in enumerate(workers):
        if counts.total() >= ORDERS:
            break
        local = by_county.get(_county_of(worker.region.path if worker.region else ""), centres)
        centre = rng.choice(local)
        outcome = OUTCOMES[counts.total() % len(OUTCOMES)]
        if outcome == OrderStatus.PICKED_UP and centre.pk in day_shops:
            outcome = OrderStatus.PENDING  # handed out on the 15th
        order = _place(rng, worker, free, centre, f"demo-{index}")
        if order is None:
            continue
        if outcome == OrderStatus.PICKED_UP:
            keeper = centre.keepers.first() or admin
            services.pickup_confirm(actor=keeper, station=centre, code=order.pickup_code)
            _backdate(order, rng.uniform(1, 45), resolved=True)
        elif outcome == OrderStatus.CANCELLED:
            services.order_cancel(actor=worker, order=order)
            _backdate(order, rng.uniform(1, 30), resolved=True)
        elif outcome == OrderStatus.EXPIRED:
            order = _backdate(order, rng.uniform(5, 30), resolved=False)
            services.orders_expire(at=order.expires_at)
        else:
            _backdate(order, rng.uniform(0, 1.5), resolved=False)
        counts[outcome] += 1
    return counts


def _demo_rider_order(rng: random.Random) -> bool:
    """The demo rider's waiting order at the demo keeper's centre, to show the pickup code."""
    rider = User.objects.filter(phone=DEMO_RIDER).first()
    centre = Station.objects.filter(name=FOCUS_CENTRE).first()
    if rider is None or centre is None:
        return False
    account = Account.objects.filter(user=rider).first()
    free = account.available if account else 0
    return _place(rng, rider, free, centre, "demo-rider") is not None


def load(ctx: DemoContext) -> None:
    if Shop.objects.exists():
        ctx.say("积分兑换：兑换点已存在，跳过。")
        return
    admin = User.objects.filter(role=Role.CITY_ADMIN).order_by("pk").first()
    if admin is None:
        ctx.say("积分兑换：缺少市级管理员，跳过。")
        return
    rng = ctx.rng("store")
    items = _catalogue(admin)
    centres = _shops(rng, admin, items)
    counts = _redeem(rng, admin, centres)
    rider = _demo_rider_order(rng)
    ctx.say(
        f"积分兑换：{len(items)} 种商品，{len(centres)} 个服务中心兑换点；订单 "
        f"已领取 {counts[OrderStatus.PICKED_UP]}、待取货 {counts[OrderStatus.PENDING]}"
        f"{'（含演示骑手 1 笔）' if rider else ''}、已取消 {counts[OrderStatus.CANCELLED]}、"
        f"已过期 {counts[OrderStatus.EXPIRED]}。"
    )
