from django.db.models import Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from nuanxin.core.home import HomeCard
from nuanxin.points.rules import EarningRule, earning_rules
from nuanxin.points.selectors import balance_of, pool_summaries


def what_pays(rules: list[EarningRule]) -> str:
    """One line of what earns points, the best of each kind ("随手拍 +20、驿站扫码打卡 +5")."""
    best: dict[str, EarningRule] = {}
    for rule in rules:
        if rule.source not in best or rule.points > best[rule.source].points:
            best[rule.source] = rule
    # A report rule is named for its category ("随手拍：消防通道"): the line names the kind.
    parts = [f"{rule.kind or rule.label} +{rule.points}" for rule in best.values()]
    return "、".join(parts)


def worker_cards(request: HttpRequest) -> list[HomeCard]:
    balance = balance_of(request.user)
    held = _("冻结 %(held)s 分（兑换待领取）") % {"held": balance.held} if balance.held else ""
    pays = what_pays(earning_rules().rules)
    earn = _("赚积分：%(rules)s") % {"rules": pays} if pays else _("可兑换好物")
    hint = f"{held} · {earn}" if held else earn
    return [
        HomeCard(
            _("我的积分"), balance.available, reverse("points:mine"), hint=hint, unit=_("分可用")
        )
    ]


def staff_cards(request: HttpRequest) -> list[HomeCard]:
    pools = pool_summaries(request.user)
    left = pools.aggregate(total=Sum("posted"))["total"] or 0
    return [
        HomeCard(
            _("社区积分池余额"),
            left,
            reverse("admin:points_account_changelist"),
            hint=_("%(n)s 个社区积分池") % {"n": pools.count()},
            unit=_("分"),
        )
    ]
