"""The audit log as a hash chain, so a change made outside the application is found.

Rows are sealed in id order once they are older than ``AUDIT_SEAL_AFTER_SECONDS`` (a
transaction that wrote a row has long committed by then, so no row can still appear below
the sealed ones): each sealed row gets the previous sealed row's digest (``prev_hash``) and
its own (``row_hash``, SHA-256 over ``prev_hash`` and the row's content). Sealing is one job
at a time (``core.locks.serialise``) and the database lets a row be sealed once and never
changed otherwise (triggers, migration 0005).

``audit_check`` recomputes the chain: an edited row no longer matches its digest, a deleted
row breaks the link of the next one, a row inserted between sealed ones has no digest (or a
wrong link). Sealing sooner costs nothing but a row committed after its successors were sealed
would then be reported; sealing later leaves recent rows unprotected for longer.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from nuanxin.core.locks import serialise
from nuanxin.core.models import AuditLog

GENESIS = "0" * 64
BATCH = 2000
CONTENT_FIELDS = [
    "id",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "region_path",
    "before",
    "after",
    "note",
    "client_ip",
]


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return value


def row_digest(prev_hash: str, row: dict[str, Any]) -> str:
    """SHA-256 over the previous digest and the row's content, the same on every engine
    (JSON keys sorted: PostgreSQL's jsonb does not keep their order)."""
    content = json.dumps(
        [prev_hash, *(_canonical(row[name]) for name in CONTENT_FIELDS)],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(content.encode()).hexdigest()


def _last_sealed() -> tuple[int, str]:
    last = (
        AuditLog.objects.exclude(row_hash="").order_by("-id").values_list("id", "row_hash").first()
    )
    return last if last is not None else (0, GENESIS)


def audit_seal(*, now: dt.datetime | None = None) -> int:
    """Seal the rows older than the delay that follow the last sealed one; returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=settings.AUDIT_SEAL_AFTER_SECONDS)
    sealed = 0
    while True:
        with transaction.atomic():
            serialise("core.audit_seal")
            last_id, prev = _last_sealed()
            rows = list(
                AuditLog.objects.filter(id__gt=last_id, at__lt=cutoff)
                .order_by("id")
                .values(*CONTENT_FIELDS)[:BATCH]
            )
            for row in rows:
                digest = row_digest(prev, row)
                AuditLog.objects.filter(pk=row["id"], row_hash="").update(
                    prev_hash=prev, row_hash=digest
                )
                prev = digest
            sealed += len(rows)
        if len(rows) < BATCH:
            return sealed


@dataclass
class AuditCheckReport:
    sealed: int = 0
    unsealed: int = 0
    head: str = GENESIS  # the last sealed digest: record it elsewhere to anchor the chain
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_check() -> AuditCheckReport:
    """Recompute the chain over every sealed row and name each row that does not fit it."""
    report = AuditCheckReport()
    prev, sealed_frontier = GENESIS, 0
    rows = AuditLog.objects.order_by("id").values(*CONTENT_FIELDS, "prev_hash", "row_hash")
    with transaction.atomic():
        last_sealed_id, _digest = _last_sealed()
        for row in rows.iterator(chunk_size=BATCH):
            if not row["row_hash"]:
                if row["id"] < last_sealed_id:
                    report.problems.append(
                        f"audit row {row['id']} sits between sealed rows but is not sealed"
                    )
                report.unsealed += 1
                continue
            report.sealed += 1
            if row["prev_hash"] != prev:
                report.problems.append(
                    f"audit row {row['id']} does not follow row {sealed_frontier} "
                    "(a row before it was removed, changed or inserted)"
                )
            if row_digest(row["prev_hash"], row) != row["row_hash"]:
                report.problems.append(f"audit row {row['id']} was changed after it was sealed")
            prev, sealed_frontier = row["row_hash"], row["id"]
    report.head = prev
    return report
