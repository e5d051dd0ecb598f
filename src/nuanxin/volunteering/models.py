"""Volunteer projects (认领志愿服务项目): projects, their sessions, claims, attendance, awards.

A project posted by community or street staff runs as one or more sessions (a single session, or
weekly on given weekdays between two dates). A worker claims a place in one session; when the
places are taken the claim waits on the session's waiting list. At the place the worker checks in
and out by scanning the session's QR code (or staff mark it by the claim's short code); staff then
verify the attendance and the points follow through the ledger, once per decision.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ProjectKind(models.TextChoices):
    CIVIC_PUBLICITY = "civic_publicity", _("文明宣传")
    LEAFLETS = "leaflets", _("政策传单（随手派）")
    STAIRWELL_PATROL = "stairwell_patrol", _("楼道巡查")
    EXAM_SUPPORT = "exam_support", _("爱心助考")
    SAFETY_CAMPAIGN = "safety_campaign", _("安全宣传")
    COMMUNITY_SERVICE = "community_service", _("社区服务")
    ERRANDS = "errands", _("线上代办（随手办）")
    LIVESTREAM = "livestream", _("直播助农（随时推）")
    OTHER = "other", _("其他")


# Kinds whose work is done online, not at the meeting place: the worker reports what was done
# (the evidence, ``evidence.py``) and staff verify the attendance on it instead of on scans.
EVIDENCE_KINDS = (ProjectKind.ERRANDS, ProjectKind.LIVESTREAM)


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("报名中")
    CLOSED = "closed", _("已截止报名")
    CANCELLED = "cancelled", _("已取消")


class Recurrence(models.TextChoices):
    ONCE = "once", _("单次")
    WEEKLY = "weekly", _("每周重复")


class AwardRule(models.TextChoices):
    PER_HOUR = "per_hour", _("按服务时长")
    PER_TASK = "per_task", _("按任务")


class Requirement(models.TextChoices):
    NONE = "none", _("无")
    PARTY_FIRST = "party_first", _("党员优先")


class Project(models.Model):
    """A volunteer project. ``region`` (a community or a street) is whose staff govern it;
    ``street`` is that street (or the community's street) for the statistics; ``pool_region`` is
    the community whose points pool pays for it (the same community for a community project, one
    community of the street for a street project, chosen when it is posted)."""

    title = models.CharField(_("项目名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=32, choices=ProjectKind.choices)
    description = models.TextField(_("项目说明"), blank=True)
    requirements_note = models.CharField(_("其他要求"), max_length=300, blank=True)
    region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("发布单位所在区域"),
        on_delete=models.PROTECT,
        related_name="volunteer_projects",
    )
    street = models.ForeignKey(
        "geo.Region",
        verbose_name=_("所属街道"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("统计按街道汇总时使用。"),
    )
    pool_region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("积分发放社区"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    place_name = models.CharField(_("集合地点"), max_length=200)
    place_lon = models.FloatField(_("集合点经度"), null=True, blank=True)
    place_lat = models.FloatField(_("集合点纬度"), null=True, blank=True)
    recurrence = models.CharField(
        _("时间安排"), max_length=16, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    first_date = models.DateField(_("开始日期"))
    last_date = models.DateField(_("结束日期"))
    weekdays = models.CharField(
        _("每周哪几天"), max_length=13, blank=True, help_text=_("1 为周一，7 为周日，逗号分隔。")
    )
    start_time = models.TimeField(_("每场开始时间"))
    end_time = models.TimeField(_("每场结束时间"))
    places = models.PositiveSmallIntegerField(_("每场名额"))
    award_rule = models.CharField(
        _("积分规则"), max_length=16, choices=AwardRule.choices, default=AwardRule.PER_HOUR
    )
    points_per_hour = models.PositiveSmallIntegerField(
        _("每小时积分"), null=True, blank=True, help_text=_("留空则用全市默认值。")
    )
    points_per_task = models.PositiveSmallIntegerField(_("每次任务积分"), null=True, blank=True)
    cap = models.PositiveSmallIntegerField(
        _("单次活动积分上限"), null=True, blank=True, help_text=_("留空则用全市默认值。")
    )
    requirement = models.CharField(
        _("报名要求"), max_length=16, choices=Requirement.choices, default=Requirement.NONE
    )
    party_hold_hours = models.PositiveSmallIntegerField(
        _("党员优先时长（小时）"),
        default=24,
        help_text=_("发布后这段时间内非党员的认领先进入候补。"),
    )
    quantity_target = models.PositiveIntegerField(_("每场发放目标（份）"), null=True, blank=True)
    withdraw_hours_before = models.PositiveSmallIntegerField(_("开始前多少小时可退出"), default=2)
    status = models.CharField(
        _("状态"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("志愿服务项目")
        verbose_name_plural = _("志愿服务项目")
        ordering = ["-first_date", "-id"]
        indexes = [
            models.Index(fields=["status", "last_date"]),
            models.Index(fields=["place_lat", "place_lon"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_leaflet_task(self) -> bool:
        return self.kind == ProjectKind.LEAFLETS or self.quantity_target is not None

    @property
    def needs_evidence(self) -> bool:
        return self.kind in EVIDENCE_KINDS

    @property
    def weekday_list(self) -> list[int]:
        return [int(day) for day in self.weekdays.split(",") if day.strip()]


class Session(models.Model):
    """One occurrence of a project: the unit that has places, a QR code and an attendance sheet."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    places = models.PositiveSmallIntegerField(_("名额"))

    class Meta:
        verbose_name = _("活动场次")
        verbose_name_plural = _("活动场次")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "starts_at"], name="volunteering_session_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="volunteering_session_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at"]),
            # "Has a session still to come": the test every list of open projects makes.
            models.Index(fields=["project", "ends_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.project.title} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def hours(self) -> Decimal:
        seconds = int((self.ends_at - self.starts_at).total_seconds())
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))


