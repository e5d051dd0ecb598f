"""Reason codes: stable dotted strings that say why points moved, with their Chinese labels.

Other apps pass their own codes (any lower-case dotted code is accepted); known codes show their
label, unknown ones show a generic label so a worker never sees a raw code.
"""

import re

from django.utils.translation import gettext_lazy as _

REPORT_ACCEPTED = "report.accepted"
VOLUNTEER_VERIFIED = "volunteer.verified"
STATION_CHECKIN = "station.checkin"
STORE_REDEMPTION = "store.redemption"
BUDGET_ALLOCATION = "budget.allocation"
BUDGET_TOP_UP = "budget.top_up"
MANUAL_ADJUSTMENT = "manual.adjustment"
POINTS_EXPIRY = "points.expiry"
REVERSAL = "reversal"

REASON_LABELS = {
    REPORT_ACCEPTED: _("随手拍审核通过"),
    VOLUNTEER_VERIFIED: _("志愿服务核验"),
    STATION_CHECKIN: _("驿站打卡"),
    STORE_REDEMPTION: _("积分兑换"),
    "store.refund": _("兑换退回"),
    BUDGET_ALLOCATION: _("预算下拨"),
    BUDGET_TOP_UP: _("资金注入"),
    MANUAL_ADJUSTMENT: _("人工调整"),
    POINTS_EXPIRY: _("积分过期"),
    REVERSAL: _("冲正"),
}

REASON_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
REASON_MAX_LENGTH = 64


def reason_label(code: str) -> str:
    label = REASON_LABELS.get(code)
    return str(label) if label is not None else str(_("积分变动"))


def is_valid_reason(code: str) -> bool:
    return bool(code) and len(code) <= REASON_MAX_LENGTH and REASON_RE.match(code) is not None
