"""Branch life on the road: meetings and activities, sign-in, absences, minutes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    GENERAL_ASSEMBLY = "general_assembly", _("支部党员大会")
    COMMITTEE = "committee", _("支委会")
    GROUP = "group", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class Meeting(models.Model):
    """A meeting or activity of a branch, at a place (sign-in by the QR there) or online, or
    both. Mobile members may sign in online from ``starts_at - signin_early`` to ``ends_at``."""

    organisation = models.ForeignKey(
        "party.Organisation",
        verbose_name=_("组织"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("主题"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online_link = models.URLField(_("线上会议链接"), blank=True)
    qr_token = models.CharField(max_length=32, unique=True, editable=False)
    signin_early_minutes = models.PositiveSmallIntegerField(_("提前签到（分钟）"), default=30)
    status = models.CharField(
        _("状态"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(_("会议记录"), blank=True)
    resolutions = models.TextField(_("决议"), blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("支部会议与活动")
        verbose_name_plural = _("支部会议与活动")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="party_meeting_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AttendanceMethod(models.TextChoices):
    QR = "qr", _("现场扫码")
    ONLINE = "online", _("线上签到")
    STAFF = "staff", _("工作人员登记")
    ABSENT = "absent", _("请假")


class Attendance(models.Model):
    """A member's sign-in to a meeting, or their absence with a reason: one row per member."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    membership = models.ForeignKey(
        "party.Membership", on_delete=models.PROTECT, related_name="attendances"
    )
    method = models.CharField(_("方式"), max_length=8, choices=AttendanceMethod.choices)
    at = models.DateTimeField(_("时间"))
    absence_reason = models.CharField(_("请假原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "membership"], name="party_one_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} @ {self.meeting_id}"
