"""A multi-server deployment on one machine, every part real (docs/operations.md, "Scale-out").

A throwaway PostgreSQL primary and a replica streamed from it (``pg_basebackup -R``), PgBouncer
in transaction mode in front of both (``deploy/pgbouncer.ini``), moto's S3 server for uploads,
Redis for the cache and the sessions, two ``nuanxin serve`` processes through PgBouncer behind
nginx (``deploy/nginx.conf``), and two ``nuanxin task-worker`` processes. Threads drive the
crash test's ledger workload through nginx over HTTP — report submissions (some with a photo),
shop orders and hand adjustments of points, each with an Idempotency-Key, half the first tries
giving up on their answer after a few milliseconds and retried with the same key, so a retry
may land on the other app server — while siting runs are queued for the task workers and the
dashboard is read.

Afterwards: both app servers answered, both task workers ran siting runs, every acknowledged
write is in the database once and nothing else is, every worker's balance is exactly what the
acknowledged writes make it, ``nuanxin points check`` and ``store check`` are clean, the photos
are objects in the bucket and not files on any disk (and read back through nginx), nginx
serves the static files itself, the dashboard reads from the replica
(with its replay paused it does not see a new write; resumed, it does), and a login's session
and a wrong pickup code's counter are in Redis.

PostgreSQL only (the PostgreSQL binaries of the server DATABASE_URL names start the throwaway
clusters); it needs pgbouncer, nginx and Redis on 127.0.0.1:6379, and under CI fails without them.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.core.test_crash_safety import KINDS, Load, Write, _until_definite
from tests.helpers import in_ci
from tests.scaleout.cluster import ROOT, Cluster, free_port

pytestmark = pytest.mark.slow

LOAD_SECONDS = 15.0
LOAD_THREADS = 6
DASHBOARD_READERS = 1
SITING_RUNS_EACH = 2  # per planner (three may wait at a time)
DB = "nuanxin"
APP_USER = "nuanxin_app"
REDIS = "redis://127.0.0.1:6379/0"
BUCKET = "nuanxin-media"


def _need(what: str) -> None:
    if in_ci():
        pytest.fail(f"the multi-server test needs {what}")
    pytest.skip(f"needs {what}")


def _postgres_bin() -> Path:
    """The binaries of the PostgreSQL server DATABASE_URL names (the throwaway clusters run
    the same version)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("PostgreSQL only: DATABASE_URL does not point at PostgreSQL")
    import psycopg

    with psycopg.connect(url) as conn:
        version = conn.execute("SHOW server_version_num").fetchone()[0]
    folder = Path(f"/usr/lib/postgresql/{int(version) // 10000}/bin")
    if not (folder / "pg_basebackup").exists():
        _need(f"the PostgreSQL server binaries in {folder}")
    return folder


@pytest.fixture
def machine():
    """What the deployment runs on: PostgreSQL binaries, pgbouncer, nginx, Redis."""
    bin_dir = _postgres_bin()
    for binary in ("pgbouncer", "nginx"):
        if shutil.which(binary) is None:
            _need(f"{binary} (apt-get install {binary})")
    import redis

    prefix = f"nxscale{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.ConnectionError:
        _need(f"Redis at {REDIS}")
    yield bin_dir, client, prefix
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(out, format="JPEG")
    return out.getvalue()


class LedgerLoad(Load):
    """The crash test's load, through nginx; every fourth report carries a photo."""

    photo = _jpeg()

    def make(self, kind, rng):
        write = super().make(kind, rng)
        if kind == "report" and rng.random() < 0.25:
            write.files = [("photos", ("photo.jpg", self.photo, "image/jpeg"))]
        return write


def _send_with_files(client, write, first):
    headers = {"Authorization": f"Bearer {write.token}", "Idempotency-Key": write.key}
    timeout = httpx.Timeout(60, read=write.impatient) if first and write.impatient else 60
    if write.form is not None:
        files = getattr(write, "files", None) or None
        return client.post(write.path, data=write.form, files=files, headers=headers,
                           timeout=timeout)  # fmt: skip
    return client.post(write.path, json=write.json_body, headers=headers, timeout=timeout)


