"""Worker pages: the shop near me, placing an order, my orders with the pickup code and QR."""

import uuid

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
from nuanxin.store.models import Order
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


@guarded
def shop(request: HttpRequest) -> HttpResponse:
    """Shops near the phone (or in my area) with what each has on the shelf, and my points."""
    lon, lat = _float(request.GET.get("lon")), _float(request.GET.get("lat"))
    if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        lon = lat = None
    return render(
        request,
        "store/shop.html",
        {
            "cards": selectors.shop_cards(request.user, lon=lon, lat=lat),
            "balance": balance_of(request.user),
            "located": lon is not None,
            "request_id": uuid.uuid4().hex,
            "waiting": selectors.orders_of(request.user).filter(status="pending").count(),
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
