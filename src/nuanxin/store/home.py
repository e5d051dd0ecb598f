from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from nuanxin.core.home import HomeCard
from nuanxin.store import selectors
from nuanxin.store.models import OrderStatus


def worker_cards(request: HttpRequest) -> list[HomeCard]:
    waiting = selectors.orders_of(request.user).filter(status=OrderStatus.PENDING).count()
    return [
        HomeCard(
            _("积分兑换"),
            waiting,
            reverse("store:orders") if waiting else reverse("store:shop"),
            hint=_("待领取的兑换") if waiting else _("用积分换大米、雨衣、充电宝"),
            unit=_("件"),
            tone="warn" if waiting else "",
        )
    ]


def staff_cards(request: HttpRequest) -> list[HomeCard]:
    shops = selectors.shops_managed_by(request.user)
    if not shops.exists():
        return []
    waiting = selectors.orders_managed_by(request.user).filter(status=OrderStatus.PENDING).count()
    return [HomeCard(_("待核销的兑换"), waiting, reverse("store:verify"), unit=_("笔"))]
