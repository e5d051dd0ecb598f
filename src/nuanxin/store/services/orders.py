"""Orders: a worker redeems one unit of an item at a station.

Placing an order holds the item's points in the ledger and reserves one unit of the station's
stock in one transaction; the order then resolves exactly once: picked up (the hold is posted to
the shop, the unit leaves the shelf, see ``pickup``), cancelled or expired (the hold is voided,
the unit goes back on the shelf).

Locks are taken in one order everywhere: the worker's points account, then the stock row (new
orders); the order row, then the ledger's accounts, then the stock row (resolutions). So two
orders for the last unit queue on the stock row, two orders by one worker on their account, and
no two services wait for each other in a circle.
"""

import datetime as dt
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, conflict, forbidden
from nuanxin.core.notifications import notification_send
from nuanxin.core.texts import text
from nuanxin.core.timeutil import start_of_local_day, start_of_local_month
from nuanxin.points import services as points
from nuanxin.points.models import HoldStatus
from nuanxin.points.reasons import STORE_REDEMPTION
from nuanxin.stations.models import Station, StationStatus
from nuanxin.stations.permissions import can_manage
from nuanxin.store.models import Item, MovementKind, Order, OrderStatus, Shop
from nuanxin.store.services._common import (
    ORDER_AUDIT_FIELDS,
    clean_note,
    lock_order,
    lock_stock,
    now,
    order_missing,
    require_person,
    shop_of,
)
from nuanxin.store.services.stock import move

# The ledger's own deadline for an order's hold: later than the order's, so the store's expiry
# (which also puts the unit back on the shelf) runs first; the ledger's sweep is the safety net.
HOLD_GRACE = dt.timedelta(days=1)
MAX_REQUEST_ID = 64
MY_ORDERS_URL = "/store/orders/"


def transfer_id(order_public_id: uuid.UUID, step: str) -> str:
    return f"store:{order_public_id.hex}:{step}"


def is_orderable(item: Item, at: dt.datetime) -> bool:
    """Whether the item may be ordered at ``at``: not retired and inside its active window."""
    if item.retired:
        return False
    if item.active_from is not None and at < item.active_from:
        return False
    return item.active_until is None or at < item.active_until


def pickup_deadline(shop: Shop, at: dt.datetime) -> dt.datetime:
    """Until when an order placed at ``at`` may be picked up: the shop's pickup period, or with a
    monthly redemption day, the end of the next such day (today's, if today is one)."""
    if shop.redemption_day is None:
        return at + dt.timedelta(hours=shop.pickup_hours)
    today = timezone.localtime(at).date()
    day = today.replace(day=shop.redemption_day)
    if day < today:
        day = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=shop.redemption_day)
    return start_of_local_day(day + dt.timedelta(days=1))


def month_count(worker: Any, item: Item, at: dt.datetime) -> int:
    """How many of ``item`` the worker has ordered this month (waiting or picked up)."""
    return Order.objects.filter(
        worker=worker,
        item=item,
        created_at__gte=start_of_local_month(timezone.localtime(at).date()),
        status__in=[OrderStatus.PENDING, OrderStatus.PICKED_UP],
    ).count()


def _clean_request_id(request_id: str | None) -> str:
    value = (request_id or "").strip()
    if len(value) > MAX_REQUEST_ID:
        raise ApplicationError("store.bad_request_id", _("请求编号不能超过 64 个字符。"))
    return value


def _replayed(worker: Any, request_id: str, station: Station, item: Item) -> Order | None:
    if not request_id:
        return None
    first = Order.objects.filter(worker=worker, request_id=request_id).first()
    if first is None:
        return None
    if first.station_id != station.pk or first.item_id != item.pk:
        raise ApplicationError(
            "store.request_reused", _("该请求编号已用于另一笔兑换。"), status=422
        )
    return first


def _check_open(station: Station, shop: Shop) -> None:
    if not shop.is_open or station.status != StationStatus.OPEN:
        raise conflict("store.shop_closed", _("该兑换点暂停兑换。"), station=station.pk)


def _insert(order: Order) -> Order:
    """Save a new order with a fresh random pickup code that no waiting order at the station has."""
    for _attempt in range(10):
        order.pickup_code = f"{secrets.randbelow(1_000_000):06d}"
        try:
            with transaction.atomic():
                order.save()
            return order
        except IntegrityError:
            continue
    raise conflict("store.busy", _("兑换点繁忙，请稍后再试。"))  # pragma: no cover


