"""Reads of the store: shops near a worker with what they have, orders, staff lists, the
monthly report."""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError, not_found
from nuanxin.core.schema import date_in_range
from nuanxin.core.scoping import get_in_scope_or_404
from nuanxin.core.tally import Tally, month_key, tally_rows
from nuanxin.core.timeutil import start_of_local_day, start_of_local_month
from nuanxin.geo.coords import haversine_m
from nuanxin.geo.models import Region
from nuanxin.stations.models import Station, StationStatus
from nuanxin.stations.permissions import station_missing, stations_managed_by
from nuanxin.store.models import Item, Order, OrderStatus, Shop, Stock
from nuanxin.store.services._common import order_missing
from nuanxin.store.services.orders import is_orderable

NEARBY_SHOPS = 5


@dataclass
class ShelfLine:
    stock: Stock
    item: Item
    on_shelf: int
    ordered_this_month: int = 0
    # Points the worker lacks for it (the shop page fills it in from the balance).
    missing: int = 0

    @property
    def limit_reached(self) -> bool:
        limit = self.item.monthly_limit
        return limit is not None and self.ordered_this_month >= limit


@dataclass
class ShopCard:
    shop: Shop
    station: Station
    distance_m: float | None
    lines: list[ShelfLine] = field(default_factory=list)


def open_shops() -> QuerySet[Shop]:
    return Shop.objects.filter(is_open=True, station__status=StationStatus.OPEN).select_related(
        "station__region"
    )


def shops_near(
    *, lon: float | None, lat: float | None, region: Any = None, count: int = NEARBY_SHOPS
) -> list[tuple[Shop, float | None]]:
    """The open shops nearest to a point; without one, those closest in the region tree to
    ``region`` (the worker's community, then its street, county, city).

    Every open shop is ranked from a row of values (its station's position, or its code and
    region path); only the ``count`` chosen are loaded as shops with their stations."""
    shops = open_shops()
    distances: dict[int, float | None] = {}
    if lon is not None and lat is not None:
        positions = shops.values_list("station_id", "station__lon", "station__lat")
        ranked = sorted((haversine_m(lon, lat, s_lon, s_lat), pk) for pk, s_lon, s_lat in positions)
        distances = {pk: distance for distance, pk in ranked[:count]}
        chosen = list(distances)
    else:
        places = sorted(shops.values_list("station__code", "station_id", "station__region__path"))
        chosen = [pk for _code, pk, _path in places]
        if region is not None:
            # Nearest in the tree: the community's shops, then the street's, the county's, the
            # city's.
            codes = region.path.rstrip("/").split("/")
            chosen = []
            for depth in range(len(codes), 0, -1):
                prefix = "/".join(codes[:depth]) + "/"
                chosen += [
                    pk
                    for _code, pk, path in places
                    if (path or "").startswith(prefix) and pk not in chosen
                ]
                if len(chosen) >= count:
                    break
        chosen = chosen[:count]
    loaded = shops.in_bulk(chosen, field_name="station_id")
    return [(loaded[pk], distances.get(pk)) for pk in chosen if pk in loaded]


def shelf(station: Station, worker: Any = None, at: dt.datetime | None = None) -> list[ShelfLine]:
    """What a worker can order at a station now: items in stock and orderable."""
    return shelves([station], worker, at)[station.pk]


def shelves(
    stations: list[Station], worker: Any = None, at: dt.datetime | None = None
) -> dict[int, list[ShelfLine]]:
    """``shelf`` of each station, by station id, in two queries however many stations and
    items: the stocks, and for a worker how many of each monthly-limited item they ordered."""
    at = at or timezone.now()
    found: dict[int, list[ShelfLine]] = {station.pk: [] for station in stations}
    if not found:
        return found
    stocks = (
        Stock.objects.filter(station__in=list(found), on_shelf__gt=0, item__retired=False)
        .select_related("item")
        .order_by("item__category", "item__points_price", "item__name")
    )
    for s in stocks:
        if is_orderable(s.item, at):
            found[s.station_id].append(ShelfLine(s, s.item, s.on_shelf))
    limited = [
        line for lines in found.values() for line in lines if line.item.monthly_limit is not None
    ]
    if limited and getattr(worker, "is_authenticated", False):
        counts = month_counts(worker, {line.item.pk for line in limited}, at)
        for line in limited:
            line.ordered_this_month = counts.get(line.item.pk, 0)
    return found


