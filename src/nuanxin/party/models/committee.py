"""The city committee (市委两新工委): member departments over time, meetings, action items."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class CommitteeDepartment(models.Model):
    name = models.CharField(_("成员单位"), max_length=100, unique=True)
    responsibilities = models.TextField(_("职责"), blank=True)

    class Meta:
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CommitteeSeat(models.Model):
    """A department's period as a member unit; the list at a date is the seats open that day."""

    department = models.ForeignKey(
        CommitteeDepartment, on_delete=models.PROTECT, related_name="seats"
    )
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("成员单位任期")
        verbose_name_plural = _("成员单位任期")
        ordering = ["department", "joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(left_on__isnull=True),
                name="party_one_open_seat",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gt=F("joined_on")),
                name="party_seat_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.joined_on}–{self.left_on or ''}"


class CommitteeMeetingKind(models.TextChoices):
    COORDINATION = "coordination", _("联席协调会")
    PROGRESS = "progress", _("工作推进会")
    REPORTING = "reporting", _("述职评议会")


class CommitteeMeeting(models.Model):
    kind = models.CharField(_("类型"), max_length=14, choices=CommitteeMeetingKind.choices)
    title = models.CharField(_("主题"), max_length=200)
    held_on = models.DateField(_("日期"))
    attendees = models.ManyToManyField(
        CommitteeDepartment, verbose_name=_("参会单位"), related_name="meetings", blank=True
    )
    minutes = models.TextField(_("会议纪要"), blank=True)

    class Meta:
        verbose_name = _("工委会议")
        verbose_name_plural = _("工委会议")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title


class ActionStatus(models.TextChoices):
    OPEN = "open", _("推进中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已撤销")


class ActionItem(models.Model):
    meeting = models.ForeignKey(
        CommitteeMeeting, on_delete=models.CASCADE, related_name="action_items"
    )
    title = models.CharField(_("事项"), max_length=300)
    owner = models.ForeignKey(
        CommitteeDepartment,
        verbose_name=_("牵头单位"),
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    due_on = models.DateField(_("完成时限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["due_on"]

    def __str__(self) -> str:
        return self.title
