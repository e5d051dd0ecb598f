"""Staff pages: verify a pickup from a phone, stock of my stations, the monthly report."""

import uuid
from functools import partial

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nuanxin.core.errors import ApplicationError
from nuanxin.core.pages import guarded, run
from nuanxin.store import selectors, services
from nuanxin.store.export import report_response
from nuanxin.store.services._common import item_get
from nuanxin.store.views.worker import form_int

staff_page = partial(guarded, staff=True)


def _chosen_shop(request: HttpRequest, shops: list) -> object | None:
    wanted = request.GET.get("station") or request.POST.get("station")
    for found in shops:
        if str(found.station_id) == wanted:
            return found
    return shops[0] if len(shops) == 1 else None


@staff_page
def verify(request: HttpRequest) -> HttpResponse:
    """Type the worker's 6 digits (or scan their QR, which opens this page with the code), see
    the order and who placed it, confirm."""
    shops = list(selectors.shops_managed_by(request.user))
    chosen = _chosen_shop(request, shops)
    code = (request.GET.get("code") or "").strip()
    found = error = None
    if chosen is not None and code:
        try:
            found = services.pickup_find(actor=request.user, station=chosen.station, code=code)
        except ApplicationError as exc:
            error = exc
    waiting = (
        selectors.orders_managed_by(request.user)
        .filter(station_id=chosen.station_id, status="pending")
        .count()
        if chosen
        else 0
    )
    return render(
        request,
        "store/verify.html",
        {
            "shops": shops,
            "chosen": chosen,
            "code": code,
            "found": found,
            "error": error,
            "waiting": waiting,
        },
    )


@require_POST
@staff_page
def confirm(request: HttpRequest) -> HttpResponse:
    station = selectors.station_managed(request.user, form_int(request.POST.get("station")))
    try:
        order_id = uuid.UUID(request.POST.get("order") or "")
    except ValueError as exc:
        raise ApplicationError("store.bad_request", _("请求参数无效。")) from exc
    done = run(
        request,
        lambda: services.pickup_confirm(
            actor=request.user, station=station, code=request.POST.get("code"), order_id=order_id
        ),
        _("已核销，商品已发放。"),
    )
    target = f"{reverse('store:verify')}?station={station.pk}"
    if not done:
        target += f"&code={request.POST.get('code', '')}"
    return redirect(target)


@require_POST
@staff_page
def cancel(request: HttpRequest) -> HttpResponse:
    """Cancel a waiting order at the counter (the goods are damaged, the person is not the
    one who ordered), with a reason the worker is told."""
    order = selectors.order_managed(request.user, request.POST.get("order") or "")
    run(
        request,
        lambda: services.order_cancel(
            actor=request.user, order=order, reason=request.POST.get("reason", "")
        ),
        _("订单已取消，积分已退回兑换人。"),
    )
    return redirect(f"{reverse('store:verify')}?station={order.station_id}")


@staff_page
def stock(request: HttpRequest) -> HttpResponse:
    shops = list(selectors.shops_managed_by(request.user))
    chosen = _chosen_shop(request, shops)
    stocks = selectors.stocks_managed_by(request.user)
    if chosen is not None:
        stocks = stocks.filter(station_id=chosen.station_id)
    return render(
        request,
        "store/stock.html",
        {
            "shops": shops,
            "chosen": chosen,
            "stocks": stocks[:500],
            "items": [item for item in selectors.items_all() if not item.retired],
        },
    )


@require_POST
@staff_page
def stock_change(request: HttpRequest, action: str) -> HttpResponse:
    if action not in ("restock", "remove"):
        raise ApplicationError("store.bad_request", _("请求参数无效。"), status=404)
    station = selectors.station_managed(request.user, form_int(request.POST.get("station")))
    item = item_get(form_int(request.POST.get("item")))
    quantity = form_int(request.POST.get("quantity"))
    if action == "restock":
        run(
            request,
            lambda: services.stock_restock(
                actor=request.user,
                station=station,
                item=item,
                quantity=quantity,
                note=request.POST.get("note", ""),
            ),
            _("已入库 %(n)d 件%(item)s。") % {"n": quantity, "item": item.name},
        )
    else:
        run(
            request,
            lambda: services.stock_remove(
                actor=request.user,
                station=station,
                item=item,
                quantity=quantity,
                reason=request.POST.get("reason", ""),
            ),
            _("已报损 %(n)d 件%(item)s。") % {"n": quantity, "item": item.name},
        )
    return redirect(f"{reverse('store:stock')}?station={station.pk}")


def _month(request: HttpRequest) -> tuple[int, int]:
    text = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    return selectors.parse_month(text)


@staff_page
def report(request: HttpRequest) -> HttpResponse:
    year, month = _month(request)
    rows = selectors.monthly_report(request.user, year, month)
    return render(
        request,
        "store/report.html",
        {
            "rows": rows,
            "month": f"{year}-{month:02d}",
            "year": year,
            "month_number": month,
            "total_count": sum(r.count for r in rows),
            "total_points": sum(r.points for r in rows),
        },
    )


@staff_page
def report_export(request: HttpRequest) -> HttpResponse:
    year, month = _month(request)
    return report_response(selectors.monthly_report(request.user, year, month), year, month)
