"""Runs of the Excel import."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nuanxin.registry.models.campaigns import SurveyCampaign


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
