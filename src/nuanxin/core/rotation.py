"""Re-sealing personal data under the current key and cipher (``nuanxin rotate-keys``).

Every column of every model that is a ``SealedTextField`` is walked in primary-key order, a
batch per transaction. A row is rewritten when its value is in clear (written before
encryption), sealed with another key or cipher than the current one, or its keyed hash is not
the current hash key's. An interrupted run loses at most the batch it was in; running it again
skips the rows already done, so it resumes where it stopped. Once it reports nothing left,
the old key can be dropped from ``PII_KEYS``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models, transaction

from nuanxin.core.audit import audit_record
from nuanxin.core.crypto import keyring, needs_reseal, seal, unseal
from nuanxin.core.fields import SealedTextField


@dataclass
class ResealCount:
    label: str
    rows: int = 0
    resealed: int = 0


def sealed_columns() -> list[tuple[type[models.Model], SealedTextField]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, SealedTextField)
    ]


def _reseal_batch(
    model: type[models.Model], field: SealedTextField, after_pk: int, batch: int
) -> tuple[int, int, int | None]:
    """(rows read, rows rewritten, last primary key) of one batch, in its own transaction."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    column = quote(field.column)
    hash_column = quote(model._meta.get_field(field.hash_field).column) if field.hash_field else ""
    select = f"SELECT {pk}, {column}{', ' + hash_column if hash_column else ''} FROM {table}"  # noqa: S608 - names come from the model
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
            digest = field.hash_of(text) if hash_column else None
            if needs_reseal(value) or (hash_column and row[2] != digest):
                sealed = value if not needs_reseal(value) else seal(text, purpose=field.purpose)
                updates.append((sealed, digest, row[0]) if hash_column else (sealed, row[0]))
        if updates:
            sets = f"{column} = %s" + (f", {hash_column} = %s" if hash_column else "")
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
    """Re-seal every sealed column under the current key; the counts per column."""
    counts = []
    for model, field in sealed_columns():
        count = ResealCount(f"{model._meta.label_lower}.{field.name}")
        last = 0
        while True:
            read, rewritten, last_pk = _reseal_batch(model, field, last, batch)
            if last_pk is None:
                break
            count.rows += read
            count.resealed += rewritten
            last = last_pk
            if progress is not None:
                progress(count)
        counts.append(count)
    return counts
