"""Reconciliation of the store: stock against its movements, orders against the ledger's holds.

For every station and item: restocked = on shelf + reserved + handed out + written off; each
number equals the sum of its movements; reserved equals the waiting orders. For every order: a
waiting order's hold is pending for the order's points, a picked-up order's hold is posted,
a cancelled or expired order's hold is released; and no pending redemption hold lacks a
waiting order. Used by ``nuanxin store check``, the tests and the demo's own check.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Sum

from nuanxin.points.models import Hold, HoldStatus
from nuanxin.points.reasons import STORE_REDEMPTION
from nuanxin.store.models import Movement, MovementKind, Order, OrderStatus, Stock

HOLD_STATUS_OF = {
    OrderStatus.PENDING: {HoldStatus.PENDING},
    OrderStatus.PICKED_UP: {HoldStatus.POSTED},
    OrderStatus.CANCELLED: {HoldStatus.VOIDED, HoldStatus.EXPIRED},
    OrderStatus.EXPIRED: {HoldStatus.VOIDED, HoldStatus.EXPIRED},
}


@dataclass
class StoreReport:
    stocks: int = 0
    orders: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _expected(moved: dict[str, int]) -> dict[str, int]:
    restock, remove = moved[MovementKind.RESTOCK], moved[MovementKind.REMOVE]
    reserve, release = moved[MovementKind.RESERVE], moved[MovementKind.RELEASE]
    hand_out = moved[MovementKind.HAND_OUT]
    return {
        "restocked": restock,
        "removed": remove,
        "on_shelf": restock - remove - reserve + release,
        "reserved": reserve - release - hand_out,
        "handed_out": hand_out,
    }


def _check_stocks(report: StoreReport) -> None:
    moved: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for stock_id, kind, total in Movement.objects.values_list("stock_id", "kind").annotate(
        total=Sum("quantity")
    ):
        moved[stock_id][kind] = total or 0
    pending_rows = (
        Order.objects.filter(status=OrderStatus.PENDING)
        .values_list("station_id", "item_id")
        .annotate(n=Count("pk"))
    )
    waiting = {(station, item): n for station, item, n in pending_rows}
    for stock in Stock.objects.all().iterator():
        report.stocks += 1
        label = f"stock {stock.pk} (station {stock.station_id}, item {stock.item_id})"
        for name, value in _expected(moved[stock.pk]).items():
            if getattr(stock, name) != value:
                report.problems.append(
                    f"{label}: {name} {getattr(stock, name)} != movements {value}"
                )
        total = stock.on_shelf + stock.reserved + stock.handed_out + stock.removed
        if stock.restocked != total:
            report.problems.append(f"{label}: restocked {stock.restocked} != units {total}")
        pending = waiting.get((stock.station_id, stock.item_id), 0)
        if stock.reserved != pending:
            report.problems.append(
                f"{label}: reserved {stock.reserved} != waiting orders {pending}"
            )


def _check_orders(report: StoreReport) -> None:
    hold_ids = set()
    for order in Order.objects.select_related("hold").iterator():
        report.orders += 1
        hold_ids.add(order.hold_id)
        hold = order.hold
        if hold.status not in HOLD_STATUS_OF[order.status]:
            report.problems.append(
                f"order {order.public_id.hex}: {order.status} but its hold is {hold.status}"
            )
        if hold.amount != order.points:
            report.problems.append(
                f"order {order.public_id.hex}: {order.points} points but hold of {hold.amount}"
            )
    orphans = Hold.objects.filter(status=HoldStatus.PENDING, reason=STORE_REDEMPTION).exclude(
        pk__in=hold_ids
    )
    for hold in orphans:
        report.problems.append(f"hold {hold.transfer_id}: pending redemption without an order")


def store_check() -> StoreReport:
    """Check every stock and order from one consistent snapshot (a read transaction)."""
    report = StoreReport()
    with transaction.atomic():
        _check_stocks(report)
        _check_orders(report)
    return report
