"""Which production server `nuanxin serve` uses: gunicorn (gthread) against granian (WSGI).

Both serve the same demo database on loopback; wrk (Debian package) drives each with the same
load on three paths: a page, a small JSON API read and a point -> region lookup. The figure
that decides is the ratio of requests per second, measured in the same run.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PATHS = {
    "page": "/accounts/login/",
    "api_region": "/api/v1/geo/440804",
    "api_lookup": "/api/v1/geo/lookup?lon=110.45&lat=21.25",
}
DURATION_S = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not start")


def wrk(url: str) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION_S}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"errors while loading {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def servers(port: int) -> dict[str, list[str]]:
    workers = os.environ.get("BENCH_GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
    return {
        "gunicorn": [
            sys.executable,
            "-m",
            "gunicorn",
            "nuanxin.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            workers,
            "-k",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        "granian": [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(os.cpu_count() or 1),
            "--blocking-threads",
            "4",
            "--log-level",
            "warning",
            "nuanxin.wsgi:application",
        ],
    }


def main() -> dict:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    data = Path(tempfile.mkdtemp(prefix="nuanxin-bench-http-"))
    env = {
        **os.environ,
        "NUANXIN_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "nuanxin.settings",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "nuanxin.cli", "demo", "--no-serve"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    results: dict[str, dict[str, float]] = {}
    for name, command in servers(free_port()).items():
        port = (
            int(command[command.index("-b") + 1].rsplit(":", 1)[1])
            if "-b" in command
            else int(command[command.index("--port") + 1])
        )
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            wait_for(port)
            base = f"http://127.0.0.1:{port}"
            wrk(base + PATHS["page"])  # warm-up: imports, first connections, caches
            results[name] = {label: wrk(base + path) for label, path in PATHS.items()}
        finally:
            process.terminate()
            process.wait(timeout=20)
    print(f"{'path':<12}{'gunicorn':>12}{'granian':>12}{'granian/gunicorn':>18}")
    ratios = {}
    for label in PATHS:
        g, r = results["gunicorn"][label], results["granian"][label]
        ratios[label] = round(r / g, 2)
        print(f"{label:<12}{g:>12.0f}{r:>12.0f}{ratios[label]:>18.2f}")
    shutil.rmtree(data, ignore_errors=True)
    return {"requests_per_second": results, "granian_over_gunicorn": ratios}


if __name__ == "__main__":
    main()
