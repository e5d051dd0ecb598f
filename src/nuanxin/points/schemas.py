import datetime as dt

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
    amount: Amount = Field(description="正数补发，负数扣减（非零整数，绝对值至多 10 亿）")
    reason: str = Field(max_length=500)


class EntryOut(Schema):
    id: int
    transfer_id: str
    amount: int
    reason: str
    reason_label: str
    note: str
    at: dt.datetime
