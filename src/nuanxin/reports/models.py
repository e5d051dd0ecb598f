"""随手拍 problem reports: categories, departments, reports, photos, history, templates.

A report's location is stored in WGS-84 and routed to the deepest region containing it (a grid or
a community); ``community`` is the community above it, whose points pool pays an accepted report.
Every state change writes a ``ReportEvent``: the reporter's timeline and the moderation history.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nuanxin.core.fields import PhoneField


class Department(models.Model):
    """A body that handles reports (fire brigade, urban management ...), optionally local."""

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("服务区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示全市。"),
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("责任部门")
        verbose_name_plural = _("责任部门")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PublicLocation(models.TextChoices):
    APPROXIMATE = "approximate", _("约 200 米范围")
    COMMUNITY = "community", _("仅显示到社区")
    HIDDEN = "hidden", _("不公开")


class Category(models.Model):
    """What a report is about; ``code`` is the Open311 service_code.

    ``questions`` are the category's extra questions (Open311 attributes): a list of
    ``{"code", "label", "type": "text|number|single|multi|bool", "required", "options":
    [{"key", "name"}], "hint"}``; answers are stored on the report under each ``code``.
    """

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    group = models.CharField(_("分组"), max_length=60, blank=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    points = models.PositiveIntegerField(_("审核通过奖励积分"), default=0)
    department = models.ForeignKey(
        Department,
        verbose_name=_("默认责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="categories",
    )
    questions = models.JSONField(_("补充问题"), default=list, blank=True)
    anonymous_public = models.BooleanField(
        _("对公众匿名"),
        default=False,
        help_text=_("公开地图只显示到社区一级，不显示任何细节（如食品安全、治安线索）。"),
    )
    public_photos = models.BooleanField(
        _("公开照片"), default=False, help_text=_("默认不公开照片，以免暴露人脸和车牌。")
    )
    handling_hours = models.PositiveIntegerField(_("处置时限（小时）"), default=72)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def public_location(self) -> str:
        return PublicLocation.COMMUNITY if self.anonymous_public else PublicLocation.APPROXIMATE


class CategoryRoute(models.Model):
    """A department that handles a category in one area instead of the category's default."""

    category = models.ForeignKey(
        Category, verbose_name=_("类别"), on_delete=models.CASCADE, related_name="routes"
    )
    region = models.ForeignKey(
        "geo.Region", verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("分区派单规则")
        verbose_name_plural = _("分区派单规则")
        constraints = [
            models.UniqueConstraint(fields=["category", "region"], name="reports_route_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category} @ {self.region}"


class State(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    ACCEPTED = "accepted", _("已受理")
    REJECTED = "rejected", _("未通过")
    DUPLICATE = "duplicate", _("重复问题")
    DISPATCHED = "dispatched", _("已派单")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("已关闭")
    REOPENED = "reopened", _("已重新打开")


OPEN_STATES = (State.SUBMITTED, State.REOPENED, State.ACCEPTED, State.DISPATCHED)
REVIEW_STATES = (State.SUBMITTED, State.REOPENED)
FINAL_STATES = (State.REJECTED, State.DUPLICATE)


class Channel(models.TextChoices):
    WEB = "web", _("网页")
    API = "api", _("小程序/App")
    OPEN311 = "open311", _("Open311 接入")


class Report(models.Model):
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    # A reporter without an account (an Open311 client's user) leaves contact details instead.
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    # Sealed at rest where PII_SEAL_PHONES is on; cleared by the retention job.
    contact_phone = PhoneField(
        _("联系电话"), blank=True, purpose="reports.report.contact_phone", input_length=30
    )
    contact_email = models.EmailField(_("电子邮箱"), blank=True)
    channel = models.CharField(
        _("渠道"), max_length=16, choices=Channel.choices, default=Channel.WEB
    )
    client_id = models.CharField(_("接入应用"), max_length=64, blank=True)
    submit_key = models.CharField(_("提交键"), max_length=255, blank=True)

    description = models.TextField(_("问题描述"))
    original_description = models.TextField(_("原始描述"), blank=True)
    answers = models.JSONField(_("补充信息"), default=dict, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    media_url = models.URLField(_("外部图片链接"), max_length=500, blank=True)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))

    region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("所属区域"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    community = models.ForeignKey(
        "geo.Region",
        verbose_name=_("所属社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="community_reports",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_reports",
    )

    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.SUBMITTED
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("重复于"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    reject_reason = models.TextField(_("未通过原因"), blank=True)
    resolution_note = models.TextField(_("处置说明"), blank=True)
    points_requested = models.PositiveIntegerField(_("应得积分"), default=0)
    points_awarded = models.PositiveIntegerField(_("已发积分"), default=0)
    points_limited_by = models.CharField(
        _("少发原因"),
        max_length=16,
        blank=True,
        help_text=_("已发积分少于应得时的原因代码（每日/每月上限、工作人员账号）。"),
    )
    support_count = models.PositiveIntegerField(_("附议人数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重新打开次数"), default=0)
    public_hidden = models.BooleanField(_("不在公开地图显示"), default=False)

    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    state_changed_at = models.DateTimeField(_("状态变更时间"))
    due_at = models.DateTimeField(_("处置期限"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("随手拍问题")
        verbose_name_plural = _("随手拍问题")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Duplicate search: open reports of one category inside a bounding box.
            models.Index(fields=["category", "state", "lat", "lon"], name="reports_nearby_idx"),
            models.Index(fields=["state", "due_at"], name="reports_due_idx"),
            models.Index(fields=["reporter", "-created_at"], name="reports_reporter_idx"),
            models.Index(fields=["region", "state"], name="reports_region_state_idx"),
            # The review queue's count: the waiting reports of a state, read from the index
            # alone (their regions joined to the staff member's subtree).
            models.Index(fields=["state", "region"], name="reports_state_region_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "client_id", "submit_key"],
                condition=~Q(submit_key=""),
                name="reports_submit_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class PhotoKind(models.TextChoices):
    REPORT = "report", _("问题照片")
    RESOLUTION = "resolution", _("处置照片")


class ReportPhoto(models.Model):
    """A re-encoded photo (no EXIF or GPS left); files are served through a checked view."""

    report = models.ForeignKey(
        Report, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="photos"
    )
    kind = models.CharField(
        _("类型"), max_length=16, choices=PhotoKind.choices, default=PhotoKind.REPORT
    )
    image = models.FileField(_("图片"), max_length=200)
    thumbnail = models.FileField(_("缩略图"), max_length=200)
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    size = models.PositiveIntegerField(_("字节数"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    hidden = models.BooleanField(_("已隐藏"), default=False)
    hidden_reason = models.CharField(_("隐藏原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("问题照片")
        verbose_name_plural = _("问题照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.pk}"


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交")
    ACCEPTED = "accepted", _("受理")
    REJECTED = "rejected", _("未通过")
    DUPLICATE = "duplicate", _("标记为重复")
    DUPLICATE_MERGED = "duplicate_merged", _("合并重复问题")
    DISPATCHED = "dispatched", _("派单")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("关闭")
    REOPENED = "reopened", _("重新打开")
    REASSIGNED = "reassigned", _("转交社区")
    ASSIGNED = "assigned", _("指派经办人")
    SUPPORTED = "supported", _("附议")
    PHOTO_HIDDEN = "photo_hidden", _("隐藏照片")
    PHOTO_SHOWN = "photo_shown", _("恢复照片")
    TEXT_EDITED = "text_edited", _("编辑描述")
    PUBLIC_HIDDEN = "public_hidden", _("不在公开地图显示")
    PUBLIC_SHOWN = "public_shown", _("恢复在公开地图显示")
    PHOTO_ADDED = "photo_added", _("补充照片")
    REPORTER_VIEWED = "reporter_viewed", _("查看报告人信息")


class ReportEvent(models.Model):
    """One step in a report's history; ``public_note`` is what the reporter is told."""

    report = models.ForeignKey(
        Report, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, blank=True)
    public_note = models.TextField(_("给报告人的说明"), blank=True)
    internal_note = models.TextField(_("内部备注"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    visible_to_reporter = models.BooleanField(_("报告人可见"), default=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("处理记录")
        verbose_name_plural = _("处理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["report", "at"])]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind}"


class ReportSupport(models.Model):
    """Someone who saw the same problem and added to the report instead of filing another."""

    report = models.ForeignKey(
        Report, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("附议人"),
        on_delete=models.PROTECT,
        related_name="report_supports",
    )
    note = models.CharField(_("补充说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附议")
        verbose_name_plural = _("附议")
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="reports_support_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} +{self.user_id}"


class ResponseTemplate(models.Model):
    """Canned text for a transition (reject reasons, resolution notes ...), per category or all."""

    state = models.CharField(_("适用状态"), max_length=16, choices=State.choices)
    category = models.ForeignKey(
        Category,
        verbose_name=_("类别"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="templates",
        help_text=_("留空表示所有类别。"),
    )
    title = models.CharField(_("标题"), max_length=60)
    text = models.TextField(_("内容"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("回复模板")
        verbose_name_plural = _("回复模板")
        ordering = ["state", "title"]

    def __str__(self) -> str:
        return self.title
