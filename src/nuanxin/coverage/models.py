"""Coverage records: each road network import, and the imported demand hot spots.

The network itself is not in the database (``network.py`` keeps it as arrays in a file); a
``RoadNetworkImport`` row says which file was imported, when, by whom, what it holds and what
was dropped, and whether it is generated (the demo's) rather than read from real map data.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RoadNetworkImport(models.Model):
    source = models.CharField(_("来源"), max_length=255)
    is_generated = models.BooleanField(
        _("生成的路网"), default=False, help_text=_("演示用的生成路网，不是真实道路数据。")
    )
    nodes = models.PositiveIntegerField(_("节点数"))
    ride_edges = models.PositiveIntegerField(_("电动车路段数"))
    walk_edges = models.PositiveIntegerField(_("步行路段数"))
    summary = models.JSONField(_("导入摘要"), default=dict)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("路网导入")
        verbose_name_plural = _("路网导入")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} ({self.nodes})"


class HotSpot(models.Model):
    """A place where workers need a station (an order hot spot, a population cell), imported
    from a sheet; its weight is how many people it stands for."""

    name = models.CharField(_("名称"), max_length=100)
    lon = models.FloatField(_("经度（WGS-84）"))
    lat = models.FloatField(_("纬度（WGS-84）"))
    weight = models.FloatField(_("权重（人数）"))
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("需求热点")
        verbose_name_plural = _("需求热点")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lon__gte=-180, lon__lte=180, lat__gte=-90, lat__lte=90),
                name="hotspot_lonlat_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="hotspot_weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name
