"""Client applications allowed to file service requests, and the tokens of the requests filed.

An API key is shown once, when it is issued; only its SHA-256 digest is kept (the key is 32
random bytes, so a fast digest is as good as a slow password hash and lets a request be
authenticated with one indexed lookup). ``key_prefix`` lets staff tell keys apart.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nuanxin.core.fields import PhoneField


class ClientApplication(models.Model):
    """Another system (a 12345 hotline, a city app) that talks to nuanxin through Open311."""

    code = models.SlugField(
        _("应用代码"),
        max_length=40,
        unique=True,
        help_text=_("记在每条经由它提交的问题上，创建后不能修改。"),
    )
    name = models.CharField(_("应用名称"), max_length=100)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    # The developer's own number: sealed at rest where PII_SEAL_PHONES is on.
    contact_phone = PhoneField(
        _("联系电话"), blank=True, purpose="open311.client.contact_phone", input_length=30
    )
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    key_prefix = models.CharField(_("密钥前缀"), max_length=16, editable=False)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    can_submit = models.BooleanField(
        _("可提交问题"), default=True, help_text=_("关闭后该应用只能查询，不能提交。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    key_issued_at = models.DateTimeField(_("密钥签发时间"))
    last_used_at = models.DateTimeField(_("最近提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 接入应用")
        verbose_name_plural = _("Open311 接入应用")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def client_id(self) -> str:
        """What ``Report.client_id`` holds for the requests this application filed."""
        return f"open311:{self.code}"


class RequestToken(models.Model):
    """The token answered with every new service request (``GET tokens/{token}``), and the
    request's retry key.

    Requests are created at once, so the id is known immediately; the token is for clients
    written for servers that answer later.
    """

    token = models.CharField(_("令牌"), max_length=64, unique=True)
    report = models.OneToOneField(
        "reports.Report",
        verbose_name=_("问题"),
        on_delete=models.CASCADE,
        related_name="open311_token",
    )
    client = models.ForeignKey(
        ClientApplication,
        verbose_name=_("接入应用"),
        on_delete=models.PROTECT,
        related_name="tokens",
    )
    # The retry key of a request filed with a device_id (see ``Submission.submit_key``); NULL
    # when there is none, so the unique pair leaves requests without a key alone.
    submit_key = models.CharField(_("提交键"), max_length=80, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("请求令牌")
        verbose_name_plural = _("请求令牌")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "submit_key"], name="open311_token_submit_key_unique"
            )
        ]

    def __str__(self) -> str:
        return self.token