def month_counts(worker: Any, item_ids: set[int], at: dt.datetime) -> dict[int, int]:
    """``services.orders.month_count`` for many items in one query: item id -> orders."""
    rows = (
        Order.objects.filter(
            worker=worker,
            item_id__in=item_ids,
            created_at__gte=start_of_local_month(timezone.localtime(at).date()),
            status__in=[OrderStatus.PENDING, OrderStatus.PICKED_UP],
        )
        .order_by()
        .values("item_id")
        .annotate(n=Count("pk"))
    )
    return {row["item_id"]: row["n"] for row in rows}


def shop_cards(
    worker: Any, *, lon: float | None = None, lat: float | None = None
) -> list[ShopCard]:
    region = getattr(worker, "region", None)
    near = shops_near(lon=lon, lat=lat, region=region)
    lines = shelves([shop.station for shop, _distance in near], worker)
    return [
        ShopCard(shop, shop.station, distance, lines[shop.station_id]) for shop, distance in near
    ]


def shelf_line(station: Station, item_id: int, worker: Any = None) -> ShelfLine:
    """One item of a station's shelf, as the shop lists it; an item the station does not offer
    now (none on the shelf, retired, outside its window) answers store.item_unavailable (404)."""
    for line in shelf(station, worker):
        if line.item.pk == item_id:
            return line
    raise not_found("store.item_unavailable", _("该兑换点暂时没有这件商品。"))


def shop_get(station_id: int) -> Shop:
    shop = Shop.objects.select_related("station__region").filter(station_id=station_id).first()
    if shop is None:
        raise not_found("store.no_shop", _("该驿站没有开设积分兑换点。"))
    return shop


def open_shop_get(station_id: int) -> Shop:
    """An open shop at a station in service; any other answers like a station without one."""
    shop = open_shops().filter(station_id=station_id).first()
    if shop is None:
        raise not_found("store.no_shop", _("该驿站没有开设积分兑换点。"))
    return shop


def station_get(station_id: int) -> Station:
    """Any station (a worker orders at any shop; staff services check who manages it)."""
    qs = Station.objects.select_related("region")
    return get_in_scope_or_404(qs, station_missing(), pk=station_id)


def station_managed(user: Any, station_id: int) -> Station:
    """A station the user keeps or governs; any other answers like a missing one."""
    qs = stations_managed_by(user).select_related("region")
    return get_in_scope_or_404(qs, station_missing(), pk=station_id)


def items_active(at: dt.datetime | None = None) -> list[Item]:
    at = at or timezone.now()
    return [item for item in Item.objects.filter(retired=False) if is_orderable(item, at)]


def orders_of(worker: Any) -> QuerySet[Order]:
    return Order.objects.filter(worker=worker).select_related("item", "station")


