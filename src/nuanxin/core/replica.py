"""Reads from the read replica (``DATABASE_REPLICA_URL``), where they may lag.

A streamed standby is a moment behind the primary: what was committed there a moment ago may
not be on it yet. So only requests that can show figures a moment old read from it — those
under ``REPLICA_READ_PATHS`` (the dashboard: its pages, its API, its .xlsx exports) — and even
they read the primary

- for who the user is and what they may do (sessions, accounts, roles, tokens, second factors,
  lockouts, the task queue: ``PRIMARY_APPS``), so a logout or a role taken away counts at once;
- inside a transaction, whose reads must see its own writes and hold its locks;
- once the request has written anything, so it always reads what it wrote.

Everything else (pages, the API, services, jobs, tasks, commands) never sees the replica.
Writes always go to the primary: an object read from the replica is saved there too.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PRIMARY_APPS = frozenset(
    {
        "accounts",
        "auth",
        "axes",
        "contenttypes",
        "django_otp",
        "django_tasks_db",
        "otp_static",
        "otp_totp",
        "sessions",
    }
)


@dataclass
class ReplicaReads:
    """One request's permission to read from the replica, lost at its first write."""

    wrote: bool = False


_reads: ContextVar[ReplicaReads | None] = ContextVar("nuanxin_replica_reads", default=None)


class ReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        reads = _reads.get()
        if reads is None or reads.wrote or model._meta.app_label in PRIMARY_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        reads = _reads.get()
        if reads is not None:
            reads.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside the block may go to the replica (by the rules above)."""
    token = _reads.set(ReplicaReads())
    try:
        yield
    finally:
        _reads.reset(token)


def replica_reads_allowed(path: str) -> bool:
    return REPLICA in settings.DATABASES and path.startswith(tuple(settings.REPLICA_READ_PATHS))


class ReplicaReadsMiddleware:
    """Marks the requests whose reads may go to the replica (``REPLICA_READ_PATHS``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_reads_allowed(request.path_info):
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)
