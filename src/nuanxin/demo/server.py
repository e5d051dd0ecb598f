"""The production server behind ``nuanxin serve`` and ``nuanxin demo``.

granian serves the WSGI application: benchmarks/bench_http_server.py measured it at 1.4 to 3.5
times gunicorn's (gthread) requests per second on the same demo database.
"""

import os

from granian import Granian
from granian.constants import Interfaces


def default_workers() -> int:
    return int(os.environ.get("NUANXIN_WORKERS", str(os.cpu_count() or 1)))


def serve(*, host: str, port: int, workers: int | None = None) -> None:
    """Serve until stopped; the serving process also runs the periodic jobs in a thread
    (set NUANXIN_JOBS=off when a separate ``nuanxin jobs --loop`` process runs them)."""
    if os.environ.get("NUANXIN_JOBS", "on") != "off":
        from nuanxin.core.jobs import start_jobs_thread
        from nuanxin.jobs import JOBS

        start_jobs_thread(JOBS, tick_seconds=60)
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
