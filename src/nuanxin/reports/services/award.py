"""The one place an accepted report pays its reporter, through the points ledger."""

from typing import Any

from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.points.reasons import REPORT_ACCEPTED
from nuanxin.reports.models import Report


def accept_transfer_id(report: Report) -> str:
    return f"report:{report.pk}:accept"


def award_points(*, report: Report, reviewer: Any) -> tuple[int, str]:
    """Earn the category's points for the reporter from the community's pool; returns what was
    granted (caps may grant less) and why it is less (the ledger's ``limited_by``, "" when it
    is not). Raises ``points.budget_exhausted`` when the pool cannot pay.

    The transfer id is derived from the report, so the ledger pays a report at most once even if
    this ran twice; the caller also skips it for a report that was accepted before.
    """
    if report.reporter_id is None or report.points_requested <= 0:
        return 0, ""
    if report.community_id is None:
        raise ApplicationError(
            "reports.needs_community",
            _("该问题尚未落到具体社区，请先转交到社区后再受理。"),
            extra={"region": report.region.code},
        )
    from nuanxin.points.services import earn

    result = earn(
        transfer_id=accept_transfer_id(report),
        worker=report.reporter,
        community=report.community,
        source=REPORT_ACCEPTED,
        points=report.points_requested,
        reference=f"report:{report.pk}",
        actor=reviewer,
    )
    return result.granted, result.limited_by or ""