@transaction.atomic
def order_create(
    *, worker: Any, station: Station, item: Item, request_id: str | None = None
) -> Order:
    """Redeem one unit of ``item`` at ``station``: hold the points, reserve the unit, issue a
    pickup code. A retry with the same ``request_id`` returns the first order.

    Raises store.workers_only, store.no_shop, store.shop_closed, store.item_unavailable,
    store.not_stocked, store.sold_out, store.monthly_limit, store.insufficient_points,
    store.request_reused.
    """
    require_person(worker)
    if not worker.is_worker:
        raise forbidden("store.workers_only", _("积分兑换仅限劳动者，工作人员账号不能下单。"))
    request_id = _clean_request_id(request_id)
    account = points.lock_worker_account(worker)
    first = _replayed(worker, request_id, station, item)
    if first is not None:
        return first
    station = Station.objects.select_related("region").get(pk=station.pk)
    shop = shop_of(station)
    _check_open(station, shop)
    item = Item.objects.get(pk=item.pk)
    at = now()
    if not is_orderable(item, at):
        raise conflict("store.item_unavailable", _("该商品当前不可兑换。"), item=item.pk)
    if item.monthly_limit is not None and month_count(worker, item, at) >= item.monthly_limit:
        raise conflict(
            "store.monthly_limit",
            _("该商品每人每月限兑 %(n)d 件，本月已达上限。") % {"n": item.monthly_limit},
            limit=item.monthly_limit,
        )
    if account.available < item.points_price:
        raise conflict(
            "store.insufficient_points",
            _("积分不足：需要 %(price)d 分，可用 %(available)d 分。")
            % {"price": item.points_price, "available": account.available},
            price=item.points_price,
            available=account.available,
        )
    stock = lock_stock(station.pk, item.pk)
    if stock is None:
        raise ApplicationError(
            "store.not_stocked", _("该兑换点没有这件商品。"), extra={"item": item.pk}, status=404
        )
    if stock.on_shelf < 1:
        raise conflict("store.sold_out", _("该商品在本兑换点已兑完。"), item=item.pk)
    public_id = uuid.uuid4()
    deadline = pickup_deadline(shop, at)
    held = points.hold(
        transfer_id=transfer_id(public_id, "hold"),
        debit=account,
        credit=points.shop_sink(),
        amount=item.points_price,
        reason=STORE_REDEMPTION,
        reference=f"store.order:{public_id.hex}",
        actor=worker,
        expires_at=deadline + HOLD_GRACE,
    )
    order = _insert(
        Order(
            public_id=public_id,
            worker=worker,
            station=station,
            item=item,
            points=item.points_price,
            hold=held,
            request_id=request_id,
            expires_at=deadline,
            created_at=at,
        )
    )
    move(stock, MovementKind.RESERVE, 1, at=at, order=order, actor=worker)
    audit_record(
        actor=worker,
        action="store.order_create",
        obj=order,
        after={"item": item.pk, "station": station.pk, "points": order.points, "status": "pending"},
        region_path=station.region.path,
    )
    notification_send(
        user=worker,
        kind="store.ready",
        title=text(gettext_noop("可以取货了：%(item)s"), item=item.name),
        body=text(
            gettext_noop("请在 %(deadline)s 前到%(station)s出示取货码 %(code)s 领取。"),
            deadline=f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}",
            station=station.name,
            code=order.pickup_code,
        ),
        url=MY_ORDERS_URL,
    )
    return order


def release(order: Order, status: str, *, actor: Any, note: str, at: dt.datetime) -> None:
    """Resolve a locked, waiting order without a pickup: void its hold (unless the ledger's sweep
    already released it), put the unit back on the shelf, record and tell the worker."""
    before = snapshot(order, ORDER_AUDIT_FIELDS)
    try:
        points.void_hold(
            transfer_id=transfer_id(order.public_id, "void"),
            hold=order.hold,
            actor=actor,
            reason=note,
        )
    except ApplicationError as error:
        order.hold.refresh_from_db()
        if error.code != "points.hold_not_pending" or order.hold.status == HoldStatus.POSTED:
            raise
    stock = lock_stock(order.station_id, order.item_id)
    assert stock is not None  # an order's stock row exists: the order reserved from it
    move(stock, MovementKind.RELEASE, 1, at=at, order=order, actor=actor, note=note)
    order.status = status
    order.resolved_at = at
    order.resolved_by = actor if getattr(actor, "pk", None) else None
    order.note = note
    order.save(update_fields=["status", "resolved_at", "resolved_by", "note"])
    audit_record(
        actor=actor,
        action=f"store.order_{status}",
        obj=order,
        before=before,
        after=snapshot(order, ORDER_AUDIT_FIELDS),
        note=note,
        region_path=order.station.region.path,
    )


