"""The store's write path.

Catalogue: ``item_create``, ``item_update``, ``item_set_picture``. Shops: ``shop_open``,
``shop_update``. Stock: ``stock_restock``, ``stock_remove``. Orders: ``order_create``,
``order_cancel``, ``orders_expire``, ``orders_remind_expiring``. Pickup: ``pickup_find``,
``pickup_confirm``.
"""

from nuanxin.store.services.catalogue import (
    item_create,
    item_set_picture,
    item_update,
    shop_open,
    shop_update,
)
from nuanxin.store.services.orders import (
    order_cancel,
    order_create,
    orders_expire,
    orders_remind_expiring,
)
from nuanxin.store.services.pickup import pickup_confirm, pickup_find
from nuanxin.store.services.stock import stock_remove, stock_restock

__all__ = [
    "item_create",
    "item_set_picture",
    "item_update",
    "order_cancel",
    "order_create",
    "orders_expire",
    "orders_remind_expiring",
    "pickup_confirm",
    "pickup_find",
    "shop_open",
    "shop_update",
    "stock_remove",
    "stock_restock",
]
