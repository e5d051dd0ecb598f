"""One posting in one round trip on PostgreSQL: the ``points_post_entry`` function.

The function (migration 0004) runs the steps ``post_entry`` runs on other engines (lock both
accounts in ascending id order, look up the transfer id, check the debit's available balance,
record the id, insert the entry, move both balances) inside the server and answers with a
status. Called outside a transaction it is its own transaction: one statement instead of
BEGIN, two statements and COMMIT, which is what a posting's cost on the client was made of.
Inside a caller's transaction it joins it; it writes nothing unless it posts, so a refusal
leaves the caller's transaction as it was and needs no savepoint.
"""

from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.points.models import Entry
from nuanxin.points.services._core import now, reused, saved_entry, shortage

POSTED = "posted"
REPLAYED = "replayed"
REUSED = "reused"
INSUFFICIENT = "insufficient"
UNKNOWN_ACCOUNT = "unknown_account"

_CALL = "SELECT status, value FROM points_post_entry(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"


def entry_id_or_raise(
    status: str, value: int | None, *, transfer_id: str, amount: int, shortage_code: str
) -> int:
    """The entry id a status carries (new or replayed), or the service's error for it."""
    if status in {POSTED, REPLAYED}:
        return value
    if status == INSUFFICIENT:
        raise shortage(shortage_code, available=value, requested=amount)
    if status == REUSED:
        raise reused(transfer_id)
    if status == UNKNOWN_ACCOUNT:
        raise ApplicationError("points.unknown_account", _("积分账户不存在。"), status=404)
    raise RuntimeError(f"points_post_entry answered an unknown status {status!r}")


def _post(
    *,
    transfer_id: str,
    kind: str,
    digest: str,
    debit_id: int,
    credit_id: int,
    amount: int,
    reason: str,
    reference: str,
    actor_id: int | None,
    note: str,
    shortage_code: str,
) -> tuple[Entry, bool]:
    at = now()
    with connection.cursor() as cursor:
        cursor.execute(
            _CALL,
            [
                transfer_id,
                kind,
                digest,
                debit_id,
                credit_id,
                amount,
                reason,
                reference,
                actor_id,
                note,
                connection.ops.adapt_datetimefield_value(at),
            ],
        )
        status, value = cursor.fetchone()
    entry_id = entry_id_or_raise(
        status, value, transfer_id=transfer_id, amount=amount, shortage_code=shortage_code
    )
    if status == REPLAYED:
        return Entry.objects.get(pk=entry_id), False
    entry = saved_entry(
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
    )
    return entry, True


def post_entry_pg(
    *,
    transfer_id: str,
    kind: str,
    digest: str,
    debit_id: int,
    credit_id: int,
    amount: int,
    reason: str,
    reference: str,
    actor: Any,
    note: str,
    shortage_code: str,
    on_post: Callable[[Entry], None] | None,
) -> Entry:
    """``ledger.post_entry``'s body on PostgreSQL (the arguments are checked already).

    ``on_post`` runs in the posting's transaction, so with one the call is wrapped in
    ``transaction.atomic``; a retry that replays the first entry does not run it again.
    """
    values = dict(
        transfer_id=transfer_id,
        kind=kind,
        digest=digest,
        debit_id=debit_id,
        credit_id=credit_id,
        amount=amount,
        reason=reason,
        reference=reference or "",
        actor_id=getattr(actor, "pk", None),
        note=note or "",
        shortage_code=shortage_code,
    )
    if on_post is None:
        return _post(**values)[0]
    with transaction.atomic():
        entry, posted = _post(**values)
        if posted:
            on_post(entry)
        return entry
