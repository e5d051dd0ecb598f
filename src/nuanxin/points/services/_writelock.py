"""The transaction every ledger write runs in; on SQLite, ledger writers queue on a file lock.

SQLite has one write lock per database. A writer that finds it taken waits in sqlite3's busy
handler, which sleeps (1, 2, 5, ... up to 100 ms) and tries again, so under contention the lock
often lies free while every waiter sleeps. A ledger write on SQLite therefore first takes an
exclusive ``flock`` on a file beside the database (``<database>.ledger-lock``): the kernel wakes
the next waiting ledger writer the moment the lock is released, and at most one ledger writer at
a time asks SQLite for its write lock. The file lock is only a queue in front of SQLite's lock,
which still decides: a writer that does not take it (any other app's service) just competes
with the one ledger writer that holds it, as before. The price: a waiting ledger writer is woken
for every write (the busy handler let the writer that just committed go on with its next write
while the others slept), and SQLite's automatic checkpoint, which runs inside COMMIT, keeps the
file lock while it writes back. ``benchmarks/README.md`` has both ways measured.

The file lock is taken only by the outermost transaction. A ledger write inside a caller's
``transaction.atomic`` already holds SQLite's write lock (IMMEDIATE transactions take it at
BEGIN); waiting there for the file lock, whose holder may be waiting for that same write lock,
would deadlock until the busy timeout. The lock is released as soon as the transaction commits,
before the ``on_commit`` callbacks run, or when it rolls back. Every holder is inside one short
ledger transaction, which SQLite's busy timeout bounds, so the file lock itself has no timeout.
"""

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from django.db import connection, transaction

_local = threading.local()


class LedgerFileLock:
    """An exclusive ``flock`` on ``path``, through this thread's own open file.

    ``flock`` locks belong to an open file description, so every thread opens the file itself
    (two threads sharing one would both "hold" the lock), and a process forked from one that
    had it open opens it again rather than sharing its parent's.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.pid = os.getpid()
        self.file = open(path, "ab")  # noqa: SIM115 - kept open for the thread's lifetime
        self.held = False

    def acquire(self) -> None:
        fcntl.flock(self.file.fileno(), fcntl.LOCK_EX)
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(self.file.fileno(), fcntl.LOCK_UN)


def lock_path(database: str) -> str:
    return f"{database}.ledger-lock"


def _thread_lock(database: str) -> LedgerFileLock:
    locks: dict[str, LedgerFileLock] = getattr(_local, "locks", None) or {}
    _local.locks = locks
    lock = locks.get(database)
    if lock is None or lock.pid != os.getpid():
        # An inherited lock file is closed, never unlocked: unlocking would release the
        # parent's lock, closing this process's copy of the descriptor does not.
        lock = locks[database] = LedgerFileLock(lock_path(database))
    return lock


def _uses_file_lock() -> bool:
    return (
        connection.vendor == "sqlite"
        and not connection.in_atomic_block
        and not connection.is_in_memory_db()
    )


def ledger_atomic() -> AbstractContextManager[None]:
    """``transaction.atomic()`` for a ledger write (a savepoint inside a caller's transaction);
    on SQLite, as the outermost transaction, behind the ledger's file lock."""
    if _uses_file_lock():
        return _file_locked_atomic(_thread_lock(str(connection.settings_dict["NAME"])))
    return transaction.atomic()


@contextmanager
def _file_locked_atomic(lock: LedgerFileLock) -> Iterator[None]:
    lock.acquire()
    try:
        with transaction.atomic():
            # Registered first, so it runs right after COMMIT, before any other callback.
            transaction.on_commit(lock.release)
            yield
    finally:
        lock.release()
