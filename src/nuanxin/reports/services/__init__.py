"""The write path of 随手拍: one service per step of a report's life.

Submitting: ``report_submit``, ``report_photo_add``, ``report_support``. Review:
``report_accept``, ``report_reject``, ``report_mark_duplicate``, ``reports_bulk_accept``,
``reports_bulk_reject``. Handling:
``report_dispatch``, ``report_resolve``, ``report_close``, ``report_reopen``,
``report_reassign``, ``report_assign``. Moderation: ``photo_set_hidden``,
``report_edit_description``, ``report_set_public_hidden``, ``reporter_reveal``.
Configuration: ``category_save``, ``department_save``, ``category_route_set``,
``template_save``, ``defaults_install``.
"""

from nuanxin.reports.services.award import accept_transfer_id, award_points
from nuanxin.reports.services.categories import (
    category_route_set,
    category_save,
    defaults_install,
    department_save,
    template_save,
)
from nuanxin.reports.services.handling import (
    report_assign,
    report_close,
    report_dispatch,
    report_reassign,
    report_reopen,
    report_resolve,
)
from nuanxin.reports.services.moderation import (
    photo_set_hidden,
    report_edit_description,
    report_set_public_hidden,
    reporter_reveal,
)
from nuanxin.reports.services.review import (
    BulkResult,
    report_accept,
    report_mark_duplicate,
    report_reject,
    reports_bulk_accept,
    reports_bulk_reject,
)
from nuanxin.reports.services.submit import (
    ReporterContact,
    report_photo_add,
    report_submit,
    report_support,
)

__all__ = [
    "BulkResult",
    "ReporterContact",
    "accept_transfer_id",
    "award_points",
    "category_route_set",
    "category_save",
    "defaults_install",
    "department_save",
    "photo_set_hidden",
    "report_accept",
    "report_assign",
    "report_close",
    "report_dispatch",
    "report_edit_description",
    "report_mark_duplicate",
    "report_photo_add",
    "report_reassign",
    "report_reject",
    "report_reopen",
    "report_resolve",
    "report_set_public_hidden",
    "report_submit",
    "report_support",
    "reporter_reveal",
    "reports_bulk_accept",
    "reports_bulk_reject",
    "template_save",
]
