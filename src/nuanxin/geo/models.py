from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    CITY = "city", _("市")
    COUNTY = "county", _("县（市、区）")
    STREET = "street", _("街道（镇）")
    COMMUNITY = "community", _("社区（村）")
    GRID = "grid", _("网格")


LEVEL_DEPTH: dict[str, int] = {
    RegionLevel.CITY: 0,
    RegionLevel.COUNTY: 1,
    RegionLevel.STREET: 2,
    RegionLevel.COMMUNITY: 3,
    RegionLevel.GRID: 4,
}


class Region(models.Model):
    """A node of the city > county > street > community > grid tree.

    ``path`` is the chain of codes from the root ("440800/440802/440802005/"): a subtree is a
    prefix, which is what jurisdiction scoping filters on. Boundaries are GeoJSON geometries in
    WGS-84; ``is_demo_boundary`` marks approximate outlines that are not official data.
    """

    code = models.CharField(_("区划代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=RegionLevel.choices)
    depth = models.PositiveSmallIntegerField(_("深度"), editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    boundary = models.JSONField(_("边界（GeoJSON）"), null=True, blank=True)
    centre_lon = models.FloatField(_("中心经度"), null=True, blank=True)
    centre_lat = models.FloatField(_("中心纬度"), null=True, blank=True)
    is_demo_boundary = models.BooleanField(_("演示用近似边界"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "parent"])]

    def __str__(self) -> str:
        return self.name

    @property
    def centre(self) -> tuple[float, float] | None:
        if self.centre_lon is None or self.centre_lat is None:
            return None
        return (self.centre_lon, self.centre_lat)

    def ancestors(self) -> list["Region"]:
        """The chain from the root down to this region, itself included (one query)."""
        codes = [code for code in self.path.split("/") if code]
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [by_code[code] for code in codes if code in by_code]

    def ancestor_at(self, level: str) -> "Region | None":
        """This region or its ancestor at ``level`` (None when it lies above that level)."""
        if self.level == level:
            return self
        if self.depth <= LEVEL_DEPTH[level]:
            return None
        return next((region for region in self.ancestors() if region.level == level), None)

    def full_name(self) -> str:
        return "".join(region.name for region in self.ancestors() if region.depth > 0)
