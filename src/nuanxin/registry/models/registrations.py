"""报到备案: registrations of enterprises and workers with communities."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nuanxin.registry.models.ledger import Enterprise, Worker


class RegistrationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    ACCEPTED = "accepted", _("已通过")
    REJECTED = "rejected", _("已退回")
    WITHDRAWN = "withdrawn", _("已撤销")


OPEN_REGISTRATION_STATUSES = (RegistrationStatus.SUBMITTED, RegistrationStatus.ACCEPTED)


class RegistrationChannel(models.TextChoices):
    QR = "qr", _("扫码报到")
    STAFF = "staff", _("工作人员代办")
    API = "api", _("接口")


class Registration(models.Model):
    """报到备案: an enterprise or a worker registers with a community, which accepts or rejects.

    A subject has at most one open (submitted or accepted) registration: moving to another
    community withdraws the old one first, so accepted registrations count each subject once.
    """

    community = models.ForeignKey(
        "geo.Region",
        verbose_name=_("报到社区"),
        on_delete=models.PROTECT,
        related_name="registry_registrations",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    worker = models.ForeignKey(
        Worker,
        verbose_name=_("从业人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.SUBMITTED,
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=RegistrationChannel.choices)
    note = models.TextField(_("说明"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("报到备案")
        verbose_name_plural = _("报到备案")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["community", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=True, worker__isnull=False)
                | Q(enterprise__isnull=False, worker__isnull=True),
                name="registry_registration_one_subject",
            ),
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(status__in=["submitted", "accepted"], enterprise__isnull=False),
                name="registry_one_open_registration_per_enterprise",
            ),
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(status__in=["submitted", "accepted"], worker__isnull=False),
                name="registry_one_open_registration_per_worker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.community}"

    @property
    def subject(self) -> Enterprise | Worker:
        return self.enterprise if self.enterprise_id else self.worker

    @property
    def subject_kind(self) -> str:
        return "enterprise" if self.enterprise_id else "worker"
