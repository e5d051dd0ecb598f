"""Coverage records: each road network import, and the imported demand hot spots.

The network itself is not in the database (``network.py`` keeps it as arrays in a file); a
``RoadNetworkImport`` row says which file was imported, when, by whom, what it holds and what
was dropped, and whether it is generated (the demo's) rather than read from real map data.
"""

import uuid

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


class SitingRun(models.Model):
    """A siting request computed in the background (``coverage.tasks``): what was asked, how
    far the worker has got, and what it found, kept so the page can poll it and export it.

    Only the planner who asked sees it: the result is computed within their jurisdiction."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    query = models.CharField(_("选址参数"), max_length=2000)
    state = models.CharField(_("状态"), max_length=10, choices=State, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=20, blank=True)
    task_id = models.CharField(_("后台任务"), max_length=64, blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)
    xlsx = models.BinaryField(_("Excel 结果"), null=True, blank=True)
    geojson_gz = models.BinaryField(_("GeoJSON 结果（gzip）"), null=True, blank=True)
    error_code = models.CharField(_("错误代码"), max_length=60, blank=True)
    error_message = models.CharField(_("错误信息"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("选址计算")
        verbose_name_plural = _("选址计算")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="sitingrun_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
