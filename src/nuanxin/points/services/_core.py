"""The building blocks every ledger operation is made of.

An operation runs ``run_once``: inside one transaction it locks the accounts it touches (row
locks in ascending id order on PostgreSQL; SQLite's IMMEDIATE transaction already holds the
database's write lock), then looks up its transfer id, and only then checks balances and writes.
Looking up the id *after* taking the locks matters on PostgreSQL: a retry that waited for the
first attempt's locks sees the first attempt's key in its next statement (READ COMMITTED) and
replays it. Two attempts with the same id that lock different accounts race to insert the key;
the loser's unique violation rolls back its savepoint and it answers as a retry. On PostgreSQL
the plain postings (``ledger.post_entry``) run these steps inside the database instead, see
``_pg``.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.points.models import AMOUNT_MAX, Account, Entry, Hold, TransferKey
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
    """A strict integer from 1 to ``AMOUNT_MAX`` (no bools, floats or strings)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= AMOUNT_MAX:
        raise ApplicationError(
            "points.bad_amount",
            _("积分数额必须是 1 到 %(max)d 之间的整数。") % {"max": AMOUNT_MAX},
            extra={"amount": str(amount)[:40], "max": AMOUNT_MAX},
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


_LOCK_SQL = {
    1: "SELECT id, posted, held, may_go_negative FROM points_account WHERE id = %s",
    2: "SELECT id, posted, held, may_go_negative FROM points_account "
    "WHERE id IN (%s, %s) ORDER BY id",
}
_LOCK_SQL_FOR_UPDATE = {
    1: "SELECT id, posted, held, may_go_negative FROM points_account WHERE id = %s FOR UPDATE",
    2: "SELECT id, posted, held, may_go_negative FROM points_account "
    "WHERE id IN (%s, %s) ORDER BY id FOR UPDATE",
}


def lock_accounts(*ids: int) -> dict[int, Locked]:
    """Lock the accounts' rows in ascending id order and read their balances.

    Plain SQL: this and the few statements below run for every posting, and building them
    through the ORM costs several times what the database needs to execute them.
    """
    unique = sorted(set(ids))
    if len(unique) > 2:
        raise ValueError("a ledger operation locks one or two accounts")
    sql = _LOCK_SQL[len(unique)]
    if connection.features.has_select_for_update:
        sql = _LOCK_SQL_FOR_UPDATE[len(unique)]
    with connection.cursor() as cursor:
        cursor.execute(sql, unique)
        locked = {row[0]: Locked(row[0], row[1], row[2], bool(row[3])) for row in cursor.fetchall()}
    if len(locked) != len(unique):
        raise ApplicationError("points.unknown_account", _("积分账户不存在。"), status=404)
    return locked


_LOCK_FIND_SQL = {
    1: "SELECT id, posted, held, may_go_negative, "
    "(SELECT kind || ' ' || fingerprint FROM points_transferkey WHERE transfer_id = %s) "
    "FROM points_account WHERE id = %s",
    2: "SELECT id, posted, held, may_go_negative, "
    "(SELECT kind || ' ' || fingerprint FROM points_transferkey WHERE transfer_id = %s) "
    "FROM points_account WHERE id IN (%s, %s) ORDER BY id",
}
_LOCK_FIND_SQL_FOR_UPDATE = {
    1: "SELECT id, posted, held, may_go_negative, "
    "(SELECT kind || ' ' || fingerprint FROM points_transferkey WHERE transfer_id = %s) "
    "FROM points_account WHERE id = %s FOR UPDATE",
    2: "SELECT id, posted, held, may_go_negative, "
    "(SELECT kind || ' ' || fingerprint FROM points_transferkey WHERE transfer_id = %s) "
    "FROM points_account WHERE id IN (%s, %s) ORDER BY id FOR UPDATE",
}


def lock_and_find(
    ids: tuple[int, ...], transfer_id: str, kind: str, digest: str
) -> tuple[dict[int, Locked], TransferKey | None]:
    """``lock_accounts`` and the transfer id's key in one statement (one round trip fewer).

    On PostgreSQL the key subquery sees the snapshot taken when the statement began, before it
    waited for the row locks; a retry that waited behind its first attempt may therefore miss
    the key, and then fails on the unique transfer id and is answered by ``run_once``'s replay.
    """
    unique = sorted(set(ids))
    if connection.features.has_select_for_update:
        sql = _LOCK_FIND_SQL_FOR_UPDATE[len(unique)]
    else:
        sql = _LOCK_FIND_SQL[len(unique)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [transfer_id, *unique])
        rows = cursor.fetchall()
    if len(rows) != len(unique):
        raise ApplicationError("points.unknown_account", _("积分账户不存在。"), status=404)
    found = rows[0][4]
    if found is None:
        return {row[0]: Locked(row[0], row[1], row[2], bool(row[3])) for row in rows}, None
    found_kind, _space, found_digest = found.partition(" ")
    if found_kind != kind or found_digest != digest:
        raise reused(transfer_id)
    return {}, TransferKey.objects.get(pk=transfer_id)


def require_available(
    account: Locked, amount: int, *, code: str = "points.insufficient_balance"
) -> None:
    if account.may_go_negative or account.available >= amount:
        return
    raise shortage(code, available=account.available, requested=amount)


def shortage(code: str, *, available: int, requested: int) -> ApplicationError:
    """The error of a debit that lacks the points (``code`` names whose points they are)."""
    if code == "points.budget_exhausted":
        message = _("社区积分预算不足，无法发放。")
    else:
        message = _("可用积分不足。")
    return conflict(code, message, available=available, requested=requested)


def reused(transfer_id: str) -> ApplicationError:
    return conflict(
        "points.transfer_id_reused",
        _("该交易编号已用于另一笔内容不同的交易。"),
        transfer_id=transfer_id,
    )


def record_key(
    transfer_id: str,
    kind: str,
    digest: str,
    at: Any,
    *,
    granted: int | None = None,
    limited_by: str = "",
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_KEY,
            [
                transfer_id,
                kind,
                digest,
                granted,
                limited_by,
                connection.ops.adapt_datetimefield_value(at),
            ],
        )


def change_held(account_id: int, delta: int) -> None:
    Account.objects.filter(pk=account_id).update(held=F("held") + delta)


@dataclass(frozen=True)
class KeyRecord:
    """The transfer id to record with an entry, in the same statement where the database can."""

    transfer_id: str
    kind: str
    digest: str
    granted: int | None = None
    limited_by: str = ""


_INSERT_ENTRY = (
    "INSERT INTO points_entry (transfer_id, kind, debit_id, credit_id, amount, reason, "
    "reference, actor_id, note, created_at, hold_id, reverses_id) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
)
_MOVE = {
    False: "UPDATE points_account SET posted = posted + CASE WHEN id = %s THEN %s ELSE %s END "
    "WHERE id IN (%s, %s)",
    True: "UPDATE points_account SET posted = posted + CASE WHEN id = %s THEN %s ELSE %s END, "
    "held = held - CASE WHEN id = %s THEN %s ELSE 0 END WHERE id IN (%s, %s)",
}
_INSERT_KEY = (
    "INSERT INTO points_transferkey "
    "(transfer_id, kind, fingerprint, granted, limited_by, created_at) "
    "VALUES (%s, %s, %s, %s, %s, %s)"
)


# PostgreSQL runs the three writes of a posting as one statement (data-modifying CTEs all
# execute), one round trip instead of three. SQLite has no data-modifying CTEs, and no round
# trips to save. The statement is built from the three above, so the two paths cannot drift.
def _one_statement(release: bool) -> str:
    # Only the module's own constant statements go in; every value is a bound parameter.
    return (
        f"WITH e AS ({_INSERT_ENTRY}), u AS ({_MOVE[release]} RETURNING id), "  # noqa: S608
        f"k AS ({_INSERT_KEY} RETURNING transfer_id) SELECT id FROM e"
    )


_POST_PG = {release: _one_statement(release) for release in (False, True)}


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
    key: KeyRecord | None = None,
) -> Entry:
    """Insert the entry, move the stored balances with it and record ``key`` (the caller holds
    the row locks and has checked the debit's available balance; the table's check
    constraint is the last line of defence)."""
    actor_id = getattr(actor, "pk", None)
    stamp = connection.ops.adapt_datetimefield_value(at)
    entry_values = [
        transfer_id,
        kind,
        debit_id,
        credit_id,
        amount,
        reason,
        reference or "",
        actor_id,
        note or "",
        stamp,
        hold.pk if hold is not None else None,
        reverses.pk if reverses is not None else None,
    ]
    move_values = [debit_id, -amount, amount]
    if release:
        move_values += [debit_id, release]
    move_values += [debit_id, credit_id]
    key_values = (
        [key.transfer_id, key.kind, key.digest, key.granted, key.limited_by, stamp] if key else []
    )
    with connection.cursor() as cursor:
        if key is not None and connection.vendor == "postgresql":
            cursor.execute(_POST_PG[bool(release)], entry_values + move_values + key_values)
            entry_id = cursor.fetchone()[0]
        else:
            cursor.execute(_INSERT_ENTRY, entry_values)
            entry_id = cursor.fetchone()[0]
            cursor.execute(_MOVE[bool(release)], move_values)
            if key is not None:
                cursor.execute(_INSERT_KEY, key_values)
    return saved_entry(
        entry_id,
        transfer_id=transfer_id,
        kind=kind,
        debit_id=debit_id,
        credit_id=credit_id,
        amount=amount,
        reason=reason,
        reference=reference,
        actor_id=actor_id,
        note=note,
        at=at,
        hold=hold,
        reverses=reverses,
    )


def saved_entry(
    entry_id: int,
    *,
    transfer_id: str,
    kind: str,
    debit_id: int,
    credit_id: int,
    amount: int,
    reason: str,
    reference: str,
    actor_id: int | None,
    note: str,
    at: Any,
    hold: Hold | None = None,
    reverses: Entry | None = None,
) -> Entry:
    """The ``Entry`` just inserted as row ``entry_id``, built without reading it back."""
    entry = Entry(
        id=entry_id,
        transfer_id=transfer_id,
        kind=kind,
        debit_id=debit_id,
        credit_id=credit_id,
        amount=amount,
        reason=reason,
        reference=reference or "",
        actor_id=actor_id,
        note=note or "",
        created_at=at,
        hold=hold,
        reverses=reverses,
    )
    entry._state.adding = False
    entry._state.db = connection.alias
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
