"""The demo city for tests: built once per test run, copied once per process, rolled back per test.

Loading the demo takes about a minute, so a run builds it once, into a database of its own (the
template), in a background process started as soon as collection finds a test that asks for
``demo_city``; the other tests run meanwhile. Each process that runs such tests (every xdist
worker, or the one process without xdist) copies the template once into a database of its own —
SQLite through the backup API, PostgreSQL with ``CREATE DATABASE ... TEMPLATE`` — and points
Django's connection at that copy for the modules whose tests use the demo. There every test runs
in a transaction rolled back at its end, as any pytest-django test does; a transactional test
(which commits, and flushes at its end) gets a fresh copy after it. Each process drops its copy
when it ends; the process that started the run drops the template.

Files of the run live in pytest's temporary folder for the run, shared by the workers: the claim
of the build, its log, its result, the demo's photos, and on SQLite the databases themselves. On
PostgreSQL the databases are named after the test database, so a run killed half-way leaves
nothing the next run does not drop first.

Run as ``python -m tests.demo_db TEMPLATE RUN_DIR``, it is the builder.
"""

import contextlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_SECONDS = 20 * 60
# The tests' password hasher (fast; the production one is slow on purpose). The demo is built with
# it too, so that the demo accounts' passwords check in tests.
TEST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_dir(config: pytest.Config) -> Path:
    """The run's temporary folder, the same for the controller and every xdist worker."""
    base = config._tmp_path_factory.getbasetemp()
    # xdist gives each worker the folder <run>/popen-gwN.
    return base.parent if hasattr(config, "workerinput") else base


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def _sqlite_files(name: str) -> list[Path]:
    return [Path(name + suffix) for suffix in ("", "-wal", "-shm", "-journal")]


def drop_database(name: str) -> None:
    from django.db import connection

    if connection.vendor == "sqlite":
        for path in _sqlite_files(name):
            path.unlink(missing_ok=True)
        return
    with connection._nodb_cursor() as cursor:
        # FORCE: a connection left open by a server thread must not keep the database alive.
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")


def copy_database(template: str, name: str) -> None:
    from django.db import connection

    drop_database(name)
    if connection.vendor == "sqlite":
        # The backup API copies a consistent snapshot, whatever sits in the template's WAL file.
        with (
            contextlib.closing(sqlite3.connect(template)) as source,
            contextlib.closing(sqlite3.connect(name)) as target,
        ):
            source.backup(target)
        return
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")


def _template_name(run: Path) -> str:
    from django.conf import settings

    if _vendor() == "sqlite":
        return str(run / "demo-template.sqlite3")
    db = settings.DATABASES["default"]
    name = (db.get("TEST") or {}).get("NAME") or f"test_{db['NAME']}"
    # Once pytest-django has set up a worker, its test database name ends in _gwN.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        name = name.removesuffix(f"_{worker}")
    return f"{name}_demo_template"


