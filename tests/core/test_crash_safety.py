"""Crash safety of the served application: SIGKILLed workers lose no acknowledged write and
make no duplicate of a retried one.

The real production server (``nuanxin serve``: granian, two worker processes) runs against a
database made for the test: an SQLite file, and on PostgreSQL (when DATABASE_URL points at one,
as in CI's second run) a fresh database on the same server, dropped at the end. Threads send
report submissions, shop orders and hand adjustments of points (a ledger posting) over HTTP,
each with an Idempotency-Key, and retry every request with the same key until it gets a
definite answer (2xx, or a 4xx refusal) across dropped connections and 5xx answers; half the
first tries stop waiting for their answer after a few milliseconds, as a phone losing its signal
would, so that retries of writes already committed are common. Meanwhile a worker process is
SIGKILLed every 0.5-1 s (granian respawns it), every fourth time the whole server (started again
by the test).

Afterwards every acknowledged write is in the database exactly once, nothing else is (a
refused or never-acknowledged attempt left no row), every acknowledged key replays its first
answer, and ``nuanxin points check``, ``store check`` and ``audit check`` report clean.
"""

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
KILLS = 10
KILL_SECONDS = 30.0  # the bound on the kills, restarts of the server included
LOAD_THREADS = 6
REQUEST_DEADLINE = 120.0  # per request, retries included: generous for a loaded machine
KINDS = ("report", "order", "adjustment")
# Refusals that only say "try again": retried like a dropped connection.
TRANSIENT_CODES = {"store.busy"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The URL of an empty database of the test's own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        return
    server_url = _postgres_url()
    if server_url is None:
        pytest.skip("DATABASE_URL does not point at PostgreSQL")
    import psycopg

    name = f"nx_crash_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(server_url)
    yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(server_url, autocommit=True) as conn:
        # FORCE: a connection left by a killed worker must not keep the database alive.
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _environment(database_url: str, data_dir: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "NUANXIN_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "nuanxin.settings",
        "NUANXIN_JOBS": "off",
        "NUANXIN_TASK_WORKER": "off",
        "NUANXIN_WORKERS": "2",
    }
    env.pop("NUANXIN_TEST_DB_NAME", None)
    return env


def _run(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _child_json(env: dict, action: str, stdin: str | None = None) -> dict:
    result = _run(env, "-m", "tests.core.crash_world", action, stdin=stdin)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _worker_pids(server_pid: int) -> list[int]:
    """The granian workers: the server process's children."""
    pids: list[int] = []
    for children in Path(f"/proc/{server_pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            pids += [int(p) for p in children.read_text().split()]
    return pids


@dataclass
class Write:
    kind: str
    key: str
    path: str
    token: str
    json_body: dict | None = None
    form: dict | None = None
    # The first try gives up waiting for the answer after this many seconds, as a phone losing
    # its signal would, however the server fares: its retry must be answered by a replay.
    impatient: float | None = None


@dataclass
class Outcome:
    write: Write
    status: int | None = None
    body: dict = field(default_factory=dict)
    attempts: int = 0
    interrupted: int = 0  # attempts that ended in a dropped connection or a 5xx
    gave_up: bool = False  # the impatient first try stopped waiting
    replayed: bool = False  # the answer says Idempotent-Replayed: true


BOUNDARY = "nxcrashboundary"


def _multipart(form: dict) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in form.items()
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


def _send(client: httpx.Client, write: Write, first: bool) -> httpx.Response:
    headers = {"Authorization": f"Bearer {write.token}", "Idempotency-Key": write.key}
    timeout = httpx.Timeout(60, read=write.impatient) if first and write.impatient else 60
    if write.form is not None:
        headers["Content-Type"] = f"multipart/form-data; boundary={BOUNDARY}"
        return client.post(
            write.path, content=_multipart(write.form), headers=headers, timeout=timeout
        )
    return client.post(write.path, json=write.json_body, headers=headers, timeout=timeout)


def _until_definite(client: httpx.Client, write: Write) -> Outcome:
    """Send ``write`` with its key until the answer is 2xx or a 4xx refusal."""
    outcome = Outcome(write)
    deadline = time.monotonic() + REQUEST_DEADLINE
    while time.monotonic() < deadline:
        outcome.attempts += 1
        try:
            response = _send(client, write, first=outcome.attempts == 1)
        except httpx.TimeoutException:
            if outcome.attempts == 1 and write.impatient:
                outcome.gave_up = True
            else:
                outcome.interrupted += 1
            continue
        except httpx.TransportError:
            outcome.interrupted += 1
            time.sleep(min(0.1 * outcome.attempts, 0.5))
            continue
        body = response.json() if "json" in response.headers.get("content-type", "") else {}
        if response.status_code >= 500 or body.get("code") in TRANSIENT_CODES:
            outcome.interrupted += response.status_code >= 500
            time.sleep(min(0.1 * outcome.attempts, 0.5))
            continue
        outcome.status, outcome.body = response.status_code, body
        outcome.replayed = response.headers.get("Idempotent-Replayed") == "true"
        return outcome
    return outcome  # status None: no definite answer before the deadline


class Load:
    def __init__(self, base: str, world: dict) -> None:
        self.base, self.world = base, world
        self.stop = threading.Event()
        self.outcomes: list[Outcome] = []
        self.lock = threading.Lock()

    def make(self, kind: str, rng: random.Random) -> Write:
        key = f"crash-{kind}-{uuid.uuid4().hex}"
        worker = rng.choice(self.world["workers"])
        impatient = rng.uniform(0.001, 0.03) if rng.random() < 0.5 else None
        if kind == "report":
            lon, lat = self.world["point"]
            form = {
                "category": self.world["category"],
                "lon": f"{lon:.5f}",
                "lat": f"{lat:.5f}",
                "description": f"crash {key}",
            }
            return Write(
                kind, key, "/api/v1/reports/", worker["token"], form=form, impatient=impatient
            )
        if kind == "order":
            body = {"station_id": self.world["station"], "item_id": self.world["item"]}
            return Write(
                kind,
                key,
                "/api/v1/store/orders",
                worker["token"],
                json_body=body,
                impatient=impatient,
            )
        body = {"transfer_id": key, "worker_id": worker["id"], "amount": 1, "reason": "崩溃测试"}
        return Write(
            kind,
            key,
            "/api/v1/points/adjustments",
            self.world["clerk"],
            json_body=body,
            impatient=impatient,
        )

    def run(self, index: int) -> None:
        rng = random.Random(index)
        with httpx.Client(base_url=self.base, timeout=60) as client:
            turn = index
            while not self.stop.is_set():
                outcome = _until_definite(client, self.make(KINDS[turn % len(KINDS)], rng))
                turn += 1
                with self.lock:
                    self.outcomes.append(outcome)


class Server:
    """``nuanxin serve`` on a fixed port, in a process group of its own so that one signal
    reaches granian and its workers together; started again after it exits or is killed."""

    def __init__(self, env: dict, port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.base = f"http://127.0.0.1:{port}"
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nuanxin.cli", "serve", "--port", str(self.port)],
            env=self.env,
            cwd=ROOT,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready()

    def running(self) -> bool:
        return self.process.poll() is None

    def workers(self) -> list[int]:
        return _worker_pids(self.process.pid)

    def wait_ready(self) -> None:
        """Both workers are up and one of them answers."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.running(), self.log.read_text()[-3000:]
            try:
                if len(self.workers()) == 2:
                    httpx.get(f"{self.base}/api/v1/points/balance", timeout=5)
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"the server did not start:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL granian and its workers at once: the machine losing power, as far as the
        database can tell."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class Chaos:
    worker_kills: int = 0
    server_kills: int = 0
    crash_loop_exits: int = 0  # granian giving up after a worker crash loop (from its log)

    def run(self, server: Server) -> None:
        """Every 0.5-1 s SIGKILL one worker (granian respawns it), every fourth time the whole
        server instead, KILLS times (or until KILL_SECONDS have passed). Killing this often
        trips granian's crash-loop guard (it exits when a worker dies within 5.5 s of its
        respawn): a server found exited, or killed, is started again, as a service manager
        would start it in production."""
        rng = random.Random(0)
        until = time.monotonic() + KILL_SECONDS
        while self.worker_kills + self.server_kills < KILLS and time.monotonic() < until:
            time.sleep(rng.uniform(0.5, 1.0))
            if not server.running():
                server.start()
                continue
            pids = server.workers()
            if (self.worker_kills + self.server_kills + 1) % 4 == 0 or not pids:
                server.kill()
                self.server_kills += 1
                server.start()
                continue
            with contextlib.suppress(ProcessLookupError):
                os.kill(rng.choice(pids), signal.SIGKILL)
                self.worker_kills += 1
        # Last, a fresh server for what follows, whatever state the last kill left granian in
        # (it may be shutting down after a crash loop).
        server.kill()
        self.server_kills += 1
        server.start()
        self.crash_loop_exits = server.log.read_text().count("Worker crash loop detected")


def test_killed_workers_lose_no_acknowledged_write_and_duplicate_none(database_url, tmp_path):
    started = time.monotonic()
    env = _environment(database_url, tmp_path)
    migrated = _run(env, "-m", "nuanxin.cli", "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    world = _child_json(env, "prepare")
    prepared = time.monotonic()

    server = Server(env, _free_port(), tmp_path / "server.log")
    server.start()
    load = Load(server.base, world)
    threads = [threading.Thread(target=load.run, args=(i,)) for i in range(LOAD_THREADS)]
    chaos = Chaos()
    try:
        for thread in threads:
            thread.start()
        chaos.run(server)
        load.stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_DEADLINE + 60)
        # After the storm every acknowledged key replays its first answer, and creates nothing.
        acked = [o for o in load.outcomes if o.status is not None and 200 <= o.status < 300]
        replays_differing = []
        with httpx.Client(base_url=server.base, timeout=60) as client:
            for outcome in acked:
                again = _until_definite(client, replace(outcome.write, impatient=None))
                if (again.status, again.body, again.replayed) != (
                    outcome.status,
                    outcome.body,
                    True,
                ):
                    replays_differing.append((outcome.write.key, again.status, again.body))
    finally:
        load.stop.set()
        server.stop()

    loaded = time.monotonic()
    undecided = [o.write.key for o in load.outcomes if o.status is None]
    answers = {
        kind: [o.body["id"] for o in acked if o.write.kind == kind and "id" in o.body]
        for kind in KINDS
    }
    with ThreadPoolExecutor(4) as pool:  # four processes that only read
        counting = pool.submit(_child_json, env, "count", json.dumps(answers))
        checking = {
            command: pool.submit(_run, env, "-m", "nuanxin.cli", *command.split())
            for command in ("points check", "store check", "audit check")
        }
        counts = counting.result()
        checks = {command: future.result() for command, future in checking.items()}

    by_kind = Counter(o.write.kind for o in acked)
    refused = Counter(o.body.get("code") for o in load.outcomes if o.status and o.status >= 400)
    interrupted = sum(o.interrupted for o in load.outcomes)
    print(
        f"\ncrash safety on {database_url.split(':')[0]}: {chaos}, "
        f"{len(load.outcomes)} writes, acknowledged {dict(by_kind)}, refused {dict(refused)}, "
        f"{interrupted} interrupted attempts, {sum(o.replayed for o in acked)} acknowledged "
        f"by a replay (the first try's answer was lost), rows {counts}, "
        f"seconds: setup {prepared - started:.1f}, load {loaded - prepared:.1f}, "
        f"checks {time.monotonic() - loaded:.1f}"
    )
    assert chaos.worker_kills + chaos.server_kills >= 5
    assert interrupted > 0, "no request was ever cut off: the kills proved nothing"
    assert any(o.replayed for o in acked), "no retry of a lost answer: duplicates went untested"
    assert undecided == []
    assert replays_differing == []
    for kind in KINDS:
        ids = answers[kind]
        assert len(ids) == by_kind[kind], f"a {kind} answer without an id"
        assert len(set(ids)) == len(ids), f"two {kind} keys answered with the same row"
        assert counts[kind]["acked_present"] == len(ids), f"an acknowledged {kind} was lost"
        assert counts[kind]["rows"] == len(ids), f"a {kind} row nobody was told about"
    assert counts["report"]["keys_with_two_rows"] == []
    for command, result in checks.items():
        assert result.returncode == 0, f"nuanxin {command}:\n{result.stdout}\n{result.stderr}"
    assert "ledger clean" in checks["points check"].stdout
    assert "store clean" in checks["store check"].stdout
    assert "audit log intact" in checks["audit check"].stdout
