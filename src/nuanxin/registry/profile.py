from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from nuanxin.core.profile import ProfileLine, ProfileSection
from nuanxin.registry.models import Worker


def sections(request: HttpRequest) -> list[ProfileSection]:
    """The worker's ledger record (numbers masked) and their registrations with communities."""
    worker = Worker.objects.filter(user=request.user).first()
    if worker is None:
        if not request.user.is_worker:
            return []
        return [
            ProfileSection(
                _("我的报到"),
                [ProfileLine(_("状态"), _("还没有向社区报到"))],
                link=reverse("registry:me"),
                link_label=_("查看我的报到"),
            )
        ]
    lines = [ProfileLine(_("姓名"), worker.name)]
    if worker.id_number:
        lines.append(ProfileLine(_("身份证号"), worker.masked_id_number))
    for registration in worker.registrations.select_related("community").order_by("-id")[:5]:
        lines.append(ProfileLine(registration.community.name, registration.get_status_display()))
    return [
        ProfileSection(
            _("我的报到"), lines, link=reverse("registry:me"), link_label=_("查看我的报到")
        )
    ]
