"""Bulk writing of generated rows: COPY on PostgreSQL, executemany on SQLite.

A ``Table`` hands out primary keys itself (from the table's current maximum), so that rows can
point at each other before any of them is written, and fills every column the caller leaves
out from the model: its default, NULL where allowed, "" for a blank text column, the moment of
the run for ``auto_now`` columns. Values are converted once per column kind for the engine;
nothing goes through the field API per row, except sealed columns (ID numbers, and phones where
PII_SEAL_PHONES is on): those are sealed, and the columns kept beside them (keyed hash, a
phone's last four digits) filled, as ``save()`` would. Callers stay inside one transaction, so
a failed run leaves nothing behind, and nothing here updates or deletes: the append-only
triggers of the ledger and the audit log never fire.
"""

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from nuanxin.core.fields import sealed_fields

BATCH = 20_000
_MISSING = object()


def _converter(field: models.Field, vendor: str) -> Callable[[Any], Any] | None:
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    if vendor == "postgresql":
        return None  # psycopg adapts datetimes, dates, UUIDs and decimals itself
    if isinstance(field, models.DateTimeField):
        utc = dt.UTC
        return lambda v: None if v is None else str(v.astimezone(utc).replace(tzinfo=None))
    if isinstance(field, models.DateField | models.TimeField):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(field, models.UUIDField):
        return lambda v: None if v is None else v.hex
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else str(decimal.Decimal(v))
    return None


class Table:
    """Rows for one model's table, written in batches."""

    def __init__(self, model: type[models.Model], progress: Callable[[int], None] | None = None):
        self.model = model
        self.vendor = connection.vendor
        self.fields = list(model._meta.concrete_fields)
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        self.convert = [_converter(f, self.vendor) for f in self.fields]
        self.uuid_columns = [
            i
            for i, f in enumerate(self.fields)
            if isinstance(f, models.UUIDField) and f.has_default()
        ]
        now = timezone.now()
        template: list[Any] = []
        self.required: set[str] = set()
        for field in self.fields:
            if field.primary_key:
                template.append(None)
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                template.append(now)
            elif field.has_default():
                template.append(field.get_default())
            elif field.null:
                template.append(None)
            elif field.blank and isinstance(field, models.CharField | models.TextField):
                template.append("")
            else:
                template.append(_MISSING)
                self.required.add(field.attname)
        self.template = template
        self.sealed = [(self.index[f.attname], f) for f in sealed_fields(model)]
        self.pk_index = self.index[model._meta.pk.attname]
        self.next_id = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.rows: list[list[Any]] = []
        self.written = 0
        self.progress = progress

    def add(self, **values: Any) -> int:
        """Queue one row and answer its primary key."""
        row = self.template.copy()
        pk = values.pop("id", None) or self.next_id
        self.next_id = max(self.next_id, pk + 1)
        row[self.pk_index] = pk
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        for i in self.uuid_columns:
            if row[i] is self.template[i]:
                row[i] = uuid.uuid4()
        for i, field in self.sealed:
            for name, derived in field.companions(row[i]).items():
                row[index[name]] = derived
            row[i] = field.get_db_prep_save(row[i], connection)
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()
        return pk

    def flush(self) -> None:
        if not self.rows:
            return
        for i, value in enumerate(self.rows[0]):
            if value is _MISSING:
                raise ValueError(f"{self.model.__name__}.{self.fields[i].attname} has no value")
        for i, convert in enumerate(self.convert):
            if convert is not None:
                for row in self.rows:
                    row[i] = convert(row[i])
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(f.column) for f in self.fields)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with (
                    connection.wrap_database_errors,
                    cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
                ):
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", self.rows)  # noqa: S608
        self.written += len(self.rows)
        if self.progress is not None:
            self.progress(len(self.rows))
        self.rows = []


def reset_sequences(model_list: list[type[models.Model]]) -> None:
    """Move PostgreSQL's id sequences past the ids handed out here (SQLite follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def analyze() -> None:
    """Fresh planner statistics for the whole database, as autovacuum would gather them in
    service: the tables written here, and those the demo wrote just before (the region tree:
    without its statistics PostgreSQL took a city's 740 regions for 2 and joined all 100,000
    reports before taking the newest 50 of the review queue, 536 ms instead of 1 ms)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
