"""The worker's consent to location use: the notice it is given to, and who has given it.

The browser's own permission prompt records nothing, so the pages that ask the phone for its
position (station check-in, the nearest station, the report's pin, volunteering, the shop) ask
only once the worker has given this consent (``location_consent_give``); until then they show
``accounts/_location_consent.html`` and keep working without the position.
"""

from django.utils.translation import gettext_lazy as _

from nuanxin.accounts.models import LocationConsent

# Raise the version whenever the notice's meaning changes; each consent keeps the version and
# the text it was given to.
LOCATION_NOTICE_VERSION = "2026-12"
LOCATION_NOTICE = _(
    "在驿站签到、查找附近的驿站和志愿项目、商城按距离排序、上报问题时标记位置，需要使用您手机的"
    "位置。签到时，位置只用来和驿站或活动地点的位置比较距离，比较后即丢弃，不保存、不写入日志；"
    "查找附近时，位置只用于这一次查找。上报问题时，您确认的标记位置会随上报保存。"
    "您可以随时在“我的账号”中撤回同意；不同意也能使用：签到可输入驿站屏幕上的签到码，"
    "上报可在地图上手动标记位置。"
)


def location_consent_of(user: object) -> LocationConsent | None:
    """The user's consent record (given or withdrawn), or None if they never gave it."""
    if not getattr(user, "is_authenticated", False):
        return None
    return LocationConsent.objects.filter(user=user).first()


def location_consent_given(user: object) -> bool:
    consent = location_consent_of(user)
    return consent is not None and consent.is_given
