"""Organisations (a tree), their officers and status over time, memberships, badges, mass
organisations, party-work instructors and grid members."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    JOINT_COMMITTEE = "joint_committee", _("联合党委")


class BranchType(models.TextChoices):
    REGULAR = "regular", _("常规")
    FUNCTIONAL = "functional", _("功能型")
    MOBILE = "mobile", _("流动党支部")


class Attachment(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    PARK = "park", _("产业园区")
    CHAIN = "chain", _("产业链")
    REGION = "region", _("区域")


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("已成立")
    MERGED = "merged", _("已合并")
    DISSOLVED = "dissolved", _("已撤销")


class Organisation(models.Model):
    """A party organisation. ``region`` is where it sits (what jurisdiction filters on); what it
    is attached to is an enterprise or a park of the registry, an industry chain by name, or the
    region itself. ``covered_enterprises`` are the other enterprises a joint or regional
    organisation covers (两个覆盖)."""

    name = models.CharField(_("组织名称"), max_length=200, unique=True)
    kind = models.CharField(_("组织类别"), max_length=20, choices=OrgKind.choices)
    branch_type = models.CharField(
        _("支部类型"), max_length=12, choices=BranchType.choices, default=BranchType.REGULAR
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    attachment = models.CharField(_("依托类型"), max_length=12, choices=Attachment.choices)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("依托企业或园区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_organisations",
    )
    chain_name = models.CharField(_("产业链"), max_length=100, blank=True)
    region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("所在区域"),
        on_delete=models.PROTECT,
        related_name="party_organisations",
    )
    covered_enterprises = models.ManyToManyField(
        "registry.Enterprise",
        verbose_name=_("覆盖企业"),
        related_name="covering_party_organisations",
        blank=True,
    )
    founded_on = models.DateField(_("成立日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=OrgStatus.choices, default=OrgStatus.ACTIVE
    )
    ended_on = models.DateField(_("合并或撤销日期"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["region__path", "name"]
        permissions = [("party_work", _("党务工作（可查看管辖区域内的党建数据）"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active", ended_on__isnull=True)
                | (~Q(status="active") & Q(ended_on__isnull=False)),
                name="party_org_status_has_end",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrgStatusChange(models.Model):
    """One step of an organisation's life: set up, merged, dissolved (and re-established)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(_("状态"), max_length=12, choices=OrgStatus.choices)
    on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("组织状态变更")
        verbose_name_plural = _("组织状态变更")
        ordering = ["organisation", "on", "id"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_status_display()} {self.on}"


