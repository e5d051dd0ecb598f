"""Re-sealing personal data under the current key and cipher (``nuanxin rotate-keys``).

Every column of every model that is a ``SealedTextField`` or a ``PhoneField`` is walked in
primary-key order, a batch per transaction. A row is rewritten when its value is in clear
(written before encryption), sealed with another key or cipher than the current one, or its
keyed hash (or a phone's tail column) is not what it should be. A ``PhoneField`` follows
``PII_SEAL_PHONES``: on, its rows are sealed like the others; off, sealed rows are turned back
into clear. So after switching that setting either way, this same command converts the rows
already stored. Apps add steps of their own for copies this walk cannot see
(``register_reseal_step``: django-axes' records of logins, for instance).

An interrupted run loses at most the batch it was in; running it again skips the rows already
done, so it resumes where it stopped. Once it reports nothing left, the old key can be dropped
from ``PII_KEYS``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.apps import apps
from django.db import connection, models, transaction

from nuanxin.core.audit import audit_record
from nuanxin.core.crypto import keyring, needs_reseal, seal, unseal
from nuanxin.core.fields import PhoneField, SealedColumn, phones_sealed, sealed_fields


@dataclass
class ResealCount:
    label: str
    rows: int = 0
    resealed: int = 0


# Further steps of a rotation: (label, step). A step converts one batch of its rows after the
# primary key it is given and returns (rows read, rows rewritten, last primary key or None).
ResealStep = Callable[[int, int], tuple[int, int, int | None]]
_steps: list[tuple[str, ResealStep]] = []


def register_reseal_step(label: str, step: ResealStep) -> None:
    """Add a step to every rotation (an app's ``ready()``), once per label."""
    if all(known != label for known, _step in _steps):
        _steps.append((label, step))


def sealed_columns() -> list[tuple[type[models.Model], SealedColumn]]:
    return [(model, field) for model in apps.get_models() for field in sealed_fields(model)]


def _stored(field: SealedColumn, value: str, text: str) -> str:
    """What the column should hold for ``text`` (currently stored as ``value``)."""
    if isinstance(field, PhoneField) and not phones_sealed():
        return text
    return value if not needs_reseal(value) else seal(text, purpose=field.purpose)


def _reseal_batch(
    model: type[models.Model], field: SealedColumn, after_pk: int, batch: int
) -> tuple[int, int, int | None]:
    """(rows read, rows rewritten, last primary key) of one batch, in its own transaction."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    column = quote(field.column)
    # The columns kept beside it (keyed hash, a phone's tail), in the order companions() gives.
    kept = [quote(model._meta.get_field(name).column) for name in field.companions(None)]
    extra = "".join(", " + c for c in kept)
    select = f"SELECT {pk}, {column}{extra} FROM {table}"  # noqa: S608 - names come from the model
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"{select} WHERE {pk} > %s AND {column} IS NOT NULL ORDER BY {pk} LIMIT %s",
            [after_pk, batch],
        )
        rows = cursor.fetchall()
        if not rows:
            return 0, 0, None
        updates = []
        for row in rows:
            value = row[1]
            if not value:
                continue
            text = unseal(value, purpose=field.purpose)
            stored = _stored(field, value, text)
            want = list(field.companions(text).values())
            if stored != value or list(row[2:]) != want:
                updates.append((stored, *want, row[0]))
        if updates:
            sets = ", ".join(f"{c} = %s" for c in (column, *kept))
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", updates)  # noqa: S608
            last = model._default_manager.only("pk").get(pk=rows[-1][0])
            audit_record(
                actor=None,
                action="crypto.reseal",
                obj=last,
                after={
                    "column": f"{model._meta.label_lower}.{field.name}",
                    "rows": len(updates),
                    "key": keyring().current,
                    "cipher": keyring().cipher,
                },
                note=f"{rows[0][0]}..{rows[-1][0]}",
            )
        return len(rows), len(updates), rows[-1][0]


def pii_reseal(
    *, batch: int = 500, progress: Callable[[ResealCount], None] | None = None
) -> list[ResealCount]:
    """Re-seal every sealed column under the current key (phones as ``PII_SEAL_PHONES`` says),
    then run the apps' steps; the counts per column and step."""
    counts = [
        _run(f"{model._meta.label_lower}.{field.name}", partial(_reseal_batch, model, field),
             batch, progress)
        for model, field in sealed_columns()
    ]  # fmt: skip
    counts += [_run(label, step, batch, progress) for label, step in _steps]
    return counts


def _run(
    label: str,
    step: Callable[[int, int], tuple[int, int, int | None]],
    batch: int,
    progress: Callable[[ResealCount], None] | None,
) -> ResealCount:
    """``step(after_pk, batch)`` until it reports no last row; the rows read and rewritten."""
    count = ResealCount(label)
    last = 0
    while True:
        read, rewritten, last_pk = step(last, batch)
        if last_pk is None:
            return count
        count.rows += read
        count.resealed += rewritten
        last = last_pk
        if progress is not None:
            progress(count)
