"""The production server behind ``nuanxin serve`` and ``nuanxin demo``.

granian serves the WSGI application: benchmarks/bench_http_server.py measured it at 1.4 to 3.5
times gunicorn's (gthread) requests per second on the same demo database.
"""

import atexit
import os
import subprocess
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from granian import Granian
from granian.constants import Interfaces

from nuanxin.core.crypto import require_production_keys
from nuanxin.core.staticfiles import static_collect


def default_workers() -> int:
    return int(os.environ.get("NUANXIN_WORKERS", str(os.cpu_count() or 1)))


def require_migrated() -> None:
    """Refuse to serve a database whose schema is behind the code: every request would be a
    500. Migrating is left to the operator (``nuanxin migrate``), who decides when a schema
    change runs against a production database; ``nuanxin demo`` migrates its own."""
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise CommandError(f"无法连接数据库：{exc}") from exc
    finally:
        connections.close_all()
    if pending:
        raise CommandError(
            f"数据库尚未迁移：还有 {len(pending)} 个迁移未执行。请先运行：uv run nuanxin migrate"
        )


def serve(*, host: str, port: int, workers: int | None = None, demo: bool = False) -> None:
    """Serve until stopped, with the periodic jobs in a child process beside the server (set
    NUANXIN_JOBS=off when a separate ``nuanxin jobs --loop`` process runs them), and a worker
    for the background tasks in another (NUANXIN_TASK_WORKER=off when ``nuanxin task-worker``
    processes run elsewhere, on this host or others).

    The jobs run in their own process, not in a thread of this one: the server forks its
    workers, and a fork taken while a thread holds an SQLite connection leaves the database
    locked for the children.
    """
    try:
        require_production_keys(bind_host=host, demo=demo)
    except ImproperlyConfigured as exc:
        raise CommandError(str(exc)) from exc
    # The static files with their gzip copies, so phones on a slow link get them compressed
    # (benchmarks/bench_worker_pages.py measures it).
    static_collect()
    # Workers are forked from this process: no database connection may be open across the fork.
    connections.close_all()
    if os.environ.get("NUANXIN_JOBS", "on") != "off":
        jobs = subprocess.Popen(
            [sys.executable, "-m", "nuanxin.cli", "jobs", "--loop", "--exit-with-parent"]
        )
        atexit.register(jobs.terminate)
    if os.environ.get("NUANXIN_TASK_WORKER", "on") != "off":
        tasks = subprocess.Popen(
            [sys.executable, "-m", "nuanxin.cli", "task-worker", "--exit-with-parent"]
        )
        atexit.register(tasks.terminate)
    Granian(
        "nuanxin.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers or default_workers(),
        blocking_threads=int(os.environ.get("NUANXIN_THREADS", "4")),
        log_access=True,
        respawn_failed_workers=True,
    ).serve()
