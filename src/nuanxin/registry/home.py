from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from nuanxin.core.home import HomeCard
from nuanxin.core.scoping import jurisdiction_path
from nuanxin.registry.models import RegistrationStatus
from nuanxin.registry.selectors import registrations_for


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
