"""The shop's part of a person's data: their orders (kept: the ledger's holds refer to them)."""

from typing import Any

from django.utils.translation import gettext as _

from nuanxin.core.personal import PersonalTable
from nuanxin.store.models import Order


def export(user: Any) -> list[PersonalTable]:
    rows = [
        {"order": str(o.public_id), "item": o.item.name, "station": o.station.name,
         "points": o.points, "status": o.status, "created_at": o.created_at,
         "resolved_at": o.resolved_at}
        for o in Order.objects.filter(worker=user).select_related("item", "station").order_by("id")
    ]  # fmt: skip
    return [PersonalTable("orders", _("兑换订单"), rows)]
