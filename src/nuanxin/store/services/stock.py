"""Stock: every change is a movement row written with the stock's numbers, under its row lock.

Restocking and writing off are people's decisions (audited); reserving, releasing and handing
out follow orders and are recorded as movements linked to the order.
"""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.stations.models import Station
from nuanxin.stations.permissions import require_manager
from nuanxin.store.models import Item, Movement, MovementKind, Order, Stock
from nuanxin.store.services._common import (
    clean_note,
    clean_quantity,
    lock_stock,
    now,
    shop_of,
)

# How each kind of movement changes the stock's numbers.
EFFECTS: dict[str, dict[str, int]] = {
    MovementKind.RESTOCK: {"restocked": 1, "on_shelf": 1},
    MovementKind.REMOVE: {"removed": 1, "on_shelf": -1},
    MovementKind.RESERVE: {"on_shelf": -1, "reserved": 1},
    MovementKind.RELEASE: {"reserved": -1, "on_shelf": 1},
    MovementKind.HAND_OUT: {"reserved": -1, "handed_out": 1},
}


def move(
    stock: Stock,
    kind: str,
    quantity: int,
    *,
    at: dt.datetime,
    order: Order | None = None,
    actor: Any = None,
    note: str = "",
) -> Movement:
    """Apply one movement to a stock row the caller has locked."""
    changes = {name: F(name) + sign * quantity for name, sign in EFFECTS[kind].items()}
    Stock.objects.filter(pk=stock.pk).update(**changes)
    for name, sign in EFFECTS[kind].items():
        setattr(stock, name, getattr(stock, name) + sign * quantity)
    return Movement.objects.create(
        stock=stock,
        kind=kind,
        quantity=quantity,
        order=order,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
        created_at=at,
    )


def _lock_or_create(station: Station, item: Item) -> Stock:
    stock = lock_stock(station.pk, item.pk)
    if stock is not None:
        return stock
    try:
        with transaction.atomic():
            Stock.objects.create(station=station, item=item)
    except IntegrityError:
        pass  # created by a concurrent restock; lock theirs
    stock = lock_stock(station.pk, item.pk)
    assert stock is not None
    return stock


def _audit(actor: Any, action: str, stock: Stock, quantity: int, note: str) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=stock,
        after={"quantity": quantity, "on_shelf": stock.on_shelf, "restocked": stock.restocked},
        note=note,
        region_path=stock.station.region.path,
    )


@transaction.atomic
def stock_restock(
    *, actor: Any, station: Station, item: Item, quantity: int, note: str = ""
) -> Stock:
    """Put ``quantity`` units of ``item`` on the station's shelf (its keepers and region staff).

    Raises store.no_shop, store.item_retired, store.bad_quantity, stations.not_found (also for
    a station the actor does not manage).
    """
    station = Station.objects.select_related("region").get(pk=station.pk)
    if actor is not None:
        require_manager(actor, station)
    shop_of(station)
    quantity = clean_quantity(quantity)
    note = clean_note(note)
    if Item.objects.filter(pk=item.pk, retired=True).exists():
        raise conflict("store.item_retired", _("该商品已停兑，不能入库。"), item=item.pk)
    stock = _lock_or_create(station, item)
    stock.station = station
    move(stock, MovementKind.RESTOCK, quantity, at=now(), actor=actor, note=note)
    _audit(actor, "store.stock_restock", stock, quantity, note)
    return stock


@transaction.atomic
def stock_remove(*, actor: Any, station: Station, item: Item, quantity: int, reason: str) -> Stock:
    """Write off ``quantity`` units from the shelf (damaged, out of date, counted short), with a
    reason. Units reserved by orders cannot be written off; cancel the orders first.

    Raises store.reason_required, store.bad_quantity, store.not_stocked,
    store.remove_exceeds_shelf.
    """
    station = Station.objects.select_related("region").get(pk=station.pk)
    if actor is not None:
        require_manager(actor, station)
    quantity = clean_quantity(quantity)
    note = clean_note(reason, required=True)
    stock = lock_stock(station.pk, item.pk)
    if stock is None:
        raise ApplicationError(
            "store.not_stocked", _("该驿站没有这件商品。"), extra={"item": item.pk}, status=404
        )
    if stock.on_shelf < quantity:
        raise conflict(
            "store.remove_exceeds_shelf",
            _("报损数量超过可兑数量（%(n)d）。") % {"n": stock.on_shelf},
            on_shelf=stock.on_shelf,
        )
    stock.station = station
    move(stock, MovementKind.REMOVE, quantity, at=now(), actor=actor, note=note)
    _audit(actor, "store.stock_remove", stock, quantity, note)
    return stock
