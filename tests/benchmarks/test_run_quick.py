"""``benchmarks/run.py --quick`` keeps working: it runs and writes its results, timing nothing."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_run_quick__points__writes_one_results_file_with_machine_and_versions(tmp_path):
    env = {**os.environ, "BENCH_RESULTS": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "points", "http_server"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["quick"] is True
    assert run["machine"]["cores"] == os.cpu_count()
    assert len(run["load_before"]) == 3 and len(run["load_after"]) == 3
    assert set(run["versions"]) == {"python", "django", "sqlite", "postgresql"}
    by_name = {b["name"]: b for b in run["benchmarks"]}
    assert by_name["http_server"] == {
        "name": "http_server", "ok": False, "error": "skipped in --quick"
    }  # fmt: skip
    points = by_name["points"]
    assert points["ok"], points
    assert set(points["figures"]) == {"sqlite"}
    assert set(points["figures"]["sqlite"]["ours"]) == {"1", "2"}
    assert points["figures"]["sqlite"]["problems"] == []  # the ledger check after the run
    table = (tmp_path / "run.md").read_text()
    assert "| points | ok |" in table and "sqlite.ours.1" in table