@transaction.atomic
def order_cancel(*, actor: Any, order: Order, reason: str = "") -> Order:
    """Cancel a waiting order: the worker at any time, station staff with a reason (e.g. the
    item turned out damaged). The points are released and the unit goes back on the shelf.
    Cancelling an order that is already cancelled changes nothing.

    Raises store.order_not_found (also for someone else's order: whose it is comes before its
    state), store.reason_required, store.order_not_pending.
    """
    require_person(actor)
    order = lock_order(order.pk)
    by_worker = actor.pk == order.worker_id
    if not by_worker and not can_manage(actor, order.station):
        raise order_missing()
    note = clean_note(reason, required=not by_worker)
    if order.status == OrderStatus.CANCELLED:
        return order
    if order.status != OrderStatus.PENDING:
        raise conflict(
            "store.order_not_pending",
            _("该订单已%(status)s，不能取消。") % {"status": order.get_status_display()},
            status=order.status,
        )
    release(order, OrderStatus.CANCELLED, actor=actor, note=note, at=now())
    if not by_worker:
        notification_send(
            user=order.worker,
            kind="store.cancelled",
            title=text(gettext_noop("兑换已取消：%(item)s"), item=order.item.name),
            body=text(
                gettext_noop("%(station)s取消了您的兑换，积分已退回。原因：%(reason)s"),
                station=order.station.name,
                reason=note,
            ),
            url=MY_ORDERS_URL,
        )
    return order


def reminder_window() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "STORE_EXPIRY_REMINDER_HOURS", 24)))


def orders_remind_expiring(*, at: dt.datetime | None = None) -> int:
    """Remind the workers whose waiting orders expire within ``STORE_EXPIRY_REMINDER_HOURS``,
    once per order; an order made with less time than that left was told its deadline when it
    was made. Returns how many were reminded."""
    at = at or now()
    window = reminder_window()
    due = Order.objects.filter(
        status=OrderStatus.PENDING,
        expiry_reminded_at__isnull=True,
        expires_at__gt=at,
        expires_at__lte=at + window,
        created_at__lte=F("expires_at") - window,
    ).order_by("pk")
    count = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            order = lock_order(pk)
            if order.status != OrderStatus.PENDING or order.expiry_reminded_at is not None:
                continue
            order.expiry_reminded_at = at
            order.save(update_fields=["expiry_reminded_at"])
            notification_send(
                user=order.worker,
                kind="store.expiring",
                title=text(gettext_noop("兑换即将过期：%(item)s"), item=order.item.name),
                body=text(
                    gettext_noop("请在 %(deadline)s 前到%(station)s领取，过期积分将退回。"),
                    deadline=f"{timezone.localtime(order.expires_at):%Y-%m-%d %H:%M}",
                    station=order.station.name,
                ),
                url=MY_ORDERS_URL,
            )
            count += 1
    return count


def orders_expire(*, at: dt.datetime | None = None) -> int:
    """Expire waiting orders past their pickup deadline; returns how many. Each order is its own
    short transaction."""
    at = at or now()
    due = Order.objects.filter(status=OrderStatus.PENDING, expires_at__lte=at).order_by("pk")
    count = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            order = lock_order(pk)
            if order.status != OrderStatus.PENDING or order.expires_at > at:
                continue
            release(order, OrderStatus.EXPIRED, actor=None, note="", at=at)
            notification_send(
                user=order.worker,
                kind="store.expired",
                title=text(gettext_noop("兑换已过期：%(item)s"), item=order.item.name),
                body=text(
                    gettext_noop("未在取货截止前到%(station)s领取，积分已退回。"),
                    station=order.station.name,
                ),
                url=MY_ORDERS_URL,
            )
            count += 1
    return count
