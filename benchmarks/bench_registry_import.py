"""Benchmark: import a 20,000-row worker ledger (.xlsx) into the registry; target under 10 s.

Runs in a throw-away database (SQLite in a temporary folder, or a test database on the
PostgreSQL server of DATABASE_URL, named by NUANXIN_TEST_DB_NAME, default bench_registry):

    uv run python benchmarks/bench_registry_import.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        uv run python benchmarks/bench_registry_import.py

It builds the demo city's regions and its 213 enterprises (not timed), writes the demo's
20,316 worker rows to an .xlsx file the way an office would (Chinese headers, a title row),
and times: the first import (every row created), the same file again (nothing changes), the
file with one row in ten edited, and an export of all workers.
"""

import io
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuanxin.settings")
os.environ.setdefault("NUANXIN_DATA_DIR", tempfile.mkdtemp(prefix="nuanxin-bench-registry-"))
os.environ.setdefault("NUANXIN_TEST_DB_NAME", "bench_registry")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from openpyxl import Workbook  # noqa: E402


def _worker_xlsx(rows: list[dict], path: Path) -> None:
    from nuanxin.registry.importing.columns import WORKER_COLUMNS

    keys = ["name", "phone", "id_number", "gender", "birth_year", "occupation", "enterprises",
            "work_region", "home_region", "political_status", "union_member"]  # fmt: skip
    headers = {c.key: c.header for c in WORKER_COLUMNS}
    # A normal (not write-only) workbook keeps strings in a shared table, as Excel does.
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "从业人员台账"
    sheet.append(["湛江市新就业群体从业人员台账"])
    sheet.append(["序号", *(headers[k] for k in keys)])
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *(row.get(k) for k in keys)])
    workbook.save(path)


def _run() -> dict:
    from nuanxin.demo import regions
    from nuanxin.demo import registry as demo
    from nuanxin.demo.loader import DemoContext
    from nuanxin.registry.exporting import export_workers
    from nuanxin.registry.importing.engine import import_file, registry_import, rows_workbook
    from nuanxin.registry.models import ImportMode, Worker

    ctx = DemoContext(out=io.StringIO())
    regions.load(ctx)
    gen = demo.Generator(ctx.rng("registry"), demo.Geo.load())
    enterprises = gen.enterprises()
    rows = demo._finish(gen.workers(enterprises, []), gen.geo)
    registry_import(
        workbook=rows_workbook([("enterprise", demo._finish(enterprises, gen.geo))]),
        actor=None,
        mode=ImportMode.ALL_OR_NOTHING,
    )
    folder = Path(os.environ["NUANXIN_DATA_DIR"])
    path = folder / "从业人员台账.xlsx"
    _worker_xlsx(rows, path)
    edited = folder / "从业人员台账-修改.xlsx"
    for row in rows[::10]:
        row["union_member"] = "否" if row["union_member"] == "是" else "是"
    _worker_xlsx(rows, edited)

    results = []
    load_before = os.getloadavg()[0]

    def timed(label: str, run) -> object:
        # CPU time beside wall time: the machine is shared, and other jobs stretch wall time.
        started, cpu = time.perf_counter(), time.process_time()
        value = run()
        results.append((label, time.perf_counter() - started, time.process_time() - cpu))
        return value

    first = timed("首次导入 20,316 行（全部新增）", lambda: import_file(file=str(path), actor=None))
    again = timed("同一文件再次导入（无变化）", lambda: import_file(file=str(path), actor=None))
    changed = timed("修改十分之一后导入", lambda: import_file(file=str(edited), actor=None))
    timed(
        "导出全部从业人员（脱敏）", lambda: export_workers(Worker.objects.all(), full_numbers=False)
    )

    assert first.job.counts["worker"]["created"] == len(rows), first.job.counts
    assert again.job.counts["worker"]["unchanged"] == len(rows), again.job.counts
    assert changed.job.counts["worker"]["updated"] == len(rows[::10]), changed.job.counts
    load = load_before
    print(f"数据库：{connection.vendor}  文件：{path.stat().st_size // 1024} KB，{len(rows)} 行；"
          f"开始时 1 分钟负载 {load:.2f}（{os.cpu_count()} 核）")  # fmt: skip
    for label, seconds, cpu in results:
        print(f"  {label:<24} 用时 {seconds:6.2f} s   CPU {cpu:6.2f} s")
    return {
        "database": connection.vendor,
        "rows": len(rows),
        "load_average_before": round(load, 2),
        "runs": [{"what": label, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2)}
                 for label, seconds, cpu in results],
    }  # fmt: skip


def main() -> dict:
    """Run in a throw-away test database; returns the figures (for benchmarks/run.py)."""
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        return _run()
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
