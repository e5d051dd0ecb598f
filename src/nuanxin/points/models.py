"""The points ledger: accounts, append-only entries, holds, idempotency keys, the earning policy.

Every point comes from the issuance account, which alone may go negative, so the balances of all
accounts always add up to zero. An entry moves ``amount`` points from its debit account to its
credit account; a hold reserves points on its debit account until it is posted, voided or
expires. Stored balances (``posted``, ``held``) change in the same transaction as the rows that
explain them, and the database refuses a negative available balance where the account forbids it.
Entries are never updated or deleted (database triggers enforce it, see migration 0002).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from nuanxin.points.reasons import reason_label

# The largest amount one entry or hold may move, and the largest balance any account may reach
# (2^53 - 1: still exact in every JSON client). Check constraints hold both on every engine, so
# no arithmetic on a balance can overflow 64 bits, and SQLite never turns a balance into REAL.
AMOUNT_MAX = 1_000_000_000
BALANCE_MAX = 2**53 - 1


class AccountKind(models.TextChoices):
    ISSUANCE = "issuance", _("积分发行")
    FUND = "fund", _("财政积分资金")
    COMMUNITY_POOL = "community_pool", _("社区积分池")
    WORKER = "worker", _("劳动者积分账户")
    SHOP_SINK = "shop_sink", _("兑换超市")
    EXPIRY_SINK = "expiry_sink", _("过期积分")


class Account(models.Model):
    """A points account. ``posted`` is credits minus debits of all entries; ``held`` is what
    pending holds reserve on it; ``available = posted - held``.

    ``key`` names the account uniquely ("worker:42", "pool:17", "fund:3", "shop", "expiry",
    "issuance") so that get-or-create is race-free.
    """

    key = models.CharField(_("账户标识"), max_length=64, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=AccountKind.choices)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("劳动者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_account",
    )
    region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_accounts",
    )
    may_go_negative = models.BooleanField(_("允许负余额"), default=False)
    posted = models.BigIntegerField(_("入账余额"), default=0)
    held = models.BigIntegerField(_("冻结中"), default=0)
    created_at = models.DateTimeField(_("开户时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        ordering = ["id"]
        indexes = [models.Index(fields=["kind", "region"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(may_go_negative=True) | Q(posted__gte=F("held")),
                name="points_account_available_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(held__gte=0), name="points_account_held_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(
                    posted__gte=-BALANCE_MAX, posted__lte=BALANCE_MAX, held__lte=BALANCE_MAX
                ),
                name="points_account_balance_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def available(self) -> int:
        return self.posted - self.held

    @property
    def label(self) -> str:
        if self.kind == AccountKind.WORKER and self.user_id:
            return f"{self.get_kind_display()} · {self.user}"
        if self.region_id:
            return f"{self.get_kind_display()} · {self.region.name}"
        return str(self.get_kind_display())


class EntryKind(models.TextChoices):
    TRANSFER = "transfer", _("转账")
    EARN = "earn", _("获得积分")
    HOLD_POST = "hold_post", _("冻结转入账")
    REVERSAL = "reversal", _("冲正")
    ADJUSTMENT = "adjustment", _("人工调整")
    ALLOCATION = "allocation", _("预算下拨")
    TOP_UP = "top_up", _("资金注入")
    EXPIRY = "expiry", _("积分过期")


class Entry(models.Model):
    """One posted movement of points. Append-only: a correction is a reversing entry."""

    transfer_id = models.CharField(_("交易编号"), max_length=128, unique=True)
    kind = models.CharField(_("类别"), max_length=16, choices=EntryKind.choices)
    debit = models.ForeignKey(
        Account,
        verbose_name=_("借方（转出）"),
        on_delete=models.PROTECT,
        related_name="debits",
        db_index=False,
    )
    credit = models.ForeignKey(
        Account,
        verbose_name=_("贷方（转入）"),
        on_delete=models.PROTECT,
        related_name="credits",
        db_index=False,
    )
    amount = models.BigIntegerField(_("积分"))
    reason = models.CharField(_("原因代码"), max_length=64)
    reference = models.CharField(_("关联对象"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("时间"))
    hold = models.OneToOneField(
        "Hold",
        verbose_name=_("来源冻结"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posting",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的原交易"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
    )

    class Meta:
        verbose_name = _("积分流水")
        verbose_name_plural = _("积分流水")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["debit", "created_at"], name="points_entry_debit_at"),
            models.Index(fields=["credit", "created_at"], name="points_entry_credit_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="points_entry_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount__lte=AMOUNT_MAX), name="points_entry_amount_in_range"
            ),
            models.CheckConstraint(
                condition=~Q(debit=F("credit")), name="points_entry_distinct_accounts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.amount}"

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason)


class HoldStatus(models.TextChoices):
    PENDING = "pending", _("冻结中")
    POSTED = "posted", _("已入账")
    VOIDED = "voided", _("已撤销")
    EXPIRED = "expired", _("已过期")


class Hold(models.Model):
    """A pending transfer: ``amount`` reserved on ``debit`` until posted, voided or expired.

    It leaves ``pending`` exactly once (a trigger refuses any change to a resolved hold);
    ``resolution_transfer_id`` is the id of the post or void that resolved it.
    """

    transfer_id = models.CharField(_("交易编号"), max_length=128, unique=True)
    debit = models.ForeignKey(
        Account, verbose_name=_("借方（转出）"), on_delete=models.PROTECT, related_name="holds_out"
    )
    credit = models.ForeignKey(
        Account,
        verbose_name=_("贷方（转入）"),
        on_delete=models.PROTECT,
        related_name="holds_in",
        db_index=False,
    )
    amount = models.BigIntegerField(_("冻结积分"))
    reason = models.CharField(_("原因代码"), max_length=64)
    reference = models.CharField(_("关联对象"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=HoldStatus.choices, default=HoldStatus.PENDING
    )
    created_at = models.DateTimeField(_("冻结时间"))
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolution_transfer_id = models.CharField(
        _("处理交易编号"), max_length=128, null=True, blank=True, unique=True
    )
    resolution_note = models.TextField(_("处理说明"), blank=True)

    class Meta:
        verbose_name = _("积分冻结")
        verbose_name_plural = _("积分冻结")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "expires_at"], name="points_hold_status_exp")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="points_hold_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount__lte=AMOUNT_MAX), name="points_hold_amount_in_range"
            ),
            models.CheckConstraint(
                condition=~Q(debit=F("credit")), name="points_hold_distinct_accounts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.amount} ({self.get_status_display()})"

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason)


class TransferKey(models.Model):
    """The first outcome of every ledger request, under the caller's transfer id.

    One namespace for all operations (transfer, hold, post, void, earn, ...): a retried request
    finds its key and gets the first outcome back; the same id with other content is refused.
    ``granted``/``limited_by`` keep an earn's result, which may have moved no points at all.
    """

    transfer_id = models.CharField(max_length=128, primary_key=True)
    kind = models.CharField(max_length=16)
    fingerprint = models.CharField(max_length=64)
    granted = models.BigIntegerField(null=True, blank=True)
    limited_by = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("交易编号")
        verbose_name_plural = _("交易编号")

    def __str__(self) -> str:
        return f"{self.kind}:{self.transfer_id}"


class EarningPolicy(models.Model):
    """The one current set of earning rules (row id 1), edited by city admins via a service.

    Points per report category are set on the category itself (reports.Category.points).
    """

    volunteer_points_per_hour = models.PositiveIntegerField(_("志愿服务每小时积分"), default=10)
    volunteer_cap_per_activity = models.PositiveIntegerField(
        _("单次志愿活动积分上限"), null=True, blank=True, default=80
    )
    checkin_points = models.PositiveIntegerField(_("驿站打卡积分（每日一次）"), default=2)
    daily_cap = models.PositiveIntegerField(
        _("每人每日积分上限"), null=True, blank=True, default=100
    )
    monthly_cap = models.PositiveIntegerField(
        _("每人每月积分上限"), null=True, blank=True, default=1000
    )
    expiry_years = models.PositiveSmallIntegerField(
        _("积分有效期（年）"),
        null=True,
        blank=True,
        default=None,
        help_text=_("1 表示获得积分次年年底过期；留空表示不过期。"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")

    def __str__(self) -> str:
        return str(_("当前积分规则"))


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    POSTED = "posted", _("已入账")
    REJECTED = "rejected", _("已驳回")


class Adjustment(models.Model):
    """A manual correction of a worker's points, decided by staff with a written reason.

    The points come out of (or go back into) the pool of the worker's community, never straight
    from issuance. An adjustment above the approval threshold stays ``pending`` until a second,
    more senior staff member approves it; only then does ``entry`` exist. The requester's
    ``transfer_id`` makes a retried request return the first adjustment.
    """

    public_id = models.UUIDField(_("编号"), default=uuid.uuid4, unique=True, editable=False)
    transfer_id = models.CharField(_("请求编号"), max_length=128, unique=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("劳动者"),
        on_delete=models.PROTECT,
        related_name="points_adjustments",
    )
    pool = models.ForeignKey(
        Account,
        verbose_name=_("积分池"),
        on_delete=models.PROTECT,
        related_name="adjustments",
    )
    amount = models.BigIntegerField(_("调整积分"), help_text=_("正数补发，负数扣减。"))
    reason = models.TextField(_("原因"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=AdjustmentStatus.choices,
        default=AdjustmentStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    entry = models.OneToOneField(
        Entry,
        verbose_name=_("积分流水"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustment",
    )

    class Meta:
        verbose_name = _("人工调整")
        verbose_name_plural = _("人工调整")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["requested_by", "requested_at"], name="points_adj_requester_at"),
            models.Index(fields=["status", "requested_at"], name="points_adj_status_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0) & Q(amount__gte=-AMOUNT_MAX, amount__lte=AMOUNT_MAX),
                name="points_adjustment_amount_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(worker=F("requested_by")), name="points_adjustment_not_self"
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="points_adjustment_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(status="posted", entry__isnull=False)
                | (~Q(status="posted") & Q(entry__isnull=True)),
                name="points_adjustment_entry_iff_posted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.amount:+d} ({self.get_status_display()})"
