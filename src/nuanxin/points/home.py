from django.db.models import Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from nuanxin.core.home import HomeCard
from nuanxin.points.selectors import balance_of, pool_summaries


def worker_cards(request: HttpRequest) -> list[HomeCard]:
    balance = balance_of(request.user)
    hint = _("冻结中 %(held)s 分") % {"held": balance.held} if balance.held else _("可兑换好物")
    return [
        HomeCard(_("我的积分"), balance.available, reverse("points:mine"), hint=hint, unit=_("分"))
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
