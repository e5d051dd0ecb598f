"""三找行动: survey campaigns and what they found."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nuanxin.registry.models.ledger import Enterprise, Worker


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
