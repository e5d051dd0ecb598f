"""Pickup at the station: the keeper types or scans the worker's code, checks the person and
confirms; the held points go to the shop and the unit leaves the shelf.

A code is six random digits and names one waiting order at one station, so a code from another
station finds nothing. Wrong codes are counted per person and per station in the cache (shared by
every server when ``REDIS_URL`` is set); past the limit, lookups are refused for a while, which
makes guessing one of a station's few waiting codes among a million hopeless.
"""

import datetime as dt
import re
import uuid
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, conflict, forbidden, not_found
from nuanxin.core.notifications import notification_send
from nuanxin.core.texts import text
from nuanxin.points import services as points
from nuanxin.stations.models import Station
from nuanxin.stations.permissions import require_manager
from nuanxin.store.models import MovementKind, Order, OrderStatus
from nuanxin.store.services._common import (
    ORDER_AUDIT_FIELDS,
    lock_order,
    lock_stock,
    now,
    require_person,
    shop_of,
)
from nuanxin.store.services.orders import MY_ORDERS_URL, transfer_id
from nuanxin.store.services.stock import move

CODE_RE = re.compile(r"^\d{6}$")
WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_USER = 10
MAX_FAILURES_PER_STATION = 30
# How long after a pickup its code is still recognised as "already handed out".
REPEAT_WINDOW = dt.timedelta(days=1)


def _keys(actor: Any, station: Station) -> list[tuple[str, int]]:
    return [
        (f"store:pickup-fail:user:{actor.pk}", MAX_FAILURES_PER_USER),
        (f"store:pickup-fail:station:{station.pk}", MAX_FAILURES_PER_STATION),
    ]


def _check_throttle(actor: Any, station: Station) -> None:
    for key, limit in _keys(actor, station):
        if (cache.get(key) or 0) >= limit:
            raise ApplicationError(
                "store.too_many_attempts",
                _("取货码输错次数过多，请 15 分钟后再试。"),
                status=429,
            )


def _count_failure(actor: Any, station: Station) -> None:
    for key, _limit in _keys(actor, station):
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)


def clean_code(code: Any) -> str:
    value = re.sub(r"[\s-]", "", str(code or ""))
    if not CODE_RE.match(value):
        raise ApplicationError("store.bad_code", _("取货码是 6 位数字。"))
    return value


def _find(actor: Any, station: Station, code: Any) -> Order:
    require_person(actor)
    require_manager(actor, station)
    code = clean_code(code)
    _check_throttle(actor, station)
    order = (
        Order.objects.filter(station=station, pickup_code=code, status=OrderStatus.PENDING)
        .select_related("item", "worker", "station")
        .first()
    )
    if order is None:
        _refuse_handed_out(station, code)
        _count_failure(actor, station)
        raise not_found("store.code_not_found", _("取货码无效，或不是本兑换点的订单。"))
    return order


def _refuse_handed_out(station: Station, code: str) -> None:
    """A code of an order this station handed out lately is a repeat, not a guess: say when it
    was handed out, and do not count it as a wrong code. (After that, the code may name a new
    order, so only recent pickups are recognised.)"""
    done = (
        Order.objects.filter(
            station=station,
            pickup_code=code,
            status=OrderStatus.PICKED_UP,
            resolved_at__gte=now() - REPEAT_WINDOW,
        )
        .order_by("-resolved_at")
        .first()
    )
    if done is not None:
        at = timezone.localtime(done.resolved_at)
        raise conflict(
            "store.already_picked_up",
            _("该订单已于 %(at)s 领取，请勿重复发放。") % {"at": at.strftime("%m-%d %H:%M")},
            picked_up_at=done.resolved_at.isoformat(),
        )


def pickup_find(*, actor: Any, station: Station, code: Any) -> Order:
    """The waiting order a code names at this station, for the keeper to check the person.

    Raises store.bad_code, store.code_not_found, store.too_many_attempts, store.order_expired,
    stations.not_found (also for a station the actor does not manage).
    """
    order = _find(actor, station, code)
    if order.expires_at <= now():
        raise conflict("store.order_expired", _("该订单已过取货截止时间。"))
    return order


def _check_redemption_day(station: Station) -> None:
    day = shop_of(station).redemption_day
    if day is not None and timezone.localtime(now()).day != day:
        raise conflict(
            "store.not_redemption_day",
            _("本兑换点每月 %(day)d 日集中发放，请在兑换日领取。") % {"day": day},
            day=day,
        )


@transaction.atomic
def pickup_confirm(
    *, actor: Any, station: Station, code: Any, order_id: uuid.UUID | None = None
) -> Order:
    """Hand out the order named by ``code`` at ``station``. With ``order_id`` (the order the
    keeper was shown), a repeated confirmation of that order returns it unchanged.

    Raises what ``pickup_find`` raises (store.already_picked_up for a code handed out lately),
    and store.code_mismatch, store.own_order,
    store.not_redemption_day.
    """
    require_person(actor)
    require_manager(actor, station)
    if order_id is not None:
        done = Order.objects.filter(
            public_id=order_id,
            station=station,
            pickup_code=clean_code(code),
            status=OrderStatus.PICKED_UP,
        ).first()
        if done is not None:
            return done
    found = _find(actor, station, code)
    if order_id is not None and found.public_id != order_id:
        raise conflict("store.code_mismatch", _("取货码与所查看的订单不一致，请重新查询。"))
    order = lock_order(found.pk)
    if order.worker_id == actor.pk:
        raise forbidden("store.own_order", _("不能核销自己的兑换订单，请由其他工作人员办理。"))
    if order.status != OrderStatus.PENDING:
        raise conflict("store.order_not_pending", _("该订单已处理。"), status=order.status)
    at = now()
    if order.expires_at <= at:
        raise conflict("store.order_expired", _("该订单已过取货截止时间。"))
    _check_redemption_day(order.station)
    before = snapshot(order, ORDER_AUDIT_FIELDS)
    points.post_hold(transfer_id=transfer_id(order.public_id, "post"), hold=order.hold, actor=actor)
    stock = lock_stock(order.station_id, order.item_id)
    assert stock is not None
    move(stock, MovementKind.HAND_OUT, 1, at=at, order=order, actor=actor)
    order.status = OrderStatus.PICKED_UP
    order.resolved_at = at
    order.resolved_by = actor
    order.save(update_fields=["status", "resolved_at", "resolved_by"])
    audit_record(
        actor=actor,
        action="store.order_picked_up",
        obj=order,
        before=before,
        after=snapshot(order, ORDER_AUDIT_FIELDS),
        region_path=order.station.region.path,
    )
    notification_send(
        user=order.worker,
        kind="store.picked_up",
        title=text(gettext_noop("已领取：%(item)s"), item=order.item.name),
        body=text(
            gettext_noop("您在%(station)s兑换的商品已领取，扣除 %(points)d 积分。"),
            station=order.station.name,
            points=order.points,
        ),
        url=MY_ORDERS_URL,
    )
    return order