def _child(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, input=stdin, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip


def _child_json(env: dict, *args: str, stdin: str | None = None) -> dict:
    result = _child(env, "-m", "tests.scaleout.world", *args, stdin=stdin)
    assert result.returncode == 0, result.stderr[-5000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _environment(cluster: Cluster, ports: dict, password: str, prefix: str) -> dict:
    """What every app server, task worker and tool process of the deployment is given."""
    pooled = f"postgresql://{APP_USER}:{password}@127.0.0.1:{ports['bouncer']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nuanxin.settings",
        "DATABASE_URL": f"{pooled}/nuanxin",
        "DATABASE_REPLICA_URL": f"{pooled}/nuanxin_replica",
        "DATABASE_POOLER": "pgbouncer",
        "REDIS_URL": REDIS,
        "REDIS_KEY_PREFIX": prefix,
        "MEDIA_S3_BUCKET": BUCKET,
        "MEDIA_S3_ENDPOINT_URL": f"http://127.0.0.1:{ports['s3']}",
        "MEDIA_S3_REGION": "us-east-1",
        "MEDIA_S3_ADDRESSING_STYLE": "path",
        "MEDIA_S3_ACCESS_KEY": "scale",
        "MEDIA_S3_SECRET_KEY": "scale-secret",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "TRUSTED_PROXIES": "127.0.0.1",
        "NUANXIN_DATA_DIR": str(cluster.path("tools")),
        "NUANXIN_JOBS": "off",
        "NUANXIN_TASK_WORKER": "off",
        "NUANXIN_WORKERS": "1",
    }
    env.pop("NUANXIN_TEST_DB_NAME", None)
    return env


def _served(log: Path) -> int:
    """Requests an app server answered, from granian's access log."""
    return sum(1 for line in log.read_text(errors="replace").splitlines() if '"' in line)


@pytest.fixture
def scratch():
    """The deployment's folder (data, logs, configuration), outside the pytest folders, which
    the other users (postgres, nginx's workers) cannot enter."""
    base = Path(tempfile.mkdtemp(prefix="nx-scaleout-"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


def test_two_app_servers_and_two_task_workers_keep_the_ledger_exact(machine, scratch, monkeypatch):
    import boto3
    import psycopg

    import tests.core.test_crash_safety as crash

    bin_dir, redis_client, prefix = machine
    started = time.monotonic()
    base = scratch
    cluster = Cluster(base, bin_dir)
    ports = {n: free_port() for n in ("primary", "replica", "bouncer", "s3", "app1", "app2", "web")}
    password = uuid.uuid4().hex
    stamps = {"start": started}
    try:
        # -- the database tier: primary, replica, pooler ---------------------------------------
        cluster.primary(ports["primary"])
        admin_url = f"postgresql://postgres@127.0.0.1:{ports['primary']}/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {APP_USER} LOGIN PASSWORD '{password}'")
            conn.execute(f"CREATE DATABASE {DB} OWNER {APP_USER}")
        env = _environment(cluster, ports, password, prefix)
        # Migrations run against the primary itself, not through the pool; meanwhile the
        # replica streams from it and the rest starts.
        direct = {**env, "DATABASE_URL": f"postgresql://{APP_USER}:{password}@127.0.0.1:"
                  f"{ports['primary']}/{DB}", "DATABASE_POOLER": ""}  # fmt: skip
        del direct["DATABASE_REPLICA_URL"]
        migrate = cluster.run(
            "migrate", [sys.executable, "-m", "nuanxin.cli", "migrate", "--verbosity", "0"],
            env=direct,
        )  # fmt: skip
        cluster.replica(ports["primary"], ports["replica"])
        cluster.pgbouncer(port=ports["bouncer"], primary_port=ports["primary"],
                          replica_port=ports["replica"], db=DB,
                          users={APP_USER: password})  # fmt: skip
        cluster.s3(ports["s3"])
        s3 = boto3.client(
            "s3", endpoint_url=f"http://127.0.0.1:{ports['s3']}", region_name="us-east-1",
            aws_access_key_id="scale", aws_secret_access_key="scale-secret",
        )  # fmt: skip
        s3.create_bucket(Bucket=BUCKET)
        assert migrate.popen.wait(timeout=600) == 0, migrate.tail()
        stamps["migrated"] = time.monotonic()

        # -- the application tier: two app servers (each its own data folder, as on its own
        # host) started while the world is prepared, nginx in front, two task workers ----------
        apps = {}
        for name in ("app1", "app2"):
            app_env = {**env, "NUANXIN_DATA_DIR": str(cluster.path(f"{name}-data"))}
            apps[name] = cluster.app_server(name, app_env, ports[name])
        for name in ("tasks1", "tasks2"):
            cluster.task_worker(name, {**env, "NUANXIN_DATA_DIR": str(cluster.path(name))})
        world = _child_json(env, "prepare")
        for name, process in apps.items():
            cluster.wait_app(process, ports[name])
        cluster.nginx(port=ports["web"], upstreams=[ports["app1"], ports["app2"]],
                      static_root=cluster.path("app1-data") / "static")  # fmt: skip
        web = f"http://127.0.0.1:{ports['web']}"
        stamps["prepared"] = time.monotonic()
        print(f"\nscale-out set-up: { ({k: round(v - started, 1) for k, v in stamps.items()}) }")
        served_before = {name: _served(p.log) for name, p in apps.items()}

        # -- the load -----------------------------------------------------------------------
        monkeypatch.setattr(crash, "_send", _send_with_files)
        load = LedgerLoad(web, world)
        threads = [threading.Thread(target=load.run, args=(i,)) for i in range(LOAD_THREADS)]
        dashboard_reads = Counter()

        def read_dashboard() -> None:
            headers = {"Authorization": f"Bearer {world['dashboard']}"}
            with httpx.Client(base_url=web, timeout=60, headers=headers) as client:
                while not load.stop.is_set():
                    dashboard_reads[client.get("/api/v1/dashboard/figures").status_code] += 1
                    time.sleep(0.5)

        readers = [threading.Thread(target=read_dashboard) for _ in range(DASHBOARD_READERS)]
        for thread in threads + readers:
            thread.start()
        queued: dict = {}

        def queue_siting_runs() -> None:
            planners = [str(SITING_RUNS_EACH), *map(str, world["planners"])]
            queued.update(_child_json(env, "siting", *planners))

        queuer = threading.Thread(target=queue_siting_runs)
        queuer.start()
        try:
            time.sleep(LOAD_SECONDS)
        finally:
            load.stop.set()
            for thread in [*threads, *readers, queuer]:
                thread.join(timeout=crash.REQUEST_DEADLINE + 60)
        runs = queued["runs"]
        stamps["loaded"] = time.monotonic()
        acked = [o for o in load.outcomes if o.status is not None and 200 <= o.status < 300]
        answers = {
            kind: [o.body["id"] for o in acked if o.write.kind == kind and "id" in o.body]
            for kind in KINDS
        }

        # -- the replica: the dashboard reads it, and sees what replication brought ---------
        replica_url = f"postgresql://postgres@127.0.0.1:{ports['replica']}/{DB}"
        primary_url = f"postgresql://postgres@127.0.0.1:{ports['primary']}/{DB}"
        expected_held = _expected_points_held(world, acked)
        dash = httpx.Client(base_url=web, timeout=60,
                            headers={"Authorization": f"Bearer {world['dashboard']}"})  # fmt: skip
        with (
            psycopg.connect(replica_url, autocommit=True) as replica,
            psycopg.connect(primary_url, autocommit=True) as primary,
        ):
            _caught_up(primary, replica)
            before = dash.get("/api/v1/dashboard/figures").json()["totals"]
            replica.execute("SELECT pg_wal_replay_pause()")
            try:
                extra = _until_definite(
                    httpx.Client(base_url=web, timeout=60),
                    Write("adjustment", f"scale-extra-{uuid.uuid4().hex}",
                          "/api/v1/points/adjustments", world["clerk"],
                          json_body={"transfer_id": f"scale-{uuid.uuid4().hex}",
                                     "worker_id": world["workers"][0]["id"], "amount": 1,
                                     "reason": "副本测试"}),
                )  # fmt: skip
                assert extra.status == 200 and extra.body["status"] == "posted", extra.body
                paused = dash.get("/api/v1/dashboard/figures").json()["totals"]
            finally:
                replica.execute("SELECT pg_wal_replay_resume()")
            _caught_up(primary, replica)
            after = dash.get("/api/v1/dashboard/figures").json()["totals"]
        answers["adjustment"].append(extra.body["id"])

        # -- Redis: a page login's session, a wrong pickup code's counter ---------------------
        stamps["replica"] = time.monotonic()
        session_keys = _page_login(web, world["login"], redis_client, prefix)
        wrong = httpx.post(
            f"{web}/api/v1/store/staff/pickup/lookup",
            json={"station_id": world["station"], "code": "000000"},
            headers={"Authorization": f"Bearer {world['dashboard']}"}, timeout=60,
        )  # fmt: skip
        counters = [k.decode() for k in redis_client.scan_iter(f"{prefix}:*pickup-fail*")]
        static = httpx.get(f"{web}/static/nuanxin/app.css", timeout=30)

        # -- the task workers finish the siting runs -------------------------------------------
        counted = {**answers, "workers": [w["id"] for w in world["workers"]], "runs": runs}
        deadline = time.monotonic() + 120
        while True:
            counts = _child_json(env, "count", stdin=json.dumps(counted))
            if all(s in ("done", "failed") for s in counts["runs"].values()):
                break
            assert time.monotonic() < deadline, f"siting runs unfinished: {counts['runs']}"
            time.sleep(1)
        served = {name: _served(p.log) - served_before[name] for name, p in apps.items()}
        for process in cluster.processes:
            if process is not migrate:
                assert process.running(), f"{process.name} exited:\n{process.tail()}"
        stamps["counted"] = time.monotonic()
        stored = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
        # A photo read back through nginx and an app server: from the bucket, to its reporter.
        reporter = {o.body["id"]: o.write.token for o in acked if o.write.kind == "report"}
        photo = counts["photos"][0] if counts["photos"] else None
        photo_back = photo and httpx.get(
            f"{web}/api/v1/reports/photos/{photo['id']}",
            headers={"Authorization": f"Bearer {reporter[photo['report']]}"},
            timeout=60,
        )
        # The checks read through the pool too (their .iterator() needs no server-side cursor).
        with ThreadPoolExecutor(2) as pool:
            checking = {
                command: pool.submit(_child, env, "-m", "nuanxin.cli", *command.split())
                for command in ("points check", "store check")
            }
            checks = {command: future.result() for command, future in checking.items()}
        stamps["checked"] = time.monotonic()
    finally:
        cluster.stop_all()

    for command, result in checks.items():
        assert result.returncode == 0, f"nuanxin {command}:\n{result.stdout}\n{result.stderr}"
    assert "ledger clean" in checks["points check"].stdout
    assert "store clean" in checks["store check"].stdout
    print(
        f"\nscale-out: {len(load.outcomes)} writes, acknowledged "
        f"{dict(Counter(o.write.kind for o in acked))}, "
        f"{sum(o.replayed for o in acked)} by a replay, served {served}, "
        f"dashboard {dict(dashboard_reads)}, "
        f"tasks {[t['worker_ids'] for t in counts['tasks']]}, "
        f"seconds from the start: { ({k: round(v - started, 1) for k, v in stamps.items()}) }, "
        f"stopped at {time.monotonic() - started:.1f}"
    )
    _assert_results(
        load=load, acked=acked, answers=answers, counts=counts, served=served, world=world,
        expected_held=expected_held, dashboard=(before, paused, after),
        dashboard_reads=dashboard_reads, stored=stored, photo_back=photo_back, base=base,
        session_keys=session_keys, wrong=wrong, counters=counters, static=static,
        nginx_log=base / "nginx" / "nginx-access.log",
    )  # fmt: skip


def _expected_points_held(world: dict, acked: list) -> int:
    """The workers' posted points after the acknowledged writes (the dashboard's 积分持有): what
    they started with and one more per adjustment; an order only holds its point."""
    start = world["points_each"] * len(world["workers"])
    adjustments = sum(1 for o in acked if o.write.kind == "adjustment")
    return start + adjustments


def _caught_up(primary, replica, timeout: float = 30) -> None:
    # The insert position, not the write position (pg_current_wal_lsn): the cluster runs with
    # synchronous_commit=off, so a commit just acknowledged may still sit in the WAL buffers,
    # behind the write position, and a replica at that position would not have it yet.
    target = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ok = replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[
            0
        ]
        if ok:
            return
        time.sleep(0.1)
    raise AssertionError("the replica did not catch up")


def _page_login(web: str, login: dict, redis_client, prefix: str) -> list[str]:
    """Log in on the login page (a session cookie); the session's keys in Redis."""
    with httpx.Client(base_url=web, timeout=60) as client:
        page = client.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = client.post(
            "/accounts/login/",
            data={**login, "csrfmiddlewaretoken": token, "remember": "on"},
        )
        assert answer.status_code == 302, answer.text[-2000:]
        session = client.cookies.get("sessionid")
        assert session
        assert client.get("/accounts/profile/").status_code == 200
    return [k.decode() for k in redis_client.scan_iter(f"{prefix}:*{session}*")]


def _assert_results(*, load, acked, answers, counts, served, world, expected_held, dashboard,
                    dashboard_reads, stored, photo_back, base, session_keys, wrong, counters,
                    static, nginx_log) -> None:  # fmt: skip
    # Both app servers answered; nginx names both as upstreams.
    assert all(n > 10 for n in served.values()), served
    log = nginx_log.read_text()
    upstreams = Counter(re.findall(r"upstream=(\S+)", log))
    assert len([u for u in upstreams if u != "-"]) >= 2, upstreams
    # Both task workers ran siting runs, each run once.
    assert counts["runs"] and set(counts["runs"].values()) == {"done"}, counts["runs"]
    assert all(t["status"] == "SUCCESSFUL" and len(t["worker_ids"]) == 1 for t in counts["tasks"])
    assert len({t["worker_ids"][0] for t in counts["tasks"]}) == 2, counts["tasks"]
    # Every acknowledged write once, nothing else; retries replayed.
    assert [o.write.key for o in load.outcomes if o.status is None] == []
    assert any(o.replayed for o in acked), "no retry of a lost answer"
    by_kind = Counter(o.write.kind for o in acked)
    for kind in KINDS:
        ids = answers[kind]
        assert len(set(ids)) == len(ids)
        assert counts[kind]["acked_present"] == len(ids), f"an acknowledged {kind} was lost"
        assert counts[kind]["rows"] == len(ids), f"a {kind} row nobody was told about"
    assert by_kind["adjustment"] + 1 == len(answers["adjustment"])
    assert counts["report"]["keys_with_two_rows"] == []
    # Each worker's points, exactly: start + adjustments; orders hold one point each.
    adjusted = Counter(
        o.write.json_body["worker_id"] for o in acked if o.write.kind == "adjustment"
    )
    adjusted[world["workers"][0]["id"]] += 1  # the write made while the replica was paused
    ordered = Counter()
    token_of = {w["token"]: w["id"] for w in world["workers"]}
    for o in acked:
        if o.write.kind == "order":
            ordered[token_of[o.write.token]] += 1
    for worker in world["workers"]:
        balance = counts["balances"][str(worker["id"])]
        posted = world["points_each"] + adjusted[worker["id"]]
        assert balance == {
            "available": posted - ordered[worker["id"]],
            "held": ordered[worker["id"]],
            "posted": posted,
        }, worker["id"]
    # The dashboard read the replica: paused, it missed the new point; resumed, it had it.
    before, paused, after = dashboard
    assert before["points_held"] == expected_held, (before, expected_held)
    assert paused["points_held"] == before["points_held"]
    assert after["points_held"] == before["points_held"] + 1
    assert dashboard_reads[200] > 0 and set(dashboard_reads) == {200}, dashboard_reads
    # Photos are objects in the bucket, and on no disk of any server.
    assert counts["photos"], "no report with a photo was acknowledged"
    assert {photo["name"] for photo in counts["photos"]} <= stored
    assert photo_back.status_code == 200 and photo_back.content[:2] == b"\xff\xd8"
    names = {Path(name).name for name in stored}
    on_disk = [p for p in base.rglob("*") if p.is_file() and p.name in names]
    assert on_disk == []
    # Redis holds the session and the pickup-code counter.
    assert session_keys, "the session is not in Redis"
    assert wrong.json()["code"] == "store.code_not_found", wrong.text
    assert counters, "the pickup-code counter is not in Redis"
    # nginx served the static file itself, no app server.
    assert static.status_code == 200 and b"{" in static.content
    assert re.search(r'"GET /static/nuanxin/app\.css [^"]*" 200 \d+ upstream=- ', log), log[-2000:]