def _one_order(orders: QuerySet[Order], public_id: uuid.UUID | str) -> Order:
    """The order of ``orders`` with this public id; a malformed id is "not found" too."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        key = None
    order = orders.filter(public_id=key).first() if key else None
    if order is None:
        raise order_missing()
    return order


def order_of_worker(worker: Any, public_id: uuid.UUID | str) -> Order:
    """One of the worker's own orders (another person's is "not found")."""
    return _one_order(orders_of(worker), public_id)


def shops_managed_by(user: Any) -> QuerySet[Shop]:
    """The shops of the stations a user keeps or governs."""
    return (
        Shop.objects.filter(station__in=stations_managed_by(user))
        .select_related("station__region")
        .order_by("station__code")
    )


def stocks_managed_by(user: Any) -> QuerySet[Stock]:
    return (
        Stock.objects.filter(station__in=stations_managed_by(user))
        .select_related("station", "item")
        .order_by("station__code", "item__category", "item__name")
    )


def orders_managed_by(user: Any) -> QuerySet[Order]:
    return Order.objects.filter(station__in=stations_managed_by(user)).select_related(
        "station", "item", "worker"
    )


def order_managed(user: Any, public_id: uuid.UUID | str) -> Order:
    return _one_order(orders_managed_by(user), public_id)


@dataclass(frozen=True)
class ReportRow:
    county: str
    street: str
    station_code: str
    station: str
    item: str
    category: str
    count: int
    points: int


def parse_month(text: str) -> tuple[int, int]:
    """``"2026-11"`` -> (2026, 11); raises store.bad_month."""
    try:
        first = dt.date.fromisoformat(f"{text}-01")
    except ValueError as exc:
        raise ApplicationError("store.bad_month", _("月份格式应为 YYYY-MM。")) from exc
    if not date_in_range(first):
        raise ApplicationError("store.bad_month", _("月份超出范围。"))
    return first.year, first.month


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    first = dt.date(year, month, 1)
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start_of_local_day(first), start_of_local_day(following)


def monthly_report(user: Any, year: int, month: int) -> list[ReportRow]:
    """Redemptions handed out in a month, per station and item, in the user's stations."""
    start, end = month_bounds(year, month)
    rows = (
        orders_managed_by(user)
        .filter(status=OrderStatus.PICKED_UP, resolved_at__gte=start, resolved_at__lt=end)
        .values("station_id", "item_id")
        .annotate(count=Count("pk"), points=Sum("points"))
    )
    stations = Station.objects.select_related("region").in_bulk({row["station_id"] for row in rows})
    items = Item.objects.in_bulk({row["item_id"] for row in rows})
    codes = {code for s in stations.values() for code in s.region.path.strip("/").split("/")}
    names = {
        (region.code, region.level): region.name
        for region in Region.objects.filter(code__in=codes, level__in=["county", "street"])
    }
    out = []
    for row in rows:
        station, item = stations[row["station_id"]], items[row["item_id"]]
        path = station.region.path.strip("/").split("/")
        out.append(
            ReportRow(
                county=next((names[c, "county"] for c in path if (c, "county") in names), ""),
                street=next((names[c, "street"] for c in path if (c, "street") in names), ""),
                station_code=station.code,
                station=station.name,
                item=item.name,
                category=str(item.get_category_display()),
                count=row["count"],
                points=row["points"] or 0,
            )
        )
    return sorted(out, key=lambda r: (r.station_code, r.category, r.item))


def items_all() -> QuerySet[Item]:
    return Item.objects.all()


def figures_by_region(*, within: str = "") -> dict[int, dict[str, int]]:
    """Goods handed out and the points they took, per region of the station (one query)."""
    rows = (
        Order.objects.filter(status=OrderStatus.PICKED_UP, station__region__path__startswith=within)
        .values_list("station__region_id")
        .annotate(n=Count("pk"), points=Sum("points"))
        .order_by()
    )
    return {
        region_id: {"redemptions": n, "points_redeemed": points or 0}
        for region_id, n, points in rows
    }


def redeemed_by_month(*, within: str, since: dt.datetime) -> dict[int, Tally]:
    """Points of the goods handed out per month of the pickup, by the station's region:
    ``{region_id: {"redeemed": {month: points}}}`` (one query)."""
    rows = (
        Order.objects.filter(
            status=OrderStatus.PICKED_UP,
            station__region__path__startswith=within,
            resolved_at__gte=since,
        )
        .annotate(month=TruncMonth("resolved_at"))
        .values_list("station__region_id", "month")
        .annotate(points=Sum("points"))
        .order_by()
    )
    return tally_rows(rows, ("redeemed",), x=month_key)
