"""What pays and why an award paid less: the earning rules as a worker reads them.

The policy's own rules (check-ins, volunteering, caps, expiry) are read here; a feature app
that pays for something the policy does not describe (the report categories) lists it in its
own ``earning.py`` with ``earning_rules() -> list[EarningRule]``, found by convention, as home
cards are. Every award that paid less than asked carries a ``limited_by`` code, and
``shortfall_text`` turns it into the sentence a worker sees.
"""

from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.core.discovery import app_modules
from nuanxin.core.texts import Text, text
from nuanxin.core.timeutil import now
from nuanxin.points.selectors import account_of
from nuanxin.points.services.earning import (
    DAILY_CAP,
    MONTHLY_CAP,
    NOT_A_WORKER,
    earned_in_period,
)
from nuanxin.points.services.policy import current_policy

# Why an award paid less than asked, beyond the caps the ledger applies.
ONCE_A_DAY = "once_a_day"
POOL_EMPTY = "pool_empty"


@dataclass(frozen=True)
class EarningRule:
    """One way to earn: ``points`` per ``per`` (e.g. "每次", "每小时"), with an optional note;
    ``kind`` names the kind when the label names one case of it ("随手拍" for
    "随手拍：消防通道")."""

    source: str
    label: str
    points: int
    per: str
    note: str = ""
    kind: str = ""


@dataclass(frozen=True)
class EarningRules:
    rules: list[EarningRule]
    daily_cap: int | None
    monthly_cap: int | None
    expiry_years: int | None
    earned_today: int | None = None
    earned_this_month: int | None = None
    notes: list[str] = field(default_factory=list)


def shortfall_message(limited_by: str | None) -> Text | None:
    """The reason that an award paid less than asked, as a text kept for later reading (a
    notification shows it in the reader's language); None when it did not."""
    policy = current_policy()
    texts = {
        DAILY_CAP: text(
            gettext_noop("已达每人每日积分上限（%(cap)s 分），明天可继续获得。"),
            cap=policy.daily_cap,
        ),
        MONTHLY_CAP: text(
            gettext_noop("已达每人每月积分上限（%(cap)s 分），下月可继续获得。"),
            cap=policy.monthly_cap,
        ),
        NOT_A_WORKER: text(gettext_noop("工作人员账号不获得积分。")),
        ONCE_A_DAY: text(gettext_noop("驿站打卡积分每天只发一次，今天已经获得过。")),
        POOL_EMPTY: text(gettext_noop("社区积分池暂时不足，本次未发积分。")),
    }
    return texts.get(limited_by or "")


def shortfall_text(limited_by: str | None) -> str:
    """The reason, in words, that an award paid less than asked ("" when it did not)."""
    message = shortfall_message(limited_by)
    return "" if message is None else str(message)


def _app_rules() -> list[EarningRule]:
    return [rule for _label, module in app_modules("earning") for rule in module.earning_rules()]


def earning_rules(user: Any = None) -> EarningRules:
    """The rules in force, and for a worker what they already earned today and this month."""
    policy = current_policy()
    rules = _app_rules()
    if policy.volunteer_points_per_hour:
        cap = policy.volunteer_cap_per_activity
        rules.append(
            EarningRule(
                "volunteer.verified",
                _("志愿服务（核验后）"),
                policy.volunteer_points_per_hour,
                _("每小时"),
                _("每次活动最多 %(cap)s 分") % {"cap": cap} if cap is not None else "",
            )
        )
    if policy.checkin_points:
        rules.append(
            EarningRule(
                "station.checkin",
                _("驿站扫码打卡"),
                policy.checkin_points,
                _("每天一次"),
                _("无论在几个驿站打卡，每天只计一次"),
            )
        )
    result = EarningRules(
        rules=rules,
        daily_cap=policy.daily_cap,
        monthly_cap=policy.monthly_cap,
        expiry_years=policy.expiry_years,
    )
    account = account_of(user) if getattr(user, "is_worker", False) else None
    if account is None:
        return result
    today, month = earned_in_period(account.pk, now())
    return replace(result, earned_today=today, earned_this_month=month)
