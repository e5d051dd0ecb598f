"""The building blocks every ledger operation is made of.

An operation runs ``run_once``: inside one transaction it locks the accounts it touches (row
locks in ascending id order on PostgreSQL; SQLite's IMMEDIATE transaction already holds the
database's write lock), then looks up its transfer id, and only then checks balances and writes.
Looking up the id *after* taking the locks matters on PostgreSQL: a retry that waited for the
first attempt's locks sees the first attempt's key in its next statement (READ COMMITTED) and
replays it. Two attempts with the same id that lock different accounts race to insert the key;
the loser's unique violation rolls back its savepoint and it answers as a retry.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.points.models import Account, Entry, Hold, TransferKey
from nuanxin.points.reasons import is_valid_reason

T = TypeVar("T")
TRANSFER_ID_MAX_LENGTH = 128


def now() -> Any:
    return timezone.now()


@dataclass(frozen=True)
class Locked:
    """An account's balances as read under its row lock."""

    pk: int
    posted: int
    held: int
    may_go_negative: bool

    @property
    def available(self) -> int:
        return self.posted - self.held


def fingerprint(*parts: object) -> str:
    """A digest of what a request asks for, compared when its transfer id comes back."""
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()


def check_transfer_id(transfer_id: str) -> str:
    if not isinstance(transfer_id, str) or not transfer_id.strip():
        raise ApplicationError("points.bad_transfer_id", _("交易编号不能为空。"))
    if len(transfer_id) > TRANSFER_ID_MAX_LENGTH or transfer_id != transfer_id.strip():
        raise ApplicationError(
            "points.bad_transfer_id",
            _("交易编号最多 128 个字符，且首尾不能有空格。"),
            extra={"transfer_id": transfer_id[:TRANSFER_ID_MAX_LENGTH]},
        )
    return transfer_id


def check_amount(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ApplicationError(
            "points.bad_amount", _("积分数额必须是正整数。"), extra={"amount": str(amount)}
        )
    return amount


def check_reason(reason: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise ApplicationError("points.reason_required", _("必须填写原因。"))
    if not is_valid_reason(reason):
        raise ApplicationError(
            "points.bad_reason",
            _("原因代码必须是小写字母、数字、下划线组成的点分代码。"),
            extra={"reason": reason[:64]},
        )
    return reason


def check_text_reason(reason: str) -> str:
    """A free-text reason a person writes (adjustments, reversals): mandatory, non-blank."""
    if not isinstance(reason, str) or not reason.strip():
        raise ApplicationError("points.reason_required", _("必须填写原因。"))
    return reason.strip()


def check_distinct(debit: Account, credit: Account) -> None:
    if debit.pk is None or credit.pk is None:
        raise ApplicationError("points.unknown_account", _("积分账户不存在。"), status=404)
    if debit.pk == credit.pk:
        raise ApplicationError(
            "points.same_account", _("转出和转入账户不能相同。"), extra={"account": debit.key}
        )


def lock_accounts(*ids: int) -> dict[int, Locked]:
    """Lock the accounts' rows in ascending id order and read their balances."""
    rows = (
        Account.objects.select_for_update()
        .filter(pk__in=set(ids))
        .order_by("pk")
        .values_list("pk", "posted", "held", "may_go_negative")
    )
    locked = {row[0]: Locked(*row) for row in rows}
    if len(locked) != len(set(ids)):
        raise ApplicationError("points.unknown_account", _("积分账户不存在。"), status=404)
    return locked


def require_available(
    account: Locked, amount: int, *, code: str = "points.insufficient_balance"
) -> None:
    if account.may_go_negative or account.available >= amount:
        return
    if code == "points.budget_exhausted":
        message = _("社区积分预算不足，无法发放。")
    else:
        message = _("可用积分不足。")
    raise conflict(code, message, available=account.available, requested=amount)


def reused(transfer_id: str) -> ApplicationError:
    return conflict(
        "points.transfer_id_reused",
        _("该交易编号已用于另一笔内容不同的交易。"),
        transfer_id=transfer_id,
    )


def prior_key(transfer_id: str, kind: str, digest: str) -> TransferKey | None:
    """The key of an earlier request with this id; refuses an id reused for other content."""
    key = TransferKey.objects.filter(pk=transfer_id).first()
    if key is not None and (key.kind != kind or key.fingerprint != digest):
        raise reused(transfer_id)
    return key


def record_key(
    transfer_id: str,
    kind: str,
    digest: str,
    at: Any,
    *,
    granted: int | None = None,
    limited_by: str = "",
) -> TransferKey:
    return TransferKey.objects.create(
        transfer_id=transfer_id,
        kind=kind,
        fingerprint=digest,
        granted=granted,
        limited_by=limited_by,
        created_at=at,
    )


def move_posted(debit_id: int, credit_id: int, amount: int, *, release: int = 0) -> None:
    """Post ``amount`` from debit to credit in one statement; ``release`` leaves debit's held."""
    changes: dict[str, Any] = {
        "posted": F("posted") + Case(When(pk=debit_id, then=Value(-amount)), default=Value(amount))
    }
    if release:
        changes["held"] = F("held") - Case(When(pk=debit_id, then=Value(release)), default=Value(0))
    Account.objects.filter(pk__in=[debit_id, credit_id]).update(**changes)


def change_held(account_id: int, delta: int) -> None:
    Account.objects.filter(pk=account_id).update(held=F("held") + delta)


def create_entry(
    *,
    transfer_id: str,
    kind: str,
    debit_id: int,
    credit_id: int,
    amount: int,
    reason: str,
    reference: str,
    actor: Any,
    note: str,
    at: Any,
    hold: Hold | None = None,
    reverses: Entry | None = None,
    release: int = 0,
) -> Entry:
    """Insert the entry and move the stored balances with it (caller holds the row locks)."""
    entry = Entry.objects.create(
        transfer_id=transfer_id,
        kind=kind,
        debit_id=debit_id,
        credit_id=credit_id,
        amount=amount,
        reason=reason,
        reference=reference or "",
        actor=actor if getattr(actor, "pk", None) else None,
        note=note or "",
        created_at=at,
        hold=hold,
        reverses=reverses,
    )
    move_posted(debit_id, credit_id, amount, release=release)
    return entry


def run_once(
    transfer_id: str,
    kind: str,
    digest: str,
    body: Callable[[], T],
    replay: Callable[[TransferKey], T],
) -> T:
    """Run ``body`` in its own transaction (a savepoint inside a caller's); if a concurrent
    request with the same id committed first, answer as its retry (or refuse other content)."""
    try:
        with transaction.atomic():
            return body()
    except IntegrityError:
        key = TransferKey.objects.filter(pk=transfer_id).first()
        if key is None:
            raise
        if key.kind != kind or key.fingerprint != digest:
            raise reused(transfer_id) from None
        return replay(key)
