"""Named locks that serialise a check-then-write across every app server.

A limit counted over rows ("at most 5 codes a minute from one address") is only a limit if no
two transactions count at the same time and both insert. ``serialise(name)`` makes the
transaction that calls it the only one holding ``name`` until it ends:

- PostgreSQL: a transaction-level advisory lock (``pg_advisory_xact_lock``), released by the
  commit or rollback; it needs no row to lock, so it also guards counts over rows that do not
  exist yet, and it works behind PgBouncer in transaction mode.
- SQLite: nothing to do: every transaction here begins IMMEDIATE and holds the database's write
  lock until it ends, so transactions that write are serialised already.
"""

import hashlib

from django.db import connection


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (advisory locks are keyed by a bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def serialise(name: str) -> None:
    """Hold the lock ``name`` until the current transaction ends; call inside ``atomic``."""
    if not connection.in_atomic_block:
        raise RuntimeError("serialise() must run inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name)])
