"""The store API at /api/v1/store/: the worker's shop and orders, and under /staff the
keepers' pickup, stock, shops, orders, the catalogue and the monthly report."""

import uuid

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from nuanxin.core.errors import ApplicationError
from nuanxin.core.schema import IdParam
from nuanxin.core.scoping import require_staff
from nuanxin.geo.coords import point_to_wgs84
from nuanxin.store import selectors, services
from nuanxin.store.export import report_response
from nuanxin.store.models import OrderStatus
from nuanxin.store.schemas import (
    CancelIn,
    ConfirmIn,
    ItemIn,
    ItemOut,
    ItemPatch,
    MonthQuery,
    OrderIn,
    OrderOut,
    PickupIn,
    PickupOut,
    RemoveIn,
    ReportRowOut,
    ShopIn,
    ShopOut,
    ShopPatch,
    ShopsQuery,
    StaffOrdersQuery,
    StockIn,
    StockOut,
)
from nuanxin.store.services._common import item_get, require_catalogue_manager

router = Router(tags=["积分兑换"])
staff = Router(tags=["积分兑换（工作人员）"])


@router.get("/shops", response=list[ShopOut], summary="附近的兑换点和可兑商品")
def shops(request: HttpRequest, query: Query[ShopsQuery]) -> list[ShopOut]:
    lon = lat = None
    if query.lon is not None and query.lat is not None:
        lon, lat = point_to_wgs84(query.lon, query.lat, query.coord_system)
    cards = selectors.shop_cards(request.auth, lon=lon, lat=lat)
    return [ShopOut.of_card(card, query.coord_system) for card in cards]


@router.get("/shops/{station_id}", response=ShopOut, summary="一个兑换点的可兑商品")
def shop(request: HttpRequest, station_id: IdParam) -> ShopOut:
    found = selectors.shop_get(station_id)
    return ShopOut.of(found, shelf=selectors.shelf(found.station, request.auth))


@router.get("/items", response=list[ItemOut], summary="当前可兑换的商品目录")
def items(request: HttpRequest) -> list[ItemOut]:
    return [ItemOut.of(item) for item in selectors.items_active()]


@router.post("/orders", response={201: OrderOut}, summary="下单兑换（冻结积分、预留库存）")
def order_create(request: HttpRequest, payload: OrderIn) -> Status:
    order = services.order_create(
        worker=request.auth,
        station=selectors.station_get(payload.station_id),
        item=item_get(payload.item_id),
        request_id=payload.request_id,
    )
    return Status(201, OrderOut.of(selectors.order_of_worker(request.auth, order.public_id)))


@router.get("/orders", response=list[OrderOut], summary="我的兑换订单")
def my_orders(request: HttpRequest) -> list[OrderOut]:
    return [OrderOut.of(order) for order in selectors.orders_of(request.auth)[:200]]


@router.get("/orders/{order_id}", response=OrderOut, summary="一笔兑换订单（含取货码）")
def my_order(request: HttpRequest, order_id: uuid.UUID) -> OrderOut:
    return OrderOut.of(selectors.order_of_worker(request.auth, order_id))


@router.post("/orders/{order_id}/cancel", response=OrderOut, summary="取消兑换，退回积分")
def my_order_cancel(request: HttpRequest, order_id: uuid.UUID, payload: CancelIn) -> OrderOut:
    order = selectors.order_of_worker(request.auth, order_id)
    services.order_cancel(actor=request.auth, order=order, reason=payload.reason)
    return OrderOut.of(selectors.order_of_worker(request.auth, order_id))


def _require_staff(request: HttpRequest) -> None:
    require_staff(request.auth)


@staff.post("/pickup/lookup", response=PickupOut, summary="按取货码查询订单")
def pickup_lookup(request: HttpRequest, payload: PickupIn) -> PickupOut:
    _require_staff(request)
    station = selectors.station_get(payload.station_id)
    return PickupOut.of(
        services.pickup_find(actor=request.auth, station=station, code=payload.code)
    )


@staff.post("/pickup/confirm", response=PickupOut, summary="核销：确认领取")
def pickup_confirm(request: HttpRequest, payload: ConfirmIn) -> PickupOut:
    _require_staff(request)
    station = selectors.station_get(payload.station_id)
    order = services.pickup_confirm(
        actor=request.auth, station=station, code=payload.code, order_id=payload.order_id
    )
    return PickupOut.of(selectors.order_managed(request.auth, order.public_id))


@staff.get("/orders", response=list[PickupOut], summary="本辖区兑换点的订单")
def staff_orders(request: HttpRequest, query: Query[StaffOrdersQuery]) -> list[PickupOut]:
    _require_staff(request)
    orders = selectors.orders_managed_by(request.auth)
    if query.station_id is not None:
        orders = orders.filter(station_id=query.station_id)
    if query.status is not None:
        if query.status not in OrderStatus.values:
            raise ApplicationError("store.bad_status", _("订单状态无效。"))
        orders = orders.filter(status=query.status)
    return [PickupOut.of(order) for order in orders[:500]]


