"""Helpers shared by the store's services: the clock, who may do what, row locks."""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.accounts.models import Role
from nuanxin.core.errors import ApplicationError, forbidden, not_found
from nuanxin.stations.models import Station
from nuanxin.store.models import Item, Order, Shop, Stock

ITEM_AUDIT_FIELDS = [
    "name",
    "category",
    "description",
    "points_price",
    "monthly_limit",
    "active_from",
    "active_until",
    "retired",
]
SHOP_AUDIT_FIELDS = ["is_open", "pickup_hours", "redemption_day"]
ORDER_AUDIT_FIELDS = ["status", "resolved_at", "note"]
MAX_NOTE = 200


def now() -> dt.datetime:
    # Read through django.utils.timezone each call so tests that move the clock move it here.
    return timezone.now()


def is_catalogue_manager(user: Any) -> bool:
    """The catalogue is the city's: city admins (and superusers) keep it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.role == Role.CITY_ADMIN


def require_catalogue_manager(actor: Any) -> None:
    if actor is not None and not is_catalogue_manager(actor):
        raise forbidden("store.forbidden", _("只有市级管理员可以维护兑换商品目录。"))


def require_person(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise forbidden("auth.unauthenticated", _("请先登录。"))


def clean_note(text: str | None, *, required: bool = False) -> str:
    note = (text or "").strip()
    if required and not note:
        raise ApplicationError("store.reason_required", _("请填写原因。"))
    if len(note) > MAX_NOTE:
        raise ApplicationError(
            "store.note_too_long", _("说明不能超过 %(n)d 个字。") % {"n": MAX_NOTE}
        )
    return note


def int_in(value: Any, low: int, high: int) -> bool:
    """Whether ``value`` is an int (not a bool) with ``low <= value <= high``."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def clean_quantity(quantity: Any) -> int:
    if not int_in(quantity, 1, 10_000):
        raise ApplicationError(
            "store.bad_quantity",
            _("数量必须是 1 到 10000 之间的整数。"),
            extra={"quantity": quantity},
        )
    return quantity


def shop_of(station: Station) -> Shop:
    shop = Shop.objects.filter(station_id=station.pk).first()
    if shop is None:
        raise not_found("store.no_shop", _("该驿站没有开设积分兑换点。"))
    return shop


def lock_stock(station_id: int, item_id: int) -> Stock | None:
    return (
        Stock.objects.select_for_update()
        .filter(station_id=station_id, item_id=item_id)
        .select_related("item")
        .first()
    )


def lock_order(order_pk: int) -> Order:
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("station__region", "item", "hold", "worker")
        .filter(pk=order_pk)
        .first()
    )
    if order is None:
        raise order_missing()
    return order


def order_missing() -> ApplicationError:
    """Any order the caller may not see answers like one that does not exist."""
    return not_found("store.order_not_found", _("兑换订单不存在。"))


def item_get(item_id: int) -> Item:
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise not_found("store.item_not_found", _("兑换商品不存在。"))
    return item
