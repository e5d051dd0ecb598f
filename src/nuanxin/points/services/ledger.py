"""The ledger's primitive operations: transfer, hold, post_hold, void_hold, reverse.

Each takes a transfer id chosen by the caller. A retried call (same id, same content) returns the
first outcome without moving anything again; the same id with other content raises
``points.transfer_id_reused``. Entries are the ledger's own audit trail (actor, reason, reference,
time, immutable); reversals additionally write an audit row because a person decided them.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.points.models import Account, Entry, EntryKind, Hold, HoldStatus, TransferKey
from nuanxin.points.reasons import REVERSAL
from nuanxin.points.services._core import (
    KeyRecord,
    change_held,
    check_amount,
    check_distinct,
    check_reason,
    check_text_reason,
    check_transfer_id,
    create_entry,
    fingerprint,
    lock_accounts,
    lock_and_find,
    now,
    record_key,
    require_available,
    run_once,
)
from nuanxin.points.services._pg import post_entry_pg


def _entry_of(key: TransferKey) -> Entry:
    return Entry.objects.get(transfer_id=key.transfer_id)


def post_entry(
    *,
    transfer_id: str,
    kind: str,
    debit: Account,
    credit: Account,
    amount: int,
    reason: str,
    reference: str = "",
    actor: Any = None,
    note: str = "",
    shortage_code: str = "points.insufficient_balance",
    on_post: Callable[[Entry], None] | None = None,
) -> Entry:
    """Validate and post one entry of ``kind`` idempotently; the shared body of the services
    that move posted points (transfer, top-ups, allocations, adjustments). On PostgreSQL the
    database function ``points_post_entry`` does the work in one statement (``_pg``)."""
    check_transfer_id(transfer_id)
    check_amount(amount)
    check_reason(reason)
    check_distinct(debit, credit)
    digest = fingerprint(kind, debit.pk, credit.pk, amount, reason, reference or "", note or "")
    if connection.vendor == "postgresql":
        return post_entry_pg(
            transfer_id=transfer_id,
            kind=kind,
            digest=digest,
            debit_id=debit.pk,
            credit_id=credit.pk,
            amount=amount,
            reason=reason,
            reference=reference,
            actor=actor,
            note=note,
            shortage_code=shortage_code,
            on_post=on_post,
        )

    def body() -> Entry:
        locked, key = lock_and_find((debit.pk, credit.pk), transfer_id, kind, digest)
        if key is not None:
            return _entry_of(key)
        require_available(locked[debit.pk], amount, code=shortage_code)
        at = now()
        entry = create_entry(
            transfer_id=transfer_id,
            kind=kind,
            debit_id=debit.pk,
            credit_id=credit.pk,
            amount=amount,
            reason=reason,
            reference=reference,
            actor=actor,
            note=note,
            at=at,
            key=KeyRecord(transfer_id, kind, digest),
        )
        if on_post is not None:
            on_post(entry)
        return entry

    return run_once(transfer_id, kind, digest, body, _entry_of)


def transfer(
    *,
    transfer_id: str,
    debit: Account,
    credit: Account,
    amount: int,
    reason: str,
    reference: str = "",
    actor: Any = None,
    note: str = "",
) -> Entry:
    """Move ``amount`` points from ``debit`` to ``credit`` now.

    Raises points.bad_transfer_id, points.bad_amount, points.reason_required, points.bad_reason,
    points.same_account, points.insufficient_balance, points.transfer_id_reused.
    """
    return post_entry(
        transfer_id=transfer_id,
        kind=EntryKind.TRANSFER,
        debit=debit,
        credit=credit,
        amount=amount,
        reason=reason,
        reference=reference,
        actor=actor,
        note=note,
    )


def _hold_of(key: TransferKey) -> Hold:
    return Hold.objects.get(transfer_id=key.transfer_id)


def hold(
    *,
    transfer_id: str,
    debit: Account,
    credit: Account,
    amount: int,
    reason: str,
    reference: str = "",
    actor: Any = None,
    expires_at: dt.datetime | None = None,
) -> Hold:
    """Reserve ``amount`` of ``debit``'s available points for a later post to ``credit``.

    ``expires_at`` is not part of the request's identity: a client retrying a hold computes a
    new deadline each time, and the first one stands.
    """
    check_transfer_id(transfer_id)
    check_amount(amount)
    check_reason(reason)
    check_distinct(debit, credit)
    if expires_at is not None and expires_at.tzinfo is None:
        raise ApplicationError("points.bad_expiry", _("到期时间必须带时区。"))
    digest = fingerprint("hold", debit.pk, credit.pk, amount, reason, reference or "")

    def body() -> Hold:
        locked, key = lock_and_find((debit.pk,), transfer_id, "hold", digest)
        if key is not None:
            return _hold_of(key)
        require_available(locked[debit.pk], amount)
        at = now()
        if expires_at is not None and expires_at <= at:
            raise ApplicationError("points.bad_expiry", _("到期时间必须晚于现在。"))
        created = Hold.objects.create(
            transfer_id=transfer_id,
            debit_id=debit.pk,
            credit_id=credit.pk,
            amount=amount,
            reason=reason,
            reference=reference or "",
            actor=actor if getattr(actor, "pk", None) else None,
            created_at=at,
            expires_at=expires_at,
        )
        change_held(debit.pk, amount)
        record_key(transfer_id, "hold", digest, at)
        return created

    return run_once(transfer_id, "hold", digest, body, _hold_of)


def _lock_pending(hold_pk: int, at: dt.datetime, *, check_expiry: bool) -> Hold:
    """The hold's row under lock (taken after its accounts'), still pending."""
    current = Hold.objects.select_for_update().get(pk=hold_pk)
    if current.status != HoldStatus.PENDING:
        raise conflict(
            "points.hold_not_pending",
            _("该冻结已处理，不能再次处理。"),
            hold=current.transfer_id,
            status=current.status,
        )
    if check_expiry and current.expires_at is not None and current.expires_at <= at:
        raise conflict(
            "points.hold_expired",
            _("该冻结已过期，不能入账。"),
            hold=current.transfer_id,
            expires_at=current.expires_at.isoformat(),
        )
    return current


def _resolve(
    current: Hold, status: str, at: dt.datetime, transfer_id: str | None, note: str
) -> None:
    updated = Hold.objects.filter(pk=current.pk, status=HoldStatus.PENDING).update(
        status=status, resolved_at=at, resolution_transfer_id=transfer_id, resolution_note=note
    )
    if updated != 1:  # pragma: no cover - the row lock makes this unreachable
        raise conflict("points.hold_not_pending", _("该冻结已处理，不能再次处理。"))
    current.status, current.resolved_at = status, at
    current.resolution_transfer_id, current.resolution_note = transfer_id, note


def post_hold(
    *, transfer_id: str, hold: Hold, amount: int | None = None, actor: Any = None
) -> Entry:
    """Post a pending hold: ``amount`` (default all of it, at most all) moves to its credit
    account and the whole reservation is released.

    Raises points.hold_not_pending, points.hold_expired, points.post_exceeds_hold,
    points.bad_amount, points.transfer_id_reused.
    """
    check_transfer_id(transfer_id)
    if amount is not None:
        check_amount(amount)
    digest = fingerprint("post", hold.pk, amount)

    def body() -> Entry:
        _locked, key = lock_and_find((hold.debit_id, hold.credit_id), transfer_id, "post", digest)
        if key is not None:
            return _entry_of(key)
        at = now()
        current = _lock_pending(hold.pk, at, check_expiry=True)
        posted_amount = current.amount if amount is None else amount
        if posted_amount > current.amount:
            raise ApplicationError(
                "points.post_exceeds_hold",
                _("入账积分不能超过冻结积分。"),
                extra={"held": current.amount, "requested": posted_amount},
            )
        _resolve(current, HoldStatus.POSTED, at, transfer_id, "")
        entry = create_entry(
            transfer_id=transfer_id,
            kind=EntryKind.HOLD_POST,
            debit_id=current.debit_id,
            credit_id=current.credit_id,
            amount=posted_amount,
            reason=current.reason,
            reference=current.reference,
            actor=actor,
            note="",
            at=at,
            hold=current,
            release=current.amount,
            key=KeyRecord(transfer_id, "post", digest),
        )
        return entry

    return run_once(transfer_id, "post", digest, body, _entry_of)


def _voided_hold(key: TransferKey) -> Hold:
    return Hold.objects.get(resolution_transfer_id=key.transfer_id)


def void_hold(*, transfer_id: str, hold: Hold, actor: Any = None, reason: str = "") -> Hold:
    """Release a pending hold without moving points. Allowed after its deadline too: releasing a
    reservation is always safe, and it saves waiting for the expiry sweep."""
    check_transfer_id(transfer_id)
    digest = fingerprint("void", hold.pk)

    def body() -> Hold:
        _locked, key = lock_and_find((hold.debit_id,), transfer_id, "void", digest)
        if key is not None:
            return _voided_hold(key)
        at = now()
        current = _lock_pending(hold.pk, at, check_expiry=False)
        _resolve(current, HoldStatus.VOIDED, at, transfer_id, (reason or "").strip())
        change_held(current.debit_id, -current.amount)
        record_key(transfer_id, "void", digest, at)
        return current

    return run_once(transfer_id, "void", digest, body, _voided_hold)


def expire_holds(*, at: dt.datetime | None = None) -> int:
    """Mark pending holds past their deadline expired and release them; returns how many.

    Each hold is its own short transaction, so the sweep never holds many locks at once.
    """
    at = at or now()
    count = 0
    due = Hold.objects.filter(status=HoldStatus.PENDING, expires_at__lte=at).values_list(
        "pk", "debit_id"
    )
    for hold_pk, debit_id in list(due.order_by("pk")):
        with transaction.atomic():
            lock_accounts(debit_id)
            current = Hold.objects.select_for_update().get(pk=hold_pk)
            if current.status != HoldStatus.PENDING:
                continue
            _resolve(current, HoldStatus.EXPIRED, at, None, "")
            change_held(debit_id, -current.amount)
            count += 1
    return count


def reverse(*, transfer_id: str, entry: Entry, actor: Any, reason: str) -> Entry:
    """Correct a posted entry with one that moves the same points back, linked to it.

    An entry is reversed at most once, and a reversal itself is not reversible (post a new
    entry instead). Raises points.reason_required, points.already_reversed,
    points.not_reversible, points.insufficient_balance, points.transfer_id_reused.
    """
    check_transfer_id(transfer_id)
    note = check_text_reason(reason)
    digest = fingerprint("reverse", entry.pk)

    def body() -> Entry:
        ids = (entry.debit_id, entry.credit_id)
        locked, key = lock_and_find(ids, transfer_id, "reverse", digest)
        if key is not None:
            return _entry_of(key)
        if entry.kind == EntryKind.REVERSAL:
            raise ApplicationError(
                "points.not_reversible", _("冲正交易不能再次冲正。"), extra={"entry": entry.pk}
            )
        if Entry.objects.filter(reverses_id=entry.pk).exists():
            raise conflict("points.already_reversed", _("该交易已冲正。"), entry=entry.pk)
        require_available(locked[entry.credit_id], entry.amount)
        at = now()
        reversal = create_entry(
            transfer_id=transfer_id,
            kind=EntryKind.REVERSAL,
            debit_id=entry.credit_id,
            credit_id=entry.debit_id,
            amount=entry.amount,
            reason=REVERSAL,
            reference=entry.transfer_id,
            actor=actor,
            note=note,
            at=at,
            reverses=entry,
            key=KeyRecord(transfer_id, "reverse", digest),
        )
        audit_record(
            actor=actor,
            action="points.reverse",
            obj=reversal,
            before={"entry": entry.transfer_id, "amount": entry.amount},
            after={"reversal": transfer_id},
            note=note,
            region_path=_region_path(entry),
        )
        return reversal

    return run_once(transfer_id, "reverse", digest, body, _entry_of)


def _region_path(entry: Entry) -> str:
    """Where an entry belongs for audit scoping: its worker's region, else its pool's or fund's."""
    accounts = Account.objects.filter(pk__in=[entry.debit_id, entry.credit_id]).select_related(
        "region", "user__region"
    )
    paths = sorted(
        (0 if account.user_id else 1, region.path)
        for account in accounts
        if (region := account.user.region if account.user_id else account.region) is not None
    )
    return paths[0][1] if paths else ""
