"""``nuanxin backup FILE`` / ``nuanxin restore FILE``: a consistent copy of the whole database.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the live database page by
page into FILE while the server keeps running; the copy is one consistent snapshot (WAL
readers see a single transaction). Restoring copies FILE back the same way, inside SQLite's
own locking, so no server process reads a half-written file.

PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot of a running database) and
``pg_restore --clean --if-exists --single-transaction``, found on PATH; without them the
commands say so. Either way the file says which engine wrote it, and restoring into the other
engine is refused.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection, connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """What went wrong, in words for the operator."""


def table_counts() -> dict[str, int]:
    """Rows per table of the database, for comparing a restore with what was backed up."""
    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _pg_args() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432)]
    if db["USER"]:
        args += ["-U", db["USER"]]
    env = dict(os.environ)
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not on PATH; install the PostgreSQL client tools.")
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{command[0]} exited {result.returncode}")


def database_backup(path: Path) -> None:
    """Write a consistent copy of the whole database to ``path`` (replaced if it exists)."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(partial)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_args()
        _run(
            [_tool("pg_dump"), *args, "--format=custom", "--no-owner", "-f", str(partial),
             connection.settings_dict["NAME"]],
            env,
        )  # fmt: skip
    else:  # pragma: no cover - only the two engines are supported
        raise BackupError(f"no backup for {connection.vendor}")
    partial.replace(path)


def _kind(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a nuanxin backup (neither SQLite nor pg_dump custom format).")


def database_restore(path: Path) -> None:
    """Replace the whole database with the backup in ``path``.

    Stop the servers and the jobs first: requests served during a restore are lost with the
    database they wrote to.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    kind = _kind(path)
    if kind != connection.vendor:
        raise BackupError(f"{path} is a {kind} backup; this database is {connection.vendor}.")
    if kind == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} fails SQLite's integrity check.")
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
        return
    args, env = _pg_args()
    connections.close_all()
    _run(
        [_tool("pg_restore"), *args, "--clean", "--if-exists", "--no-owner",
         "--single-transaction", "--exit-on-error", "-d", connection.settings_dict["NAME"],
         str(path)],
        env,
    )  # fmt: skip