@staff.post("/orders/{order_id}/cancel", response=PickupOut, summary="取消订单（需填原因）")
def staff_order_cancel(request: HttpRequest, order_id: uuid.UUID, payload: CancelIn) -> PickupOut:
    _require_staff(request)
    order = selectors.order_managed(request.auth, order_id)
    services.order_cancel(actor=request.auth, order=order, reason=payload.reason)
    return PickupOut.of(selectors.order_managed(request.auth, order_id))


@staff.get("/shops", response=list[ShopOut], summary="我管理的兑换点")
def staff_shops(request: HttpRequest) -> list[ShopOut]:
    _require_staff(request)
    return [ShopOut.of(found) for found in selectors.shops_managed_by(request.auth)]


@staff.post("/shops", response={201: ShopOut}, summary="开设兑换点")
def staff_shop_open(request: HttpRequest, payload: ShopIn) -> Status:
    station = selectors.station_get(payload.station_id)
    opened = services.shop_open(
        actor=request.auth,
        station=station,
        pickup_hours=payload.pickup_hours,
        redemption_day=payload.redemption_day,
    )
    return Status(201, ShopOut.of(selectors.shop_get(opened.station_id)))


@staff.patch("/shops/{station_id}", response=ShopOut, summary="修改兑换点（暂停、取货期、兑换日）")
def staff_shop_update(request: HttpRequest, station_id: IdParam, payload: ShopPatch) -> ShopOut:
    _require_staff(request)
    station = selectors.station_managed(request.auth, station_id)
    changes = payload.dict(exclude_none=True, exclude={"clear_redemption_day"})
    if payload.clear_redemption_day:
        changes["redemption_day"] = None
    services.shop_update(actor=request.auth, station=station, **changes)
    return ShopOut.of(selectors.shop_get(station_id))


@staff.get("/stock", response=list[StockOut], summary="我管理的兑换点库存")
def staff_stock(request: HttpRequest, station_id: IdParam | None = None) -> list[StockOut]:
    _require_staff(request)
    stocks = selectors.stocks_managed_by(request.auth)
    if station_id is not None:
        stocks = stocks.filter(station_id=station_id)
    return [StockOut.of(stock) for stock in stocks]


@staff.post("/stock/restock", response=StockOut, summary="入库")
def staff_restock(request: HttpRequest, payload: StockIn) -> StockOut:
    stock = services.stock_restock(
        actor=request.auth,
        station=selectors.station_get(payload.station_id),
        item=item_get(payload.item_id),
        quantity=payload.quantity,
        note=payload.note,
    )
    return StockOut.of(stock)


@staff.post("/stock/remove", response=StockOut, summary="报损出库（需填原因）")
def staff_remove(request: HttpRequest, payload: RemoveIn) -> StockOut:
    stock = services.stock_remove(
        actor=request.auth,
        station=selectors.station_get(payload.station_id),
        item=item_get(payload.item_id),
        quantity=payload.quantity,
        reason=payload.reason,
    )
    return StockOut.of(stock)


@staff.get("/items", response=list[ItemOut], summary="全部商品（含已停兑）")
def staff_items(request: HttpRequest) -> list[ItemOut]:
    _require_staff(request)
    return [ItemOut.of(item) for item in selectors.items_all()]


@staff.post("/items", response={201: ItemOut}, summary="新增商品（市级管理员）")
def staff_item_create(request: HttpRequest, payload: ItemIn) -> Status:
    item = services.item_create(actor=request.auth, **payload.dict())
    return Status(201, ItemOut.of(item))


@staff.patch("/items/{item_id}", response=ItemOut, summary="修改或停兑商品（市级管理员）")
def staff_item_update(request: HttpRequest, item_id: IdParam, payload: ItemPatch) -> ItemOut:
    require_catalogue_manager(request.auth)
    changes = payload.dict(exclude_unset=True)
    item = services.item_update(actor=request.auth, item=item_get(item_id), **changes)
    return ItemOut.of(item)


@staff.post("/items/{item_id}/picture", response=ItemOut, summary="上传商品图片（市级管理员）")
def staff_item_picture(
    request: HttpRequest, item_id: IdParam, picture: File[UploadedFile]
) -> ItemOut:
    require_catalogue_manager(request.auth)
    item = services.item_set_picture(actor=request.auth, item=item_get(item_id), data=picture)
    return ItemOut.of(item)


@staff.get("/report", response=list[ReportRowOut], summary="月度兑换统计（按兑换点和商品）")
def staff_report(request: HttpRequest, query: Query[MonthQuery]) -> list[ReportRowOut]:
    _require_staff(request)
    year, month = selectors.parse_month(query.month)
    return [ReportRowOut.of(row) for row in selectors.monthly_report(request.auth, year, month)]


@staff.get("/report.xlsx", summary="月度兑换统计导出 .xlsx")
def staff_report_xlsx(request: HttpRequest, query: Query[MonthQuery]) -> HttpResponse:
    _require_staff(request)
    year, month = selectors.parse_month(query.month)
    return report_response(selectors.monthly_report(request.auth, year, month), year, month)


router.add_router("/staff", staff)
