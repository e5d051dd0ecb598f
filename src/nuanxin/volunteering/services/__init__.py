"""The write path of volunteering: every change of a project, claim or attendance is here.

Projects: ``project_create``, ``project_update``, ``project_publish``, ``project_close``,
``project_cancel``. Claims: ``claim_create``, ``claim_record``, ``claim_withdraw``,
``claim_cancel``, ``session_promote_waitlist``, ``sessions_promote_due``. Attendance:
``attendance_check_in``, ``attendance_check_out`` (QR), ``attendance_staff_check_in``,
``attendance_staff_check_out``, ``attendance_report_quantity``. Verification:
``attendance_verify``, ``attendance_correct``, ``award_retry``. Evidence of the online kinds
(随手办, 随时推): ``errands_report``, ``livestream_report``.
"""

from nuanxin.volunteering.services.attendance import (
    attendance_check_in,
    attendance_check_out,
    attendance_report_quantity,
    attendance_staff_check_in,
    attendance_staff_check_out,
    session_from_token,
    session_token,
)
from nuanxin.volunteering.services.claims import (
    claim_cancel,
    claim_create,
    claim_record,
    claim_withdraw,
    hold_until,
    session_promote_waitlist,
    sessions_promote_due,
)
from nuanxin.volunteering.services.evidence import errands_report, livestream_report
from nuanxin.volunteering.services.projects import (
    project_cancel,
    project_close,
    project_create,
    project_publish,
    project_update,
    session_times,
)
from nuanxin.volunteering.services.verification import (
    attendance_correct,
    attendance_verify,
    award_retry,
    award_transfer_id,
    points_for,
    reversal_transfer_id,
)

__all__ = [
    "attendance_check_in",
    "attendance_check_out",
    "attendance_correct",
    "attendance_report_quantity",
    "attendance_staff_check_in",
    "attendance_staff_check_out",
    "attendance_verify",
    "award_retry",
    "award_transfer_id",
    "claim_cancel",
    "claim_create",
    "claim_record",
    "claim_withdraw",
    "errands_report",
    "hold_until",
    "livestream_report",
    "points_for",
    "project_cancel",
    "project_close",
    "project_create",
    "project_publish",
    "project_update",
    "reversal_transfer_id",
    "session_from_token",
    "session_promote_waitlist",
    "session_times",
    "session_token",
    "sessions_promote_due",
]