class OfficerPost(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY = "deputy", _("副书记")
    MEMBER = "member", _("委员")


class Officer(models.Model):
    """The secretary and committee members of an organisation, over time."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="officers"
    )
    post = models.CharField(_("职务"), max_length=12, choices=OfficerPost.choices)
    name = models.CharField(_("姓名"), max_length=50)
    worker = models.ForeignKey(
        "registry.Worker", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("组织委员")
        verbose_name_plural = _("组织委员")
        ordering = ["organisation", "post", "started_on"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_post_display()} {self.name}"


class MembershipKind(models.TextChoices):
    FORMAL = "formal", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")
    ACTIVIST = "activist", _("入党积极分子")


PARTY_MEMBER_KINDS = (MembershipKind.FORMAL, MembershipKind.PROBATIONARY)


class LeaveReason(models.TextChoices):
    TRANSFER = "transfer", _("组织关系转出")
    ORG_ENDED = "org_ended", _("组织合并或撤销")
    MOVED_AWAY = "moved_away", _("离开本市")
    DECEASED = "deceased", _("去世")
    EXPELLED = "expelled", _("开除党籍")
    OTHER = "other", _("其他")


class Membership(models.Model):
    """A worker's period in one organisation. A person has at most one open period at a time
    (partial unique index); one that ends says why, and a transfer links the next period."""

    worker = models.ForeignKey(
        "registry.Worker",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="party_memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所在组织"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    kind = models.CharField(_("类别"), max_length=14, choices=MembershipKind.choices)
    mobile = models.BooleanField(_("流动党员"), default=False)
    joined_on = models.DateField(_("转入日期"))
    left_on = models.DateField(_("转出日期"), null=True, blank=True)
    leave_reason = models.CharField(
        _("转出原因"), max_length=12, choices=LeaveReason.choices, blank=True
    )
    leave_note = models.CharField(_("转出说明"), max_length=300, blank=True)
    next = models.OneToOneField(
        "self",
        verbose_name=_("转入后的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="previous",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党员组织关系")
        verbose_name_plural = _("党员组织关系")
        ordering = ["worker", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(left_on__isnull=True),
                name="party_one_open_membership",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | ~Q(leave_reason=""),
                name="party_leaving_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="party_leaves_after_joining",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "left_on"])]

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.organisation}"

    @property
    def is_party_member(self) -> bool:
        return self.kind in PARTY_MEMBER_KINDS


class Badge(models.Model):
    """亮身份: a party member's choice to show the pioneer badge (先锋). Only ``shown`` badges of
    people still in an organisation are ever visible outside party-work staff."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="party_badge"
    )
    shown = models.BooleanField(_("亮明身份"), default=False)
    changed_at = models.DateTimeField(_("最近更改"), auto_now=True)

    class Meta:
        verbose_name = _("亮身份")
        verbose_name_plural = _("亮身份")

    def __str__(self) -> str:
        return f"{self.user_id} {'shown' if self.shown else 'hidden'}"


class InstructorAssignment(models.Model):
    """A party-building instructor (党建指导员) assigned to an enterprise: party work coverage
    without an organisation of its own."""

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="party_instructors",
    )
    name = models.CharField(_("指导员姓名"), max_length=50)
    started_on = models.DateField(_("派驻日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("党建指导员")
        verbose_name_plural = _("党建指导员")
        ordering = ["enterprise", "-started_on"]

    def __str__(self) -> str:
        return f"{self.name} → {self.enterprise}"


class MassKind(models.TextChoices):
    UNION = "union", _("工会")
    LEAGUE = "league", _("共青团")
    WOMEN = "women", _("妇联")


class MassOrganisation(models.Model):
    """A trade union, Youth League or Women's Federation body, attached to an enterprise, a
    station (by name) or a region."""

    name = models.CharField(_("组织名称"), max_length=200, unique=True)
    kind = models.CharField(_("类别"), max_length=8, choices=MassKind.choices)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("依托企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mass_organisations",
    )
    station_name = models.CharField(_("依托驿站"), max_length=200, blank=True)
    region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("所在区域"),
        on_delete=models.PROTECT,
        related_name="mass_organisations",
    )
    founded_on = models.DateField(_("成立日期"))
    ended_on = models.DateField(_("撤销日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("群团组织")
        verbose_name_plural = _("群团组织")
        ordering = ["region__path", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class MassMembership(models.Model):
    organisation = models.ForeignKey(
        MassOrganisation, on_delete=models.CASCADE, related_name="memberships"
    )
    worker = models.ForeignKey(
        "registry.Worker", on_delete=models.PROTECT, related_name="mass_memberships"
    )
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("群团组织成员")
        verbose_name_plural = _("群团组织成员")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "worker"],
                condition=Q(left_on__isnull=True),
                name="party_one_open_mass_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.organisation}"


class GridMember(models.Model):
    """A worker enrolled as a part-time grid member (兼职网格员) of a grid."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("网格员"),
        on_delete=models.PROTECT,
        related_name="grid_memberships",
    )
    grid = models.ForeignKey(
        "geo.Region",
        verbose_name=_("网格"),
        on_delete=models.PROTECT,
        related_name="grid_members",
    )
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("兼职网格员")
        verbose_name_plural = _("兼职网格员")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "grid"],
                condition=Q(left_on__isnull=True),
                name="party_one_open_grid_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.grid_id}"