class ClaimStatus(models.TextChoices):
    CLAIMED = "claimed", _("已认领")
    WAITLISTED = "waitlisted", _("候补中")
    WITHDRAWN = "withdrawn", _("已退出")
    CANCELLED = "cancelled", _("已取消")
    EXPIRED = "expired", _("候补未递补")


ACTIVE_CLAIM_STATUSES = (ClaimStatus.CLAIMED, ClaimStatus.WAITLISTED)


class Claim(models.Model):
    """A worker's place (or place on the waiting list) in one session.

    ``code`` is the claim's short pickup-style code that staff type at the place when the worker
    cannot scan; it is unique within its session.
    """

    session = models.ForeignKey(
        Session, verbose_name=_("场次"), on_delete=models.PROTECT, related_name="claims"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="claims"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("劳动者"),
        on_delete=models.PROTECT,
        related_name="volunteer_claims",
    )
    status = models.CharField(_("状态"), max_length=16, choices=ClaimStatus.choices)
    code = models.CharField(_("认领码"), max_length=8)
    party_member = models.BooleanField(_("认领时为党员"), default=False)
    held_back = models.BooleanField(_("因党员优先进入候补"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代为登记的工作人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("认领时间"), auto_now_add=True)
    seated_at = models.DateTimeField(_("获得名额时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("退出/取消时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("开始前提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("认领")
        verbose_name_plural = _("认领")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "worker"],
                condition=Q(status__in=["claimed", "waitlisted"]),
                name="volunteering_one_active_claim_per_session",
            ),
            models.UniqueConstraint(
                fields=["session", "code"], name="volunteering_claim_code_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "created_at"]),
            models.Index(fields=["worker", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_CLAIM_STATUSES


class AttendanceStatus(models.TextChoices):
    CHECKED_IN = "checked_in", _("已签到")
    CHECKED_OUT = "checked_out", _("已签退")
    VERIFIED = "verified", _("已核验")


class Outcome(models.TextChoices):
    FULL = "full", _("全程参加")
    PARTIAL = "partial", _("部分参加")
    NO_SHOW = "no_show", _("未到")


class CheckMethod(models.TextChoices):
    QR = "qr", _("扫码")
    STAFF = "staff", _("工作人员登记")


class Attendance(models.Model):
    """What happened on a seated claim: check-in/out, the reported quantity, the verification.

    Created at check-in, or by staff when they mark or verify a claim (a no-show gets one too,
    so no-shows are counted). ``hours_recorded`` is what the times say; ``hours_verified`` and
    ``quantity_verified`` are what staff confirmed and what the points are computed from.
    """

    claim = models.OneToOneField(
        Claim, verbose_name=_("认领"), on_delete=models.PROTECT, related_name="attendance"
    )
    session = models.ForeignKey(
        Session, verbose_name=_("场次"), on_delete=models.PROTECT, related_name="attendances"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="attendances"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("劳动者"),
        on_delete=models.PROTECT,
        related_name="volunteer_attendances",
    )
    status = models.CharField(_("状态"), max_length=16, choices=AttendanceStatus.choices)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checkin_method = models.CharField(
        _("签到方式"), max_length=8, choices=CheckMethod.choices, blank=True
    )
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    checkout_method = models.CharField(
        _("签退方式"), max_length=8, choices=CheckMethod.choices, blank=True
    )
    hours_recorded = models.DecimalField(
        _("记录时长（小时）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    quantity_reported = models.PositiveIntegerField(_("上报发放数量"), null=True, blank=True)
    outcome = models.CharField(_("核验结果"), max_length=16, choices=Outcome.choices, blank=True)
    hours_verified = models.DecimalField(
        _("核定时长（小时）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    quantity_verified = models.PositiveIntegerField(_("核定发放数量"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verify_note = models.CharField(_("核验说明"), max_length=300, blank=True)
    hours_beyond_scans = models.BooleanField(
        _("核定时长超过扫码记录"),
        default=False,
        help_text=_("核定时长比签到签退记录的时长多出允许误差以上，须写明依据。"),
    )
    points_awarded = models.PositiveIntegerField(_("已发放积分"), default=0)
    revision = models.PositiveSmallIntegerField(_("核验版本"), default=0)

    class Meta:
        verbose_name = _("签到与核验")
        verbose_name_plural = _("签到与核验")
        ordering = ["session__starts_at", "id"]
        indexes = [
            models.Index(fields=["worker", "outcome"]),
            models.Index(fields=["project", "outcome"]),
        ]

    def __str__(self) -> str:
        return f"{self.claim.code} {self.get_status_display()}"

    @property
    def counts_as_served(self) -> bool:
        return self.outcome in (Outcome.FULL, Outcome.PARTIAL)


class AwardStatus(models.TextChoices):
    PENDING = "pending", _("待发放（积分池不足）")
    AWARDED = "awarded", _("已发放")
    REVERSED = "reversed", _("已冲正")
    VOID = "void", _("已作废")


class Award(models.Model):
    """One award decision on an attendance, with the ledger transfer that carries it.

    Revision 1 uses the transfer id ``volunteer:<attendance>:verify``; a correction reverses the
    current award (``volunteer:<attendance>:reverse:<n>``) and writes revision n+1 with
    ``volunteer:<attendance>:verify:<n+1>``. Ids are derived, never random, so every retry of the
    same decision lands on the same ledger entry.
    """

    attendance = models.ForeignKey(
        Attendance, verbose_name=_("签到与核验"), on_delete=models.PROTECT, related_name="awards"
    )
    revision = models.PositiveSmallIntegerField(_("版本"))
    transfer_id = models.CharField(_("交易编号"), max_length=128, unique=True)
    points_requested = models.PositiveIntegerField(_("应发积分"))
    points_granted = models.PositiveIntegerField(_("实发积分"), default=0)
    limited_by = models.CharField(_("受限于"), max_length=32, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=AwardStatus.choices)
    reversal_transfer_id = models.CharField(_("冲正交易编号"), max_length=128, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    settled_at = models.DateTimeField(_("发放时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("积分发放")
        verbose_name_plural = _("积分发放")
        ordering = ["attendance", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["attendance", "revision"], name="volunteering_award_unique_revision"
            )
        ]

    def __str__(self) -> str:
        return self.transfer_id


# The evidence of the online kinds has its own module; importing it here registers its models.
from nuanxin.volunteering.evidence import (  # noqa: E402, F401
    ErrandEvidence,
    HelpedGroup,
    LivestreamEvidence,
    LivestreamPlatform,
)
