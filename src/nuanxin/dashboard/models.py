"""The dashboard's snapshot: one row per region, written by the periodic job."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from nuanxin.geo.models import Region


class Snapshot(models.Model):
    """Every figure and chart count of one region's subtree, as the job added them up at
    ``taken_at`` (``since``: the first day of the charts' window). ``data`` is JSON text, not
    a JSON column, so the order of the charts' categories is kept as written."""

    region = models.OneToOneField(
        Region, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    taken_at = models.DateTimeField(_("统计时间"))
    since = models.DateTimeField(_("图表起始"))
    data = models.TextField(_("数据"))

    class Meta:
        verbose_name = _("数据大屏快照")
        verbose_name_plural = _("数据大屏快照")

    def __str__(self) -> str:
        return f"{self.region_id} @ {self.taken_at:%Y-%m-%d %H:%M}"
