"""Bulk INSERT (COPY on PostgreSQL) and UPDATE on prepared rows, for the import only.

``bulk_create`` spends most of its time preparing each value through the field API and, on
SQLite, sends about 70 worker rows per statement; for a 20,000-row ledger that was more than
half of the import. Here the values are already canonical Python values (text, numbers,
booleans, None); only datetime and JSON columns go through the backend's adapters. Callers
stay inside the import's transaction.
"""

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

from nuanxin.core.fields import SealedColumn, sealed_fields

BATCH = 5000


def _columns(model: type[models.Model], attnames: Sequence[str]) -> list[models.Field]:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return [fields[name] for name in attnames]


def _adapters(fields: list[models.Field]) -> list[Callable[[Any], Any] | None]:
    adapters: list[Callable[[Any], Any] | None] = []
    for field in fields:
        if isinstance(field, models.DateTimeField):
            # An import stamps every row with the same moment: adapt it once.
            adapters.append(
                functools.lru_cache(maxsize=4)(connection.ops.adapt_datetimefield_value)
            )
        elif isinstance(field, SealedColumn):
            # Sealed at rest: each value is encrypted on its way out, never cached (a phone
            # only where PII_SEAL_PHONES asks; in clear it passes through unchanged).
            adapters.append(lambda value, f=field: f.get_db_prep_save(value, connection))
        elif isinstance(field, models.JSONField):
            adapters.append(lambda value, f=field: f.get_db_prep_save(value, connection))
        else:
            adapters.append(None)
    return adapters


def _prepared(rows: Iterable[Sequence[Any]], adapters: list[Any]) -> list[tuple[Any, ...]]:
    if not any(adapters):
        return [tuple(row) for row in rows]
    return [
        tuple(v if a is None else a(v) for v, a in zip(row, adapters, strict=True)) for row in rows
    ]


def _with_hashes(
    model: type[models.Model], attnames: Sequence[str], rows: list[Sequence[Any]]
) -> tuple[list[str], list[Sequence[Any]]]:
    """Adds the columns kept beside every sealed column written (its keyed hash, a phone's
    tail) that the rows leave out, so a bulk write keeps them in step as ``save()`` does:
    they are what lookups and uniqueness use."""
    names = list(attnames)
    written = [(names.index(f.attname), f) for f in sealed_fields(model) if f.attname in names]
    extra = [name for _, field in written for name in field.companions(None) if name not in names]
    if not extra:
        return names, rows
    out: list[Sequence[Any]] = []
    for row in rows:
        derived: dict[str, Any] = {}
        for i, field in written:
            derived.update(field.companions(row[i]))
        # The added columns go first, so an UPDATE's trailing primary key stays last.
        out.append([*(derived[name] for name in extra), *row])
    return [*extra, *names], out


def insert_rows(
    model: type[models.Model], attnames: Sequence[str], rows: list[Sequence[Any]]
) -> None:
    """INSERT ``rows`` (values in the order of ``attnames``) into ``model``'s table."""
    if not rows:
        return
    attnames, rows = _with_hashes(model, attnames, rows)
    quote = connection.ops.quote_name
    fields = _columns(model, attnames)
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    adapters = _adapters(fields)
    if connection.vendor == "postgresql":
        # COPY streams the rows in one statement; executemany took 8 s for 60,000 rows here.
        # The driver's own cursor runs it; its errors become Django's as for any query.
        with (
            connection.wrap_database_errors,
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in _prepared(rows, adapters):
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, _prepared(rows[start : start + BATCH], adapters))


def update_rows(
    model: type[models.Model], attnames: Sequence[str], rows: list[Sequence[Any]]
) -> None:
    """UPDATE by primary key: each row holds the values of ``attnames`` followed by the id."""
    if not rows:
        return
    attnames, rows = _with_hashes(model, attnames, rows)
    quote = connection.ops.quote_name
    fields = _columns(model, attnames)
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names come from the model
        quote(model._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(model._meta.pk.column),
    )
    adapters = [*_adapters(fields), None]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, _prepared(rows[start : start + BATCH], adapters))


def ids_by(
    model: type[models.Model], attname: str, keys: list[Any], chunk: int = 2000
) -> dict[Any, int]:
    """Primary keys of rows by a unique column, for rows just inserted."""
    found: dict[Any, int] = {}
    manager = model._default_manager
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        found.update(manager.filter(**{f"{attname}__in": part}).values_list(attname, "pk"))
    return found
