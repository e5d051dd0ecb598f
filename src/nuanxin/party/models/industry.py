"""党建+电商 / 党建+直播 / 党建+产销: periodic figures of the industries the party work serves,
per enterprise, industry park, industry chain or county, as staff report them.

Money is whole yuan in a 64-bit integer column (never a float); every figure is optional, but a
row carries at least one. A subject has one row per theme and period: a corrected figure is a
new entry of the same period that replaces the old one through the service, with an audit row.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# The largest amount of money or items accepted: a hundred trillion (far above any county).
MAX_FIGURE = 10**14


class IndustryTheme(models.TextChoices):
    ECOMMERCE = "ecommerce", _("党建+电商")
    LIVESTREAM = "livestream", _("党建+直播")
    PRODUCTION = "production", _("党建+产销")


class IndustryScope(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    PARK = "park", _("产业园区")
    CHAIN = "chain", _("产业链")
    COUNTY = "county", _("县（市、区）")


FIGURE_FIELDS = ("sales_yuan", "ecommerce_workers", "livestream_sessions", "items_sold")


class IndustryFigure(models.Model):
    """What one subject achieved in one period. ``subject`` is its name as shown (the
    enterprise's or park's name, the chain's name, the county's name); ``region`` is where it
    is counted (an enterprise's own region, a county, or the region a chain is led from)."""

    theme = models.CharField(_("类别"), max_length=12, choices=IndustryTheme.choices)
    scope = models.CharField(_("统计对象类型"), max_length=12, choices=IndustryScope.choices)
    subject = models.CharField(_("统计对象"), max_length=200)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("企业或园区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="industry_figures",
    )
    region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("所在区域"),
        on_delete=models.PROTECT,
        related_name="industry_figures",
    )
    period_start = models.DateField(_("统计期起"))
    period_end = models.DateField(_("统计期止"))
    sales_yuan = models.BigIntegerField(_("网络销售额（元）"), null=True, blank=True)
    ecommerce_workers = models.PositiveIntegerField(_("电商从业人员"), null=True, blank=True)
    livestream_sessions = models.PositiveIntegerField(_("直播场次"), null=True, blank=True)
    items_sold = models.BigIntegerField(_("销售件数"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now=True)

    class Meta:
        verbose_name = _("产业数据")
        verbose_name_plural = _("产业数据（党建+电商/直播/产销）")
        ordering = ["region__path", "subject", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "scope", "subject", "period_start", "period_end"],
                name="party_industry_one_row_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="party_industry_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(sales_yuan__isnull=True)
                | Q(sales_yuan__gte=0, sales_yuan__lte=MAX_FIGURE),
                name="party_industry_sales_bounded",
            ),
            models.CheckConstraint(
                condition=Q(items_sold__isnull=True)
                | Q(items_sold__gte=0, items_sold__lte=MAX_FIGURE),
                name="party_industry_items_bounded",
            ),
            models.CheckConstraint(
                condition=Q(sales_yuan__isnull=False)
                | Q(ecommerce_workers__isnull=False)
                | Q(livestream_sessions__isnull=False)
                | Q(items_sold__isnull=False),
                name="party_industry_has_a_figure",
            ),
        ]
        indexes = [models.Index(fields=["region", "period_end"])]

    def __str__(self) -> str:
        return f"{self.subject} {self.period_start}–{self.period_end}"