def build_start(run: Path) -> None:
    """Start the builder unless a process of this run already has."""
    try:
        claim = os.open(run / "demo-build.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.close(claim)
    template = _template_name(run)
    env = {**os.environ, "MEDIA_ROOT": str(run / "demo-media")}
    with open(run / "demo-build.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.demo_db", template, str(run)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    _write_json(run / "demo-build.json", {"template": template, "pid": process.pid})
    # Reap it when it ends, so that other processes see it gone rather than a zombie.
    threading.Thread(target=process.wait, daemon=True).start()


def _write_json(path: Path, data: dict) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data, ensure_ascii=False))
    partial.replace(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _log_tail(run: Path) -> str:
    log = run / "demo-build.log"
    return log.read_text(errors="replace")[-4000:] if log.exists() else "(no log)"


def build_wait(run: Path) -> dict:
    """The builder's result (template, credentials, output); fails the test if the build did."""
    deadline = time.monotonic() + BUILD_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if (run / "demo-ready.json").exists():
            return json.loads((run / "demo-ready.json").read_text())
        state = run / "demo-build.json"
        if state.exists() and not _alive(json.loads(state.read_text())["pid"]):
            if (run / "demo-ready.json").exists():
                continue
            pytest.fail(f"building the demo city failed:\n{_log_tail(run)}", pytrace=False)
        time.sleep(0.2)
    pytest.fail(f"the demo city was not built in {BUILD_TIMEOUT_SECONDS} s:\n{_log_tail(run)}")


def build_cleanup(run: Path) -> None:
    """At the end of the run: stop a builder still at work, drop the template and the photos."""
    state = run / "demo-build.json"
    if not state.exists():
        return
    info = json.loads(state.read_text())
    if _alive(info["pid"]):
        os.kill(info["pid"], signal.SIGTERM)
        deadline = time.monotonic() + 30
        while _alive(info["pid"]) and time.monotonic() < deadline:
            time.sleep(0.2)
    drop_database(info["template"])
    shutil.rmtree(run / "demo-media", ignore_errors=True)
    state.unlink()


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


@dataclass
class DemoCopy:
    """This process's copy of the template, and how to point the connection at it."""

    run: Path
    template: str
    name: str
    credentials: list[tuple[str, str, str]]
    output: str
    blocker: object
    dropped: bool = False
    _saved: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, run: Path, blocker) -> "DemoCopy":
        from django.db import connection

        build_start(run)  # a no-op when collection has started it, as it usually has
        ready = build_wait(run)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        if connection.vendor == "sqlite":
            name = str(run / f"demo-{worker}.sqlite3")
        else:
            name = f"{connection.settings_dict['NAME']}_demo"
        copy = cls(
            run=run,
            template=ready["template"],
            name=name,
            credentials=[tuple(row) for row in ready["credentials"]],
            output=ready["output"],
            blocker=blocker,
        )
        with blocker.unblock():
            copy_database(copy.template, copy.name)
        return copy

    @contextlib.contextmanager
    def active(self):
        """Django's connection (every thread's) opens this copy instead of the test database."""
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection

        with self.blocker.unblock():
            connection.close()
            self._saved.append(connection.settings_dict["NAME"])
            connection.settings_dict["NAME"] = self.name
            # Content types are cached per database alias; both databases use "default".
            ContentType.objects.clear_cache()
        try:
            yield self
        finally:
            with self.blocker.unblock():
                connection.close()
                connection.settings_dict["NAME"] = self._saved.pop()
                ContentType.objects.clear_cache()

    def link_media(self, media_root: Path) -> None:
        """The demo's photos, hard-linked into a test's MEDIA_ROOT (storage never rewrites a
        file in place, so a test that deletes one deletes only its link)."""
        source = self.run / "demo-media"
        if source.is_dir():
            shutil.copytree(source, media_root, copy_function=_link_or_copy, dirs_exist_ok=True)

    def refresh(self) -> None:
        """A fresh copy, after a test that committed into this one."""
        if self.dropped:
            return
        from django.db import connection

        with self.blocker.unblock():
            connection.close()
            copy_database(self.template, self.name)

    def drop(self) -> None:
        with self.blocker.unblock():
            drop_database(self.name)
        self.dropped = True


def _build(template: str, run: Path) -> None:
    """Migrate a new database named ``template`` and load the demo into it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuanxin.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    from nuanxin.demo.loader import load_demo

    setup_test_environment()
    settings.PASSWORD_HASHERS = TEST_HASHERS
    drop_database(template)
    connection.settings_dict["TEST"]["NAME"] = template
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    out = io.StringIO()
    ctx = load_demo(out)
    connection.close()
    _write_json(
        run / "demo-ready.json",
        {"template": template, "credentials": ctx.credentials, "output": out.getvalue()},
    )


if __name__ == "__main__":
    try:
        _build(sys.argv[1], Path(sys.argv[2]))
    except BaseException:
        traceback.print_exc()
        sys.exit(1)
