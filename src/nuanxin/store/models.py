"""积分兑换超市: a city-wide catalogue, shops at stations, stock as movements, orders with holds.

Stock is counted in four stored numbers per station and item, changed only together with an
append-only movement row: ``on_shelf`` (free to order), ``reserved`` (ordered, waiting for
pickup), ``handed_out`` and ``removed`` (written off). Restocked = on shelf + reserved + handed
out + removed, always; ``nuanxin store check`` recomputes every number from the movements.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ItemCategory(models.TextChoices):
    GRAIN_OIL = "grain_oil", _("粮油副食")
    DAILY = "daily", _("日用百货")
    RAIN_GEAR = "rain_gear", _("雨具")
    SAFETY = "safety", _("安全防护")
    DIGITAL = "digital", _("数码配件")
    APPLIANCE = "appliance", _("小家电")
    OTHER = "other", _("其他")


# An item without a picture shows its category's symbol beside the category's name: a symbol of
# the whole category (grain, a shopping cart for household goods...), never a picture of one
# product that would mislead for the others (a lotion bottle for a towel).
CATEGORY_ICONS = {
    ItemCategory.GRAIN_OIL: "🌾",
    ItemCategory.DAILY: "🛒",
    ItemCategory.RAIN_GEAR: "☔",
    ItemCategory.SAFETY: "🦺",
    ItemCategory.DIGITAL: "📱",
    ItemCategory.APPLIANCE: "🔌",
    ItemCategory.OTHER: "🎁",
}


class Item(models.Model):
    """A good in the city's catalogue; each shop stocks some of them."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    category = models.CharField(_("类别"), max_length=16, choices=ItemCategory.choices)
    description = models.TextField(_("说明"), blank=True)
    picture = models.ImageField(_("图片"), upload_to="store/items/", blank=True)
    points_price = models.PositiveIntegerField(_("所需积分"))
    monthly_limit = models.PositiveSmallIntegerField(
        _("每人每月限兑"), null=True, blank=True, help_text=_("留空表示不限。")
    )
    active_from = models.DateTimeField(_("上架时间"), null=True, blank=True)
    active_until = models.DateTimeField(_("下架时间"), null=True, blank=True)
    retired = models.BooleanField(_("已停兑"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("兑换商品")
        verbose_name_plural = _("兑换商品")
        ordering = ["category", "points_price", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(points_price__gt=0), name="store_item_price_pos"),
            models.CheckConstraint(
                condition=Q(monthly_limit__isnull=True) | Q(monthly_limit__gt=0),
                name="store_item_limit_pos",
            ),
            models.CheckConstraint(
                condition=Q(active_from__isnull=True)
                | Q(active_until__isnull=True)
                | Q(active_until__gt=F("active_from")),
                name="store_item_window_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def icon(self) -> str:
        return CATEGORY_ICONS.get(self.category, "🎁")


class Shop(models.Model):
    """The points-exchange shop of a station: open or paused, its pickup rules."""

    station = models.OneToOneField(
        "stations.Station",
        verbose_name=_("服务阵地"),
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="shop",
    )
    is_open = models.BooleanField(_("开放兑换"), default=True)
    pickup_hours = models.PositiveSmallIntegerField(
        _("取货有效期（小时）"), default=72, help_text=_("下单后多久内凭取货码领取。")
    )
    redemption_day = models.PositiveSmallIntegerField(
        _("每月兑换日"),
        null=True,
        blank=True,
        help_text=_("设置后只在每月这一天发放商品（1–28 日），取货码有效到下一个兑换日结束。"),
    )
    created_at = models.DateTimeField(_("开设时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("兑换点")
        verbose_name_plural = _("兑换点")
        constraints = [
            models.CheckConstraint(
                condition=Q(redemption_day__isnull=True)
                | Q(redemption_day__gte=1, redemption_day__lte=28),
                name="store_shop_day_in_month",
            ),
            models.CheckConstraint(condition=Q(pickup_hours__gt=0), name="store_shop_hours_pos"),
        ]

    def __str__(self) -> str:
        return str(self.station)


class Stock(models.Model):
    """How many of an item a station has, split by where each unit is."""

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("服务阵地"), on_delete=models.PROTECT
    )
    item = models.ForeignKey(Item, verbose_name=_("商品"), on_delete=models.PROTECT)
    on_shelf = models.IntegerField(_("可兑数量"), default=0)
    reserved = models.IntegerField(_("待取数量"), default=0)
    handed_out = models.IntegerField(_("已兑出"), default=0)
    removed = models.IntegerField(_("已报损"), default=0)
    restocked = models.IntegerField(_("累计入库"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("库存")
        verbose_name_plural = _("库存")
        ordering = ["station", "item"]
        constraints = [
            models.UniqueConstraint(fields=["station", "item"], name="store_stock_unique"),
            models.CheckConstraint(
                condition=Q(on_shelf__gte=0, reserved__gte=0, handed_out__gte=0, removed__gte=0),
                name="store_stock_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    restocked=F("on_shelf") + F("reserved") + F("handed_out") + F("removed")
                ),
                name="store_stock_balanced",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.item}"


class MovementKind(models.TextChoices):
    RESTOCK = "restock", _("入库")
    REMOVE = "remove", _("报损出库")
    RESERVE = "reserve", _("下单预留")
    RELEASE = "release", _("取消释放")
    HAND_OUT = "hand_out", _("核销发放")


class Movement(models.Model):
    """One change of a stock, never edited: the stock's numbers are the sum of these."""

    stock = models.ForeignKey(
        Stock, verbose_name=_("库存"), on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=MovementKind.choices)
    quantity = models.PositiveIntegerField(_("数量"))
    order = models.ForeignKey(
        "Order",
        verbose_name=_("订单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("库存变动")
        verbose_name_plural = _("库存变动")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="store_movement_qty_pos"),
            # Each order reserves once and then either releases or hands out once.
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=Q(order__isnull=False),
                name="store_movement_once_per_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity}"


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("待取货")
    PICKED_UP = "picked_up", _("已领取")
    CANCELLED = "cancelled", _("已取消")
    EXPIRED = "expired", _("已过期")


class Order(models.Model):
    """A worker's redemption of one unit of an item at one station."""

    public_id = models.UUIDField(_("订单编号"), default=uuid.uuid4, unique=True, editable=False)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("兑换人"),
        on_delete=models.PROTECT,
        related_name="store_orders",
    )
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("兑换点"), on_delete=models.PROTECT
    )
    item = models.ForeignKey(Item, verbose_name=_("商品"), on_delete=models.PROTECT)
    points = models.PositiveIntegerField(_("积分"))
    status = models.CharField(
        _("状态"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    pickup_code = models.CharField(_("取货码"), max_length=6)
    hold = models.OneToOneField(
        "points.Hold", verbose_name=_("积分冻结"), on_delete=models.PROTECT, related_name="+"
    )
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("取货截止"))
    created_at = models.DateTimeField(_("下单时间"))
    resolved_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    expiry_reminded_at = models.DateTimeField(_("过期提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("兑换订单")
        verbose_name_plural = _("兑换订单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["worker", "item", "created_at"]),
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["station", "created_at"]),
        ]
        constraints = [
            # A code names one waiting order at its station; it may come back once that is done.
            models.UniqueConstraint(
                fields=["station", "pickup_code"],
                condition=Q(status="pending"),
                name="store_order_code_unique_pending",
            ),
            models.UniqueConstraint(
                fields=["worker", "request_id"],
                condition=~Q(request_id=""),
                name="store_order_request_once",
            ),
            models.CheckConstraint(condition=Q(points__gt=0), name="store_order_points_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.item} @ {self.station}"

    @property
    def number(self) -> str:
        """A short order number for people: the first 10 hex digits, upper-case."""
        return self.public_id.hex[:10].upper()
