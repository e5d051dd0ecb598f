"""The catalogue (items, kept by the city) and the shops at stations (opened by region staff)."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.core.files import delete_after_commit, removed_unless_committed
from nuanxin.core.images import ImageSource, image_clean
from nuanxin.stations.models import Station
from nuanxin.stations.permissions import require_governor, require_manager
from nuanxin.store.models import Item, ItemCategory, Shop
from nuanxin.store.services._common import (
    ITEM_AUDIT_FIELDS,
    SHOP_AUDIT_FIELDS,
    int_in,
    require_catalogue_manager,
)

ITEM_FIELDS = set(ITEM_AUDIT_FIELDS)
SHOP_FIELDS = set(SHOP_AUDIT_FIELDS)
MAX_PRICE = 1_000_000
MAX_PICKUP_HOURS = 24 * 30
PICTURE_PURPOSE = "store_picture"


def clean_item(item: Item) -> None:
    """Check and tidy an item's fields (raises store.bad_*); the services and the admin form
    use it."""
    item.name = (item.name or "").strip()
    if not item.name or len(item.name) > 60:
        raise ApplicationError("store.bad_name", _("商品名称必须是 1 到 60 个字。"))
    if item.category not in ItemCategory.values:
        raise ApplicationError(
            "store.bad_category", _("商品类别无效。"), extra={"category": item.category}
        )
    price = item.points_price
    if not int_in(price, 1, MAX_PRICE):
        raise ApplicationError(
            "store.bad_price", _("所需积分必须是 1 到 1000000 之间的整数。"), extra={"price": price}
        )
    limit = item.monthly_limit
    if limit is not None and not int_in(limit, 1, 10_000):
        raise ApplicationError("store.bad_limit", _("每月限兑数量必须是正整数，或留空不限。"))
    for moment in (item.active_from, item.active_until):
        if moment is not None and (not isinstance(moment, dt.datetime) or moment.tzinfo is None):
            raise ApplicationError("store.bad_window", _("上架和下架时间必须带时区。"))
    if item.active_from and item.active_until and item.active_until <= item.active_from:
        raise ApplicationError("store.bad_window", _("下架时间必须晚于上架时间。"))
    item.description = (item.description or "").strip()


def _save_item(item: Item) -> None:
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        raise conflict("store.duplicate_item", _("已有同名商品。"), name=item.name) from exc


@transaction.atomic
def item_create(
    *,
    actor: Any,
    name: str,
    category: str,
    points_price: int,
    description: str = "",
    monthly_limit: int | None = None,
    active_from: dt.datetime | None = None,
    active_until: dt.datetime | None = None,
) -> Item:
    """Add an item to the city's catalogue. Raises store.forbidden, store.bad_*,
    store.duplicate_item."""
    require_catalogue_manager(actor)
    item = Item(
        name=name,
        category=category,
        points_price=points_price,
        description=description,
        monthly_limit=monthly_limit,
        active_from=active_from,
        active_until=active_until,
    )
    clean_item(item)
    _save_item(item)
    audit_record(
        actor=actor, action="store.item_create", obj=item, after=snapshot(item, ITEM_AUDIT_FIELDS)
    )
    return item


@transaction.atomic
def item_update(*, actor: Any, item: Item, **changes: Any) -> Item:
    """Change an item's fields (``retired=True`` takes it out of every shop). A new price applies
    to new orders; waiting orders keep the points they hold."""
    require_catalogue_manager(actor)
    unknown = set(changes) - ITEM_FIELDS
    if unknown:
        raise ApplicationError(
            "store.bad_field", _("不能修改这些字段。"), extra={"fields": sorted(unknown)}
        )
    item = Item.objects.select_for_update().get(pk=item.pk)
    before = snapshot(item, ITEM_AUDIT_FIELDS)
    for name, value in changes.items():
        setattr(item, name, value)
    clean_item(item)
    after = snapshot(item, ITEM_AUDIT_FIELDS)
    if after == before:
        return item
    _save_item(item)
    audit_record(actor=actor, action="store.item_update", obj=item, before=before, after=after)
    return item


def item_set_picture(*, actor: Any, item: Item, data: ImageSource) -> Item:
    """Replace the item's picture with a re-encoded copy of ``data`` (no metadata kept; WebP
    when the picture has transparent parts, else JPEG). Raises the ``images.*`` errors."""
    require_catalogue_manager(actor)
    cleaned = image_clean(data, purpose=PICTURE_PURPOSE)
    with removed_unless_committed() as files, transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        old = item.picture.name
        files.save_to(item.picture, cleaned.extension, cleaned.data)
        item.save(update_fields=["picture", "updated_at"])
        audit_record(
            actor=actor,
            action="store.item_picture",
            obj=item,
            before={"picture": old},
            after={"picture": item.picture.name},
        )
        delete_after_commit(item.picture.storage, old)
    return item


def _clean_shop(shop: Shop) -> None:
    hours = shop.pickup_hours
    if not int_in(hours, 1, MAX_PICKUP_HOURS):
        raise ApplicationError(
            "store.bad_pickup_hours", _("取货有效期必须是 1 到 720 小时。"), extra={"hours": hours}
        )
    day = shop.redemption_day
    if day is not None and not int_in(day, 1, 28):
        raise ApplicationError(
            "store.bad_redemption_day",
            _("每月兑换日必须是 1 到 28 日，或留空。"),
            extra={"day": day},
        )
    if not isinstance(shop.is_open, bool):
        raise ApplicationError("store.bad_field", _("开放状态必须是是或否。"))


@transaction.atomic
def shop_open(
    *, actor: Any, station: Station, pickup_hours: int = 72, redemption_day: int | None = None
) -> Shop:
    """Open the points-exchange shop of a station (region staff of its area).
    Opening it again reopens it with the given rules."""
    station = Station.objects.select_for_update().select_related("region").get(pk=station.pk)
    if actor is not None:
        require_governor(actor, station)
    shop = Shop.objects.select_for_update().filter(station=station).first()
    if shop is not None:
        return shop_update(
            actor=actor,
            station=station,
            is_open=True,
            pickup_hours=pickup_hours,
            redemption_day=redemption_day,
        )
    shop = Shop(station=station, pickup_hours=pickup_hours, redemption_day=redemption_day)
    _clean_shop(shop)
    shop.save()
    audit_record(
        actor=actor,
        action="store.shop_open",
        obj=shop,
        after=snapshot(shop, SHOP_AUDIT_FIELDS),
        region_path=station.region.path,
    )
    return shop


@transaction.atomic
def shop_update(*, actor: Any, station: Station, **changes: Any) -> Shop:
    """Pause or reopen a shop, change its pickup period or monthly redemption day (the station's
    keepers and region staff). Orders already placed keep their deadlines."""
    unknown = set(changes) - SHOP_FIELDS
    if unknown:
        raise ApplicationError(
            "store.bad_field", _("不能修改这些字段。"), extra={"fields": sorted(unknown)}
        )
    station = Station.objects.select_related("region").get(pk=station.pk)
    if actor is not None:
        require_manager(actor, station)
    shop = Shop.objects.select_for_update().filter(station=station).first()
    if shop is None:
        raise ApplicationError("store.no_shop", _("该驿站没有开设积分兑换点。"), status=404)
    before = snapshot(shop, SHOP_AUDIT_FIELDS)
    for name, value in changes.items():
        setattr(shop, name, value)
    _clean_shop(shop)
    after = snapshot(shop, SHOP_AUDIT_FIELDS)
    if after != before:
        shop.save()
        audit_record(
            actor=actor,
            action="store.shop_update",
            obj=shop,
            before=before,
            after=after,
            region_path=station.region.path,
        )
    return shop
