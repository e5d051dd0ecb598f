"""Worker pages: the shop near me, an item's page where the order is confirmed, placing the
order, my orders with the pickup code and QR."""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import query_int
from nuanxin.core.pages import back, guarded, run
from nuanxin.core.schema import MAX_ID
from nuanxin.points.selectors import balance_of
from nuanxin.stations.qr import absolute, qr_svg
from nuanxin.store import selectors, services
from nuanxin.store.models import ItemCategory, Order
from nuanxin.store.services._common import item_get


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def form_int(value: str | None) -> int:
    """A whole number from a form field; anything else (or one beyond any id or count) is
    store.bad_request."""
    number = query_int(value, ge=-MAX_ID, le=MAX_ID)
    if number is None:
        raise ApplicationError("store.bad_request", _("请求参数无效。"))
    return number


def _category(value: str | None) -> str:
    return value if value in ItemCategory.values else ""


@guarded
def shop(request: HttpRequest) -> HttpResponse:
    """Shops near the phone (or in my area), each a grid of what it has on the shelf (the
    nearest open, the others folded), filtered by category; a card opens the item's page."""
    lon, lat = _float(request.GET.get("lon")), _float(request.GET.get("lat"))
    if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        lon = lat = None
    category = _category(request.GET.get("category"))
    balance = balance_of(request.user)
    cards = selectors.shop_cards(request.user, lon=lon, lat=lat)
    present = {line.item.category for card in cards for line in card.lines}
    for card in cards:
        if category:
            card.lines = [line for line in card.lines if line.item.category == category]
        for line in card.lines:
            line.missing = max(0, line.item.points_price - balance.available)
    place = {"lon": lon, "lat": lat} if lon is not None else {}
    return render(
        request,
        "store/shop.html",
        {
            "cards": cards,
            "balance": balance,
            "located": lon is not None,
            "place": urlencode(place),
            "category": category,
            "categories": [(c.value, c.label) for c in ItemCategory if c.value in present],
            "waiting": selectors.orders_of(request.user).filter(status="pending").count(),
        },
    )


@guarded
def item(request: HttpRequest, station_id: int, item_id: int) -> HttpResponse:
    """An item at one shop: what it is, what it costs, my balance after, where to pick it up,
    and the button that places the order (the confirmation step; without it no points move)."""
    shop_obj = selectors.open_shop_get(station_id)
    line = selectors.shelf_line(shop_obj.station, item_id, request.user)
    balance = balance_of(request.user)
    price = line.item.points_price
    return render(
        request,
        "store/item.html",
        {
            "shop": shop_obj,
            "station": shop_obj.station,
            "line": line,
            "item": line.item,
            "balance": balance,
            "after": balance.available - price,
            "missing": max(0, price - balance.available),
            "request_id": uuid.uuid4().hex,
        },
    )


@require_POST
@guarded
def order(request: HttpRequest) -> HttpResponse:
    try:
        created = services.order_create(
            worker=request.user,
            station=selectors.station_get(form_int(request.POST.get("station"))),
            item=item_get(form_int(request.POST.get("item"))),
            request_id=request.POST.get("request_id", ""),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return back(request, reverse("store:shop"))
    messages.success(request, _("兑换成功！请在截止时间前到兑换点出示取货码。"))
    return redirect("store:order", public_id=created.public_id)


@guarded
def orders(request: HttpRequest) -> HttpResponse:
    return render(request, "store/orders.html", {"orders": selectors.orders_of(request.user)[:100]})


def pickup_url(request: HttpRequest, order_obj: Order) -> str:
    """What the pickup QR code holds: the keeper's verify page with station and code filled in,
    so scanning it with the keeper's phone opens the order."""
    path = reverse("store:verify")
    return absolute(request, f"{path}?station={order_obj.station_id}&code={order_obj.pickup_code}")


@guarded
def order_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    found = selectors.order_of_worker(request.user, public_id)
    qr = ""
    if found.status == "pending":
        svg = qr_svg(pickup_url(request, found)).decode()
        qr = mark_safe(svg[svg.index("<svg") :])  # noqa: S308 - our own generated SVG
    return render(request, "store/order.html", {"order": found, "qr": qr})


@require_POST
@guarded
def order_cancel(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    found = selectors.order_of_worker(request.user, public_id)
    run(
        request,
        lambda: services.order_cancel(actor=request.user, order=found),
        _("已取消兑换，积分已退回。"),
    )
    return redirect("store:order", public_id=public_id)
