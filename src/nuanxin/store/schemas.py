import datetime as dt
import uuid

from ninja import Field, Schema

from nuanxin.core.masking import mask_phone
from nuanxin.core.schema import (
    DateTime,
    Id,
    IdParam,
    LatParam,
    LonParam,
    PointsAmount,
    Quantity,
    SignedHours,
)
from nuanxin.geo.coords import CoordSystem, from_wgs84
from nuanxin.store.models import Item, Order, Shop, Stock
from nuanxin.store.selectors import ReportRow, ShelfLine, ShopCard


class ItemOut(Schema):
    id: int
    name: str
    category: str
    category_label: str
    description: str
    points_price: int
    monthly_limit: int | None
    picture_url: str | None
    active_from: dt.datetime | None
    active_until: dt.datetime | None
    retired: bool

    @staticmethod
    def of(item: Item) -> "ItemOut":
        return ItemOut(
            id=item.pk,
            name=item.name,
            category=item.category,
            category_label=str(item.get_category_display()),
            description=item.description,
            points_price=item.points_price,
            monthly_limit=item.monthly_limit,
            picture_url=item.picture.url if item.picture else None,
            active_from=item.active_from,
            active_until=item.active_until,
            retired=item.retired,
        )


class ShelfOut(Schema):
    item: ItemOut
    on_shelf: int
    ordered_this_month: int
    limit_reached: bool

    @staticmethod
    def of(line: ShelfLine) -> "ShelfOut":
        return ShelfOut(
            item=ItemOut.of(line.item),
            on_shelf=line.on_shelf,
            ordered_this_month=line.ordered_this_month,
            limit_reached=line.limit_reached,
        )


class ShopOut(Schema):
    station_id: int
    station_name: str
    address: str
    lon: float
    lat: float
    coord_system: str
    distance_m: int | None
    is_open: bool
    pickup_hours: int
    redemption_day: int | None
    shelf: list[ShelfOut] = []

    @staticmethod
    def of(
        shop: Shop,
        *,
        distance_m: float | None = None,
        shelf: list[ShelfLine] | None = None,
        coord_system: CoordSystem = CoordSystem.WGS84,
    ) -> "ShopOut":
        station = shop.station
        lon, lat = from_wgs84(station.lon, station.lat, coord_system)
        return ShopOut(
            station_id=station.pk,
            station_name=station.name,
            address=station.address,
            lon=round(lon, 6),
            lat=round(lat, 6),
            coord_system=coord_system,
            distance_m=round(distance_m) if distance_m is not None else None,
            is_open=shop.is_open,
            pickup_hours=shop.pickup_hours,
            redemption_day=shop.redemption_day,
            shelf=[ShelfOut.of(line) for line in shelf or []],
        )

    @staticmethod
    def of_card(card: ShopCard, coord_system: CoordSystem) -> "ShopOut":
        return ShopOut.of(
            card.shop, distance_m=card.distance_m, shelf=card.lines, coord_system=coord_system
        )


class ShopsQuery(Schema):
    lon: LonParam | None = None
    lat: LatParam | None = None
    coord_system: CoordSystem = CoordSystem.WGS84


class OrderIn(Schema):
    station_id: Id
    item_id: Id
    request_id: str = Field("", max_length=64)


class CancelIn(Schema):
    reason: str = Field("", max_length=200)


class OrderOut(Schema):
    id: uuid.UUID
    number: str
    status: str
    status_label: str
    item_id: int
    item_name: str
    station_id: int
    station_name: str
    points: int
    pickup_code: str | None
    created_at: dt.datetime
    expires_at: dt.datetime
    resolved_at: dt.datetime | None
    note: str

    @staticmethod
    def of(order: Order, *, show_code: bool = True) -> "OrderOut":
        return OrderOut(
            id=order.public_id,
            number=order.number,
            status=order.status,
            status_label=str(order.get_status_display()),
            item_id=order.item_id,
            item_name=order.item.name,
            station_id=order.station_id,
            station_name=order.station.name,
            points=order.points,
            pickup_code=order.pickup_code if show_code and order.status == "pending" else None,
            created_at=order.created_at,
            expires_at=order.expires_at,
            resolved_at=order.resolved_at,
            note=order.note,
        )


class PickupIn(Schema):
    station_id: Id
    code: str = Field(..., max_length=20)


class ConfirmIn(PickupIn):
    order_id: uuid.UUID | None = None


class PickupOut(Schema):
    """What the keeper sees to check the person: the order and who placed it (phone masked)."""

    order: OrderOut
    worker_name: str
    worker_phone: str

    @staticmethod
    def of(order: Order) -> "PickupOut":
        return PickupOut(
            order=OrderOut.of(order, show_code=False),
            worker_name=order.worker.name,
            worker_phone=mask_phone(order.worker.phone),
        )


class ShopIn(Schema):
    station_id: Id
    pickup_hours: SignedHours = 72
    redemption_day: Quantity | None = None


class ShopPatch(Schema):
    is_open: bool | None = None
    pickup_hours: SignedHours | None = None
    redemption_day: Quantity | None = None
    clear_redemption_day: bool = False


class StockIn(Schema):
    station_id: Id
    item_id: Id
    quantity: Quantity
    note: str = Field("", max_length=200)


class RemoveIn(Schema):
    station_id: Id
    item_id: Id
    quantity: Quantity
    reason: str = Field(..., max_length=200)


class StockOut(Schema):
    station_id: int
    station_name: str
    item_id: int
    item_name: str
    on_shelf: int
    reserved: int
    handed_out: int
    removed: int
    restocked: int

    @staticmethod
    def of(stock: Stock) -> "StockOut":
        return StockOut(
            station_id=stock.station_id,
            station_name=stock.station.name,
            item_id=stock.item_id,
            item_name=stock.item.name,
            on_shelf=stock.on_shelf,
            reserved=stock.reserved,
            handed_out=stock.handed_out,
            removed=stock.removed,
            restocked=stock.restocked,
        )


class ItemIn(Schema):
    name: str = Field(..., max_length=60)
    category: str
    points_price: PointsAmount
    description: str = ""
    monthly_limit: Quantity | None = None
    active_from: DateTime | None = None
    active_until: DateTime | None = None


class ItemPatch(Schema):
    name: str | None = Field(None, max_length=60)
    category: str | None = None
    points_price: PointsAmount | None = None
    description: str | None = None
    monthly_limit: Quantity | None = None
    active_from: DateTime | None = None
    active_until: DateTime | None = None
    retired: bool | None = None


class ReportRowOut(Schema):
    county: str
    street: str
    station_code: str
    station: str
    item: str
    category: str
    count: int
    points: int

    @staticmethod
    def of(row: ReportRow) -> "ReportRowOut":
        return ReportRowOut(**row.__dict__)


class MonthQuery(Schema):
    month: str = Field(..., pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")


class StaffOrdersQuery(Schema):
    station_id: IdParam | None = None
    status: str | None = None
