from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nuanxin.core.texts import text_render


class AuditLog(models.Model):
    """One row per state change made by a service: who did what to which object, old -> new,
    from which client address.

    Rows never change and are never deleted through the application (database triggers, see
    migration 0005); once old enough they are sealed into a hash chain (``prev_hash``,
    ``row_hash``: ``core.audit_chain``) so that a change made outside the application, to a
    row's content or by removing or inserting rows, is found by ``nuanxin audit check``.
    """

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=80)
    object_id = models.CharField(_("对象编号"), max_length=64)
    region_path = models.CharField(_("所属区域路径"), max_length=255, blank=True, db_index=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    client_ip = models.CharField(_("客户端地址"), max_length=45, blank=True, db_default="")
    prev_hash = models.CharField(_("前一条的摘要"), max_length=64, blank=True, db_default="")
    row_hash = models.CharField(_("摘要"), max_length=64, blank=True, db_default="")

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # One person's recent actions of a kind: the hourly budget of reveals.
            models.Index(fields=["actor", "action", "at"], name="core_audit_actor_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a write request that carried an Idempotency-Key header."""

    principal = models.CharField(max_length=128)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="idempotency_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.principal}:{self.key}"


class ChangeStamp(models.Model):
    """A counter per topic, bumped by every service that changes data an in-memory index mirrors.

    Each process compares the stamp with the one its index was built from and rebuilds when it
    moved (patching what ``StampChange`` says changed, where it can): one primary-key read per
    lookup keeps several app servers consistent.
    """

    topic = models.CharField(max_length=50, primary_key=True)
    version = models.BigIntegerField(default=0)
    # Random per bump: a version number a rolled-back transaction used is taken again by the
    # next bump, the token never is, so an index built from uncommitted rows is not mistaken
    # for the committed state of the same number.
    token = models.CharField(max_length=32, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.topic}@{self.version}"


class StampChange(models.Model):
    """The keys (object ids) one bump of a topic changed, or null for "everything".

    Written by ``stamp_bump`` in the same transaction as the stamp, so a reader that sees a
    version also sees what changed at it; an index can then patch those keys instead of
    rebuilding. Only the last ``STAMP_LOG_KEEP`` versions per topic are kept (``core.stamps``).
    """

    topic = models.CharField(max_length=50)
    version = models.BigIntegerField()
    token = models.CharField(max_length=32)
    keys = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "version"], name="core_stamp_change_version")
        ]

    def __str__(self) -> str:
        return f"{self.topic}@{self.version}"


class Notification(models.Model):
    """A message to one user inside the app (report reviewed, order ready, points arrived)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=60)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    # Title and body as catalogue keys with parameters (core.texts), shown in the reader's
    # language; title and body above are the same in the site's language.
    texts = models.JSONField(_("文本键与参数"), default=dict, blank=True)
    # When the event was (core.notifications.notification_send), not when the row was written.
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def shown_title(self) -> str:
        """The title in the active language (rows written before texts were kept: as stored)."""
        return text_render(self.texts["title"]) if self.texts.get("title") else self.title

    @property
    def shown_body(self) -> str:
        return text_render(self.texts["body"]) if "body" in self.texts else self.body


class PushSubscription(models.Model):
    """A browser's Web Push subscription (its push service endpoint and the keys to encrypt
    for it), stored for the user logged in when the installed app subscribed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
    )
    endpoint = models.URLField(_("推送地址"), max_length=1000, unique=True)
    p256dh = models.CharField(_("公钥"), max_length=200)
    auth = models.CharField(_("认证密钥"), max_length=100)
    created_at = models.DateTimeField(_("订阅时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推送订阅")
        verbose_name_plural = _("推送订阅")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.endpoint[:40]}"


class ChannelAddress(models.Model):
    """Where a user is reached on an outside channel that the account itself does not name
    (the WeChat openid of the official account the template messages come from)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="channel_addresses",
    )
    channel = models.CharField(_("渠道"), max_length=16)
    address = models.CharField(_("地址"), max_length=128)
    created_at = models.DateTimeField(_("绑定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知渠道地址")
        verbose_name_plural = _("通知渠道地址")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="channel_address_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.channel}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    DROPPED = "dropped", _("已放弃")


class NotificationDelivery(models.Model):
    """One notification's delivery on one outside channel (Web Push to one browser, an SMS,
    a WeChat template message): tried after the commit, retried with a pause, and kept with
    its last error when given up, so a lost message is a record rather than a silence."""

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("通知"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("渠道"), max_length=32)
    target = models.CharField(_("目标"), max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_try_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知投递")
        verbose_name_plural = _("通知投递")
        indexes = [models.Index(fields=["status", "next_try_at"])]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.status}"


class JobRun(models.Model):
    """When each periodic job last ran; the row lock makes one server run a job at a time."""

    name = models.CharField(_("任务"), max_length=60, primary_key=True)
    last_started_at = models.DateTimeField(_("上次开始"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("上次结束"), null=True, blank=True)
    last_result = models.TextField(_("上次结果"), blank=True)
    last_error = models.TextField(_("上次错误"), blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self) -> str:
        return self.name
