"""台账: new-economy enterprises, their workers, registrations with communities, surveys.

Phone and ID numbers are stored in full (they are the keys offices match their sheets on) and
shown masked everywhere; the full numbers appear only in the audited detail view and in exports
by users allowed to see them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nuanxin.core.masking import mask_id_number, mask_phone


class EnterpriseKind(models.TextChoices):
    PLATFORM_HQ = "platform_hq", _("平台总部")
    REGIONAL_BRANCH = "regional_branch", _("区域分公司")
    STATION = "station", _("配送站点")
    FRANCHISE = "franchise", _("加盟商")
    ECOMMERCE = "ecommerce", _("电商企业")
    LIVESTREAM = "livestream", _("直播企业")
    LOGISTICS_PARK = "logistics_park", _("物流园区")


class Industry(models.TextChoices):
    FOOD_DELIVERY = "food_delivery", _("外卖配送")
    EXPRESS = "express", _("快递")
    RIDE_HAILING = "ride_hailing", _("网约车")
    FREIGHT = "freight", _("货运")
    ECOMMERCE = "ecommerce", _("电子商务")
    LIVESTREAM = "livestream", _("直播")
    OTHER = "other", _("其他")


class EnterpriseStatus(models.TextChoices):
    ACTIVE = "active", _("在营")
    SUSPENDED = "suspended", _("停业")
    CLOSED = "closed", _("注销")


# Suggestions for the free-text brand field; any other brand may be typed.
PLATFORM_BRANDS = (
    "美团", "饿了么", "京东", "顺丰", "中通", "圆通", "申通", "韵达", "极兔", "中国邮政",
    "德邦", "滴滴", "曹操出行", "T3出行", "花小猪", "高德打车", "货拉拉", "满帮", "快狗打车",
    "闪送", "达达", "UU跑腿", "抖音", "快手", "淘宝", "拼多多",
)  # fmt: skip


class Enterprise(models.Model):
    """A new-economy enterprise or one of its sites (station, branch, park) in the city."""

    name = models.CharField(_("企业名称"), max_length=200, unique=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True
    )
    kind = models.CharField(_("企业类型"), max_length=20, choices=EnterpriseKind.choices)
    industry = models.CharField(_("所属行业"), max_length=20, choices=Industry.choices)
    platform_brand = models.CharField(_("平台品牌"), max_length=50, blank=True)
    hq_outside_city = models.BooleanField(_("总部在市外"), default=False)
    address = models.CharField(_("详细地址"), max_length=255, blank=True)
    lon = models.FloatField(_("经度（WGS-84）"), null=True, blank=True)
    lat = models.FloatField(_("纬度（WGS-84）"), null=True, blank=True)
    region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("所属区域"),
        on_delete=models.PROTECT,
        related_name="registry_enterprises",
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    worker_count = models.PositiveIntegerField(_("从业人员数"), null=True, blank=True)
    status = models.CharField(
        _("经营状态"),
        max_length=12,
        choices=EnterpriseStatus.choices,
        default=EnterpriseStatus.ACTIVE,
    )
    liaisons = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("企业联络员"),
        related_name="liaison_enterprises",
        blank=True,
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业台账")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["region", "status"]),
            models.Index(fields=["industry"]),
        ]
        permissions = [("view_full_numbers", _("可查看完整手机号和身份证号"))]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)


class Occupation(models.TextChoices):
    RIDER = "rider", _("外卖骑手")
    COURIER = "courier", _("快递员")
    RIDE_HAILING_DRIVER = "ride_hailing_driver", _("网约车司机")
    FREIGHT_DRIVER = "freight_driver", _("货车司机")
    LIVESTREAMER = "livestreamer", _("主播")
    OTHER = "other", _("其他")


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE_MEMBER = "league_member", _("共青团员")
    MASSES = "masses", _("群众")


# Party statistics count probationary members in the number of party members (党员总数).
PARTY_STATUSES = (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY)


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class WorkerStatus(models.TextChoices):
    ACTIVE = "active", _("在职")
    LEFT = "left", _("离职")


class Worker(models.Model):
    """A delivery rider, courier, driver or livestreamer working in the city.

    ``region`` is where the worker is managed (work region, else home region, else the first
    enterprise's region); it is derived by the services and is what jurisdiction filters on.
    """

    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=11, unique=True)
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True, null=True, blank=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True)
    occupation = models.CharField(_("职业"), max_length=24, choices=Occupation.choices)
    enterprises = models.ManyToManyField(
        Enterprise, verbose_name=_("所属企业"), related_name="workers", blank=True
    )
    home_region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("居住地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    work_region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("工作地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("管理区域"),
        on_delete=models.PROTECT,
        related_name="registry_workers",
        editable=False,
    )
    political_status = models.CharField(
        _("政治面貌"),
        max_length=16,
        choices=PoliticalStatus.choices,
        default=PoliticalStatus.MASSES,
    )
    union_member = models.BooleanField(_("工会会员"), default=False)
    status = models.CharField(
        _("在职状态"), max_length=8, choices=WorkerStatus.choices, default=WorkerStatus.ACTIVE
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registry_worker",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("从业人员")
        verbose_name_plural = _("从业人员台账")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["region", "status"]),
            models.Index(fields=["political_status"]),
            models.Index(fields=["occupation"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.masked_phone}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def is_party_member(self) -> bool:
        return self.political_status in PARTY_STATUSES


class RegistrationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    ACCEPTED = "accepted", _("已通过")
    REJECTED = "rejected", _("已退回")
    WITHDRAWN = "withdrawn", _("已撤销")


OPEN_REGISTRATION_STATUSES = (RegistrationStatus.SUBMITTED, RegistrationStatus.ACCEPTED)


class RegistrationChannel(models.TextChoices):
    QR = "qr", _("扫码报到")
    STAFF = "staff", _("工作人员代办")
    API = "api", _("接口")


class Registration(models.Model):
    """报到备案: an enterprise or a worker registers with a community, which accepts or rejects.

    A subject has at most one open (submitted or accepted) registration: moving to another
    community withdraws the old one first, so accepted registrations count each subject once.
    """

    community = models.ForeignKey(
        "geo.Region",
        verbose_name=_("报到社区"),
        on_delete=models.PROTECT,
        related_name="registry_registrations",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    worker = models.ForeignKey(
        Worker,
        verbose_name=_("从业人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.SUBMITTED,
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=RegistrationChannel.choices)
    note = models.TextField(_("说明"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("报到备案")
        verbose_name_plural = _("报到备案")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["community", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=True, worker__isnull=False)
                | Q(enterprise__isnull=False, worker__isnull=True),
                name="registry_registration_one_subject",
            ),
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(status__in=["submitted", "accepted"], enterprise__isnull=False),
                name="registry_one_open_registration_per_enterprise",
            ),
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(status__in=["submitted", "accepted"], worker__isnull=False),
                name="registry_one_open_registration_per_worker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.community}"

    @property
    def subject(self) -> Enterprise | Worker:
        return self.enterprise if self.enterprise_id else self.worker

    @property
    def subject_kind(self) -> str:
        return "enterprise" if self.enterprise_id else "worker"


class SurveyCampaign(models.Model):
    """三找行动 (find enterprises, organisations, party members): a survey over target regions.

    ``baseline`` holds the registry counts of each target region when the campaign was created,
    ``final`` the counts when it was closed; the difference is what the campaign changed.
    """

    name = models.CharField(_("行动名称"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    target_regions = models.ManyToManyField(
        "geo.Region", verbose_name=_("目标区域"), related_name="registry_campaigns"
    )
    baseline = models.JSONField(_("行动前底数"), default=dict, editable=False)
    final = models.JSONField(_("行动结束时底数"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("三找行动")
        verbose_name_plural = _("三找行动")
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class FindingKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("找企业")
    ORGANISATION = "organisation", _("找组织")
    MEMBER = "member", _("找党员")


class FindingOutcome(models.TextChoices):
    NEW = "new", _("新发现")
    UPDATED = "updated", _("信息更新")
    CONFIRMED = "confirmed", _("核实无变化")


class OrganisationKind(models.TextChoices):
    PARTY = "party", _("党组织")
    UNION = "union", _("工会")
    LEAGUE = "league", _("共青团")
    WOMEN = "women", _("妇联")
    OTHER = "other", _("其他")


class SurveyFinding(models.Model):
    """One enterprise, organisation or party member found (or re-checked) by a campaign."""

    campaign = models.ForeignKey(
        SurveyCampaign, verbose_name=_("行动"), on_delete=models.PROTECT, related_name="findings"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=FindingKind.choices)
    outcome = models.CharField(_("结果"), max_length=12, choices=FindingOutcome.choices)
    region = models.ForeignKey(
        "geo.Region", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    worker = models.ForeignKey(
        Worker,
        verbose_name=_("党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation_name = models.CharField(_("组织名称"), max_length=200, blank=True)
    organisation_kind = models.CharField(
        _("组织类别"), max_length=8, choices=OrganisationKind.choices, blank=True
    )
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    note = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访发现")
        verbose_name_plural = _("走访发现")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "enterprise"],
                condition=Q(kind="enterprise"),
                name="registry_finding_enterprise_once",
            ),
            models.UniqueConstraint(
                fields=["campaign", "worker"],
                condition=Q(kind="member"),
                name="registry_finding_member_once",
            ),
            models.UniqueConstraint(
                fields=["campaign", "region", "organisation_name"],
                condition=Q(kind="organisation"),
                name="registry_finding_organisation_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject_name}"

    @property
    def subject_name(self) -> str:
        if self.enterprise_id:
            return self.enterprise.name
        if self.worker_id:
            return self.worker.name
        return self.organisation_name


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "atomic", _("全部成功才写入")
    ROW_BY_ROW = "rows", _("逐行导入（跳过有错误的行）")
    DRY_RUN = "dry_run", _("只校验，不写入")


class ImportStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("已导入")
    PARTIAL = "partial", _("部分导入")
    FAILED = "failed", _("有错误，未写入")
    CHECKED = "checked", _("校验完成（未写入）")


class ImportJob(models.Model):
    """One run of the Excel import: what it counted and every problem it found, per row."""

    file_name = models.CharField(_("文件名"), max_length=255)
    mode = models.CharField(_("方式"), max_length=8, choices=ImportMode.choices)
    status = models.CharField(_("结果"), max_length=10, choices=ImportStatus.choices)
    counts = models.JSONField(_("统计"), default=dict)
    errors = models.JSONField(_("错误"), default=list)
    warnings = models.JSONField(_("提示"), default=list)
    campaign = models.ForeignKey(
        SurveyCampaign,
        verbose_name=_("三找行动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region_path = models.CharField(_("导入人管辖区域"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True, db_index=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} · {self.get_status_display()}"

    @property
    def error_count(self) -> int:
        return len(self.errors)
