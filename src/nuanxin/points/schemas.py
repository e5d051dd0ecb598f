import datetime as dt
import uuid

from ninja import Field, Schema

from nuanxin.core.schema import Amount, Id


class BalanceOut(Schema):
    available: int
    held: int
    posted: int


class HistoryLineOut(Schema):
    id: int
    transfer_id: str
    at: dt.datetime
    amount: int = Field(description="正数为收入，负数为支出")
    reason: str
    reason_label: str
    reference: str
    note: str
    reversed: bool


class PoolOut(Schema):
    account: str
    region_code: str
    region_name: str
    kind: str
    available: int
    held: int
    received: int
    paid: int


class AccountOut(Schema):
    account: str
    kind: str
    kind_label: str
    label: str
    region_code: str | None
    posted: int
    held: int
    available: int


class AdjustmentIn(Schema):
    transfer_id: str = Field(max_length=128, description="调用方生成的唯一交易编号，重试时不变")
    worker_id: Id
    amount: Amount = Field(
        description="正数补发，负数扣减（非零整数，绝对值至多 10 亿）；超过审批门槛的须上级审批"
    )
    reason: str = Field(max_length=500)


class DecisionIn(Schema):
    note: str = Field("", max_length=500, description="审批意见；驳回时必填")


class AdjustmentOut(Schema):
    id: uuid.UUID
    transfer_id: str
    worker_id: int
    worker: str
    amount: int = Field(description="正数补发，负数扣减")
    reason: str
    status: str = Field(description="pending 待审批 / posted 已入账 / rejected 已驳回")
    status_label: str
    pool_region_code: str
    pool_region_name: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    entry_transfer_id: str | None

    @staticmethod
    def of(adjustment) -> "AdjustmentOut":
        return AdjustmentOut(
            id=adjustment.public_id,
            transfer_id=adjustment.transfer_id,
            worker_id=adjustment.worker_id,
            worker=str(adjustment.worker),
            amount=adjustment.amount,
            reason=adjustment.reason,
            status=adjustment.status,
            status_label=str(adjustment.get_status_display()),
            pool_region_code=adjustment.pool.region.code,
            pool_region_name=adjustment.pool.region.name,
            requested_by=str(adjustment.requested_by),
            requested_at=adjustment.requested_at,
            decided_by=str(adjustment.decided_by) if adjustment.decided_by_id else None,
            decided_at=adjustment.decided_at,
            decision_note=adjustment.decision_note,
            entry_transfer_id=adjustment.entry.transfer_id if adjustment.entry_id else None,
        )


class EarningRuleOut(Schema):
    source: str = Field(description="原因代码，与积分明细的 reason 相同")
    label: str
    points: int
    per: str
    note: str


class EarningRulesOut(Schema):
    rules: list[EarningRuleOut]
    daily_cap: int | None = Field(description="每人每日积分上限；null 表示不设上限")
    monthly_cap: int | None
    expiry_years: int | None = Field(description="1 表示获得积分次年年底过期；null 表示不过期")
    earned_today: int | None = Field(description="本人今天已获得的积分（劳动者）")
    earned_this_month: int | None
