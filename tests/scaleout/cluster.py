"""The parts of a multi-server deployment, each a real process started here on loopback ports:
a PostgreSQL primary and its streamed replica (throwaway clusters in a temporary folder),
PgBouncer, moto's S3 server, ``nuanxin serve``, ``nuanxin task-worker`` and nginx, the last
two with the configuration files in deploy/ filled in.

Each process runs in a process group of its own and is ended by its id (``Process.stop``).
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fill(template: Path, values: dict[str, str]) -> str:
    text = template.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    assert "@" not in "".join(line.split("#")[0].split(";")[0] for line in text.splitlines()), (
        f"a placeholder of {template.name} was left unfilled"
    )
    return text


def as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL and PgBouncer refuse to run as root: as root, run them as ``postgres``."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class Process:
    name: str
    args: list[str]
    log: Path
    env: dict | None = None
    cwd: Path = ROOT
    popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        self.popen = subprocess.Popen(
            self.args,
            env=self.env,
            cwd=self.cwd,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self, timeout: float = 30) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=timeout)


def wait_for(check, what: str, process: Process | None = None, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and not process.running():
            raise AssertionError(f"{process.name} exited:\n{process.tail()}")
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    log = f":\n{process.tail()}" if process else ""
    raise AssertionError(f"{what} not ready in {timeout} s{log}")


@dataclass
class Cluster:
    """Everything the deployment runs, and the folder it runs in."""

    base: Path
    bin_dir: Path
    processes: list[Process] = field(default_factory=list)

    def path(self, name: str) -> Path:
        folder = self.base / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def give_to_postgres(self, folder: Path) -> None:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
            for child in folder.rglob("*"):
                shutil.chown(child, "postgres", "postgres")

    def run(self, name: str, args: list[str], **kwargs) -> Process:
        process = Process(name, args, self.path("logs") / f"{name}.log", **kwargs).start()
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        # The clients first, the database last, as an operator would.
        for process in reversed(self.processes):
            process.stop()

    # -- PostgreSQL --------------------------------------------------------------------------

    def postgres(self, name: str, data: Path, port: int) -> Process:
        process = self.run(
            name,
            as_postgres(
                [
                    str(self.bin_dir / "postgres"), "-D", str(data), "-p", str(port),
                    "-k", str(data), "-c", "listen_addresses=127.0.0.1",
                    "-c", "wal_level=replica", "-c", "max_wal_senders=5",
                    "-c", "hot_standby=on", "-c", "hot_standby_feedback=on",
                    "-c", "max_connections=100", "-c", "shared_buffers=64MB",
                    # A throwaway cluster: durability buys nothing here.
                    "-c", "fsync=off", "-c", "full_page_writes=off",
                    "-c", "synchronous_commit=off",
                ]
            ),
        )  # fmt: skip
        wait_for(
            lambda: (
                subprocess.run(
                    [str(self.bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                    capture_output=True,
                ).returncode
                == 0
            ),
            name,
            process,
        )
        return process

    def primary(self, port: int) -> Path:
        data = self.path("primary")
        self.give_to_postgres(data)
        subprocess.run(
            as_postgres(
                [str(self.bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                 "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
            ),
            check=True, capture_output=True,
        )  # fmt: skip
        # The app's role logs in with a password (through PgBouncer); the superuser streams.
        (data / "pg_hba.conf").write_text(
            "local all all trust\n"
            "host replication postgres 127.0.0.1/32 trust\n"
            "host all postgres 127.0.0.1/32 trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
        )
        self.give_to_postgres(data)
        self.postgres("primary", data, port)
        return data

    def replica(self, primary_port: int, port: int) -> Path:
        data = self.path("replica")
        data.chmod(0o700)
        self.give_to_postgres(data)
        subprocess.run(
            as_postgres(
                [str(self.bin_dir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary_port),
                 "-U", "postgres", "-D", str(data), "-X", "stream", "-R", "--checkpoint=fast"]
            ),
            check=True, capture_output=True,
        )  # fmt: skip
        self.postgres("replica", data, port)
        return data

    def pgbouncer(self, *, port: int, primary_port: int, replica_port: int, db: str,
                  users: dict[str, str]) -> Process:  # fmt: skip
        folder = self.path("pgbouncer")
        auth = folder / "userlist.txt"
        auth.write_text("".join(f'"{user}" "{password}"\n' for user, password in users.items()))
        config = folder / "pgbouncer.ini"
        config.write_text(
            fill(
                DEPLOY / "pgbouncer.ini",
                {
                    "PRIMARY": f"host=127.0.0.1 port={primary_port}",
                    "REPLICA": f"host=127.0.0.1 port={replica_port}",
                    "DBNAME": db,
                    "LISTEN_PORT": str(port),
                    "AUTH_FILE": str(auth),
                    "RUN_DIR": str(folder),
                    "LOG_DIR": str(folder),
                },
            )
        )
        self.give_to_postgres(folder)
        process = self.run("pgbouncer", as_postgres(["pgbouncer", str(config)]))
        wait_for(lambda: socket.create_connection(("127.0.0.1", port), 1).close() is None,
                 "pgbouncer", process)  # fmt: skip
        return process

    # -- the rest ----------------------------------------------------------------------------

    def s3(self, port: int) -> Process:
        process = self.run(
            "moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        )
        wait_for(lambda: httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code < 500,
                 "moto", process)  # fmt: skip
        return process

    def app_server(self, name: str, env: dict, port: int) -> Process:
        """``nuanxin serve`` on ``port``, started (``wait_app`` waits until it answers)."""
        return self.run(
            name, [sys.executable, "-m", "nuanxin.cli", "serve", "--port", str(port)], env=env
        )

    def wait_app(self, process: Process, port: int) -> None:
        wait_for(
            lambda: httpx.get(f"http://127.0.0.1:{port}/api/v1/points/balance", timeout=5)
            .status_code == 401,
            process.name, process, timeout=180,
        )  # fmt: skip

    def task_worker(self, name: str, env: dict) -> Process:
        return self.run(
            name, [sys.executable, "-m", "nuanxin.cli", "task-worker", "--interval", "0.5"],
            env=env,
        )  # fmt: skip

    def nginx(self, *, port: int, upstreams: list[int], static_root: Path) -> Process:
        folder = self.path("nginx")
        config = folder / "nginx.conf"
        servers = "\n        ".join(f"server 127.0.0.1:{p};" for p in upstreams)
        config.write_text(
            fill(
                DEPLOY / "nginx.conf",
                {
                    "LISTEN": f"127.0.0.1:{port}",
                    "UPSTREAM_SERVERS": servers,
                    "STATIC_ROOT": str(static_root),
                    "RUN_DIR": str(folder),
                    "LOG_DIR": str(folder),
                },
            )
        )
        # Started as root, nginx's workers need an unprivileged user (Debian's is nogroup).
        globals_ = "daemon off;" + (" user nobody nogroup;" if os.geteuid() == 0 else "")
        process = self.run("nginx", ["nginx", "-p", str(folder), "-c", str(config), "-g", globals_])
        wait_for(lambda: socket.create_connection(("127.0.0.1", port), 1).close() is None,
                 "nginx", process)  # fmt: skip
        return process
