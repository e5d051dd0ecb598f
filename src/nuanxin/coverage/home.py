from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from nuanxin.core.home import HomeCard
from nuanxin.coverage.access import is_planner
from nuanxin.coverage.models import RoadNetworkImport


def staff_cards(request: HttpRequest) -> list[HomeCard]:
    if not is_planner(request.user):
        return []
    latest = RoadNetworkImport.objects.order_by("-created_at", "-id").first()
    hint = (
        _("尚未导入路网，按直线距离估算")
        if latest is None
        else _("路网：%(source)s") % {"source": latest.source}
    )
    return [HomeCard(_("15分钟服务圈"), "◎", reverse("coverage:map"), hint=hint, unit="")]
