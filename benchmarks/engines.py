"""Helpers of the benchmarks that run once per database engine in a child process each.

``run_engines(script, pg_db)`` runs ``script --engine`` on a fresh SQLite file in a temporary
folder and, when ``BENCH_PG_URL`` is set, on a fresh PostgreSQL database ``pg_db`` (dropped
afterwards); the child prints its figures as the last line of JSON.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuanxin.settings")
    import django

    django.setup()


def box(lon: float, lat: float, size: float) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def _pg(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def run_engines(script: str, pg_db: str) -> dict:
    engines: dict[str, str | None] = {"sqlite": None}
    if pg := os.environ.get("BENCH_PG_URL"):
        engines["postgresql"] = pg
    results = {}
    for name, url in engines.items():
        data = tempfile.mkdtemp(prefix="nuanxin-bench-")
        env = {**os.environ, "NUANXIN_DATA_DIR": data, "BENCH_ENGINE": name}
        env.pop("DATABASE_URL", None)
        if url:
            _pg(url, f"DROP DATABASE IF EXISTS {pg_db}")
            _pg(url, f"CREATE DATABASE {pg_db}")
            env["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{pg_db}"
        try:
            out = subprocess.run(
                [sys.executable, script, "--engine"],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        finally:
            if url:
                _pg(url, f"DROP DATABASE IF EXISTS {pg_db}")
        results[name] = json.loads(out.strip().splitlines()[-1])
    for name, figures in results.items():
        print(f"== {name}")
        for key, value in figures.items():
            print(f"  {key:<26}{value}")
    return results
