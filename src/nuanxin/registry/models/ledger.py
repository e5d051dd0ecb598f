"""The ledgers: enterprises and their workers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nuanxin.core.crypto import blind_index
from nuanxin.core.fields import PhoneField, PhoneQuerySet, SealedTextField
from nuanxin.core.masking import mask_id_number, mask_phone

ID_NUMBER_PURPOSE = "registry.worker.id_number"
WORKER_PHONE_PURPOSE = "registry.worker.phone"
ENTERPRISE_PHONE_PURPOSE = "registry.enterprise.contact_phone"


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
    # A person's number as often as an office's: sealed where PII_SEAL_PHONES is on.
    contact_phone = PhoneField(
        _("联系电话"), blank=True, purpose=ENTERPRISE_PHONE_PURPOSE, input_length=20
    )
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
    # Sealed at rest where PII_SEAL_PHONES is on (core.fields.PhoneField): sheets and searches
    # find a worker by phone_hash (the whole number) or phone_tail (its last four digits).
    phone = PhoneField(
        _("手机号"),
        unique=True,
        purpose=WORKER_PHONE_PURPOSE,
        hash_field="phone_hash",
        tail_field="phone_tail",
        input_length=11,
    )
    phone_hash = models.CharField(
        _("手机号检索值"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    phone_tail = models.CharField(
        _("手机尾号"), max_length=4, blank=True, db_index=True, editable=False
    )
    # Sealed at rest (core.crypto); found and kept unique by its keyed hash.
    id_number = SealedTextField(
        _("身份证号"),
        purpose=ID_NUMBER_PURPOSE,
        hash_field="id_number_hash",
        null=True,
        blank=True,
    )
    id_number_hash = models.CharField(
        _("身份证号检索值"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
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

    objects = PhoneQuerySet.as_manager()

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


def id_number_key(number: str | None) -> str | None:
    """What a worker with this ID number is found by (``Worker.id_number_hash``)."""
    return blind_index(number, purpose=ID_NUMBER_PURPOSE)
