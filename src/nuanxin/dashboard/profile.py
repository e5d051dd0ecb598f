from django.http import HttpRequest
from django.utils.translation import gettext as _

from nuanxin.core.profile import ProfileLine, ProfileSection
from nuanxin.dashboard.channels import channels_of_worker


def sections(request: HttpRequest) -> list[ProfileSection]:
    """The worker's own counts in the four "随手" channels (verified volunteering, every
    report filed)."""
    if not request.user.is_worker:
        return []
    lines = [
        ProfileLine(item["label"], f"{item['value']} {item['unit']}")
        for item in channels_of_worker(request.user)
    ]
    return [ProfileSection(_("“随手”参与"), lines)]
