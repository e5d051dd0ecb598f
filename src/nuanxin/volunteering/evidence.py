"""What a worker reports for the online kinds of project, on their claim, for staff to verify.

* 随手办 (``ProjectKind.ERRANDS``): small online errands done for residents (paying a bill,
  booking a hospital appointment, renewing a card). The worker reports how many errands and how
  many residents were helped per group (老人, 残疾人, 其他居民), and may say what kind of errands
  they were. Nobody helped is named: there are counts only, and the note refuses anything that
  looks like a phone or identity number.
* 随时推 (``ProjectKind.LIVESTREAM``): a livestream promoting local products (徐闻 pineapples,
  廉江 red oranges). The worker reports the product, the platform, the duration in minutes and the
  viewers and items sold the platform showed; these are figures as reported, not audited sales.

The evidence belongs to the claim (the work is not done at the meeting place, so there may be no
scan and no attendance until staff verify). It can be changed until the attendance is verified;
the verification (``attendance_verify``) requires it and the points follow the project's rule
like any other volunteering.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class HelpedGroup(models.TextChoices):
    ELDERLY = "elderly", _("老人")
    DISABLED = "disabled", _("残疾人")
    OTHER = "other", _("其他居民")


class LivestreamPlatform(models.TextChoices):
    DOUYIN = "douyin", _("抖音")
    KUAISHOU = "kuaishou", _("快手")
    CHANNELS = "wechat_channels", _("微信视频号")
    TAOBAO = "taobao", _("淘宝直播")
    OTHER = "other", _("其他平台")


class ErrandEvidence(models.Model):
    claim = models.OneToOneField(
        "volunteering.Claim",
        verbose_name=_("认领"),
        on_delete=models.PROTECT,
        related_name="errand_evidence",
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("劳动者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    errands = models.PositiveSmallIntegerField(_("代办件数"))
    helped_elderly = models.PositiveSmallIntegerField(_("帮助老人（人）"), default=0)
    helped_disabled = models.PositiveSmallIntegerField(_("帮助残疾人（人）"), default=0)
    helped_other = models.PositiveSmallIntegerField(_("帮助其他居民（人）"), default=0)
    note = models.CharField(_("代办事项"), max_length=200, blank=True)
    reported_at = models.DateTimeField(_("上报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("随手办记录")
        verbose_name_plural = _("随手办记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(errands__gte=1),
                name="volunteering_errands_at_least_one",
            ),
            models.CheckConstraint(
                condition=Q(
                    errands__gte=F("helped_elderly") + F("helped_disabled") + F("helped_other")
                ),
                name="volunteering_errands_cover_helped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.errands}"

    @property
    def helped(self) -> int:
        return self.helped_elderly + self.helped_disabled + self.helped_other


class LivestreamEvidence(models.Model):
    claim = models.OneToOneField(
        "volunteering.Claim",
        verbose_name=_("认领"),
        on_delete=models.PROTECT,
        related_name="livestream_evidence",
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("劳动者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    product = models.CharField(_("推广产品"), max_length=60)
    platform = models.CharField(_("直播平台"), max_length=20, choices=LivestreamPlatform.choices)
    minutes = models.PositiveSmallIntegerField(_("直播时长（分钟）"))
    viewers = models.PositiveIntegerField(_("观看人数（自报）"))
    items_sold = models.PositiveIntegerField(_("售出件数（自报）"))
    reported_at = models.DateTimeField(_("上报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("随时推记录")
        verbose_name_plural = _("随时推记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1), name="volunteering_livestream_minutes_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.product}"
