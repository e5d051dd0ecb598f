"""Pages of 随手拍: the worker's map-first report form and own reports, the staff queue and
report page, the public map, and the checked photo view."""

from nuanxin.reports.views.public import photo, public_map
from nuanxin.reports.views.staff import (
    queue,
    queue_bulk,
    queue_map,
    staff_action,
    staff_detail,
)
from nuanxin.reports.views.worker import mine, mine_detail, nearby, new, reopen, support

__all__ = [
    "mine",
    "mine_detail",
    "nearby",
    "new",
    "photo",
    "public_map",
    "queue",
    "queue_bulk",
    "queue_map",
    "reopen",
    "staff_action",
    "staff_detail",
    "support",
]
