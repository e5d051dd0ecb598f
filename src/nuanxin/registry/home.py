from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from nuanxin.core.home import HomeCard
from nuanxin.core.scoping import jurisdiction_path
from nuanxin.registry.models import OPEN_REGISTRATION_STATUSES, RegistrationStatus
from nuanxin.registry.selectors import registrations_for, worker_profile_of


def worker_cards(request: HttpRequest) -> list[HomeCard]:
    """My community registration (报到): where, and whether the community has accepted it."""
    worker = worker_profile_of(request.user)
    current = None
    if worker is not None:
        current = (
            worker.registrations.filter(status__in=OPEN_REGISTRATION_STATUSES)
            .select_related("community")
            .order_by("-pk")
            .first()
        )
    if current is None:
        return [
            HomeCard(
                _("社区报到"),
                _("未报到"),
                reverse("registry:me"),
                hint=_("扫社区的报到二维码即可报到"),
                tone="warn",
            )
        ]
    return [
        HomeCard(
            _("社区报到"),
            current.get_status_display(),
            reverse("registry:me"),
            hint=current.community.name,
            tone="warn" if current.status == RegistrationStatus.SUBMITTED else "",
        )
    ]


def staff_cards(request: HttpRequest) -> list[HomeCard]:
    if jurisdiction_path(request.user) is None:
        return []
    pending = registrations_for(request.user, status=RegistrationStatus.SUBMITTED).count()
    return [
        HomeCard(
            _("待审核报到"),
            pending,
            reverse("registry:registrations"),
            hint=_("企业和人员到社区报到备案"),
            unit=_("件待审"),
            tone="warn" if pending else "",
        )
    ]
