"""Run every benchmark (or those matching the arguments) and write one results file.

    uv run python benchmarks/run.py                 # every benchmark, full sizes
    uv run python benchmarks/run.py points store    # those whose name contains a word
    uv run python benchmarks/run.py --quick         # CI smoke run: small sizes, a few seconds each
    uv run nuanxin bench [--quick] [words...]       # the same, from the installed command

Each benchmark runs in a child process of its own (they set up Django with different settings
and data folders), as ``benchmarks/bench_<name>.py``'s ``main() -> dict``. The parent writes
``benchmarks/results/<name>.json`` per benchmark and ``results/run.json`` with
``results/run.md`` for the whole run: the machine (cores, memory, load average before and after
the run and before each benchmark), the versions (Python, Django, SQLite, PostgreSQL), every
figure, and every ratio to a same-run ceiling or peer. ``--quick`` shrinks the sizes through
each benchmark's own knobs and skips those that cannot be made small (they need the demo city,
the scale data or minutes of work); it asserts nothing about timings, only that every benchmark
runs to the end and returns its figures.
"""

import datetime as dt
import inspect
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = Path(os.environ.get("BENCH_RESULTS", HERE / "results"))

# What --quick passes to each benchmark (environment and arguments); None: skipped in --quick.
QUICK: dict[str, dict | None] = {
    "coverage": None,  # the siting run alone takes minutes on the 100k graph
    "dashboard": None,  # needs the scale data on PostgreSQL (BENCH_SCALE_URL)
    "http_load": None,  # needs the scale data on PostgreSQL and wrk
    "http_server": None,  # builds the whole demo city first
    "images": None,  # decodes 40-150 MP images on purpose
    "open311": {"env": {"BENCH_OPEN311_REPORTS": "300"}},
    "points": {
        "argv": ["--seconds", "0.5", "--clients", "1,2", "--accounts", "50", "--engines", "sqlite"]
    },
    "registry_import": None,  # the 20,316-row file is the point of it
    "reports": {"env": {"BENCH_REPORTS": "2000"}},
    # one run of each call on the databases of BENCH_SCALE_URLS, no snapshot; with none, the fit
    "scale": {"env": {"BENCH_SCALE_REPEAT": "1"}},
    "stations": {
        "env": {
            "BENCH_STATION_SIZES": "100",
            "BENCH_STATION_QUERIES": "5",
            "BENCH_STATION_HTTP_QUERIES": "3",
        }
    },
    "store": {"env": {"BENCH_WORKERS": "20", "BENCH_UNITS": "5", "BENCH_CLIENTS": "2"}},
    "volunteering": {
        "env": {
            "BENCH_WORKERS": "20",
            "BENCH_PROJECTS": "40",
            "BENCH_ATTENDANCES": "40",
            "BENCH_CLIENTS": "2",
        }
    },
    "xlsx": {"env": {"BENCH_XLSX_ROWS": "300"}},
}
RATIO_WORDS = ("ratio", "_over_", "speed_up", "speedup", "/")


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict:
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "host": platform.node(),
        "system": platform.platform(),
        "cores": os.cpu_count(),
        "memory_gib": memory,
    }


def versions() -> dict:
    import django

    found = {
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": None,
    }
    url = os.environ.get("BENCH_SCALE_URL") or os.environ.get("BENCH_PG_URL")
    if url:
        try:
            import psycopg

            with psycopg.connect(url, connect_timeout=3) as conn:
                found["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
        except Exception as exc:  # a version we cannot read is written down as such
            found["postgresql"] = f"unreachable: {exc.__class__.__name__}"
    return found


def flatten(figures: object, prefix: str = "") -> list[tuple[str, object]]:
    """Every leaf of a benchmark's figures as (dotted path, value)."""
    if isinstance(figures, dict):
        rows = []
        for key, value in figures.items():
            rows += flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return rows
    if isinstance(figures, list):
        rows = []
        for i, value in enumerate(figures):
            rows += flatten(value, f"{prefix}[{i}]")
        return rows
    return [(prefix, figures)]


def is_ratio(path: str) -> bool:
    last = path.rsplit(".", 1)[-1]
    return any(word in last for word in RATIO_WORDS)


def run_one(path: Path, quick: bool) -> dict:
    """Run one benchmark in a child process; its figures come back through a file."""
    name = path.stem.removeprefix("bench_")
    options = QUICK.get(name, {}) if quick else {}
    out = RESULTS / f"{name}.json"
    out.unlink(missing_ok=True)
    env = {**os.environ, **(options.get("env", {}) if options else {})}
    if quick:
        env["BENCH_QUICK"] = "1"
    command = [sys.executable, str(Path(__file__)), "--child", str(path), str(out),
               *(options.get("argv", []) if options else [])]  # fmt: skip
    started = time.perf_counter()
    load = load_average()
    done = subprocess.run(command, env=env, cwd=ROOT, check=False)
    seconds = round(time.perf_counter() - started, 1)
    if done.returncode or not out.exists():
        return {"name": name, "ok": False, "seconds": seconds, "load_before": load,
                "error": f"exit status {done.returncode}"}  # fmt: skip
    figures = json.loads(out.read_text())
    return {"name": name, "ok": True, "seconds": seconds, "load_before": load,
            "figures": figures}  # fmt: skip


def child(path: str, out: str, argv: list[str]) -> None:
    import importlib.util

    sys.argv = [path, *argv]
    sys.path.insert(0, str(HERE))
    spec = importlib.util.spec_from_file_location(Path(path).stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # A benchmark with options of its own takes them as main's argument (bench_points).
    takes_argv = bool(inspect.signature(module.main).parameters)
    figures = module.main(argv) if takes_argv else module.main()
    Path(out).write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str))


def markdown(run: dict) -> str:
    m, v = run["machine"], run["versions"]
    lines = [
        f"# Benchmark run {run['started']}" + (" (quick)" if run["quick"] else ""),
        "",
        f"Machine: {m['cores']} cores, {m['memory_gib']} GiB, {m['system']}. "
        f"Load average before {run['load_before']}, after {run['load_after']}.",
        f"Versions: Python {v['python']}, Django {v['django']}, SQLite {v['sqlite']}, "
        f"PostgreSQL {v['postgresql'] or 'not used'}.",
        "",
        "| benchmark | status | seconds | load before (1/5/15 min) |",
        "|---|---|---:|---|",
    ]
    for b in run["benchmarks"]:
        status = "ok" if b["ok"] else b.get("error", "skipped")
        lines.append(f"| {b['name']} | {status} | {b.get('seconds', '')} | "
                     f"{b.get('load_before', '')} |")  # fmt: skip
    lines += ["", "## Ratios to a same-run ceiling or peer", "",
              "| benchmark | figure | ratio |", "|---|---|---:|"]  # fmt: skip
    for b in run["benchmarks"]:
        for key, value in flatten(b.get("figures", {})):
            if is_ratio(key) and isinstance(value, int | float):
                lines.append(f"| {b['name']} | `{key}` | {value} |")
    lines += ["", "## Every figure", "", "| benchmark | figure | value |", "|---|---|---:|"]
    for b in run["benchmarks"]:
        for key, value in flatten(b.get("figures", {})):
            text = str(value).replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {b['name']} | `{key}` | {text[:120]} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        child(argv[1], argv[2], argv[3:])
        return 0
    quick = "--quick" in argv
    words = [a for a in argv if not a.startswith("--")]
    RESULTS.mkdir(exist_ok=True)
    selected = [
        path
        for path in sorted(HERE.glob("bench_*.py"))
        if not words or any(word in path.stem for word in words)
    ]
    if not selected:
        print("no benchmark matches", words)
        return 1
    run = {
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": quick,
        "machine": machine(),
        "versions": versions(),
        "load_before": load_average(),
        "benchmarks": [],
    }
    for path in selected:
        name = path.stem.removeprefix("bench_")
        if quick and QUICK.get(name, {}) is None:
            run["benchmarks"].append({"name": name, "ok": False, "error": "skipped in --quick"})
            continue
        print(f"== {name}", flush=True)
        run["benchmarks"].append(run_one(path, quick))
    run["load_after"] = load_average()
    (RESULTS / "run.json").write_text(json.dumps(run, indent=2, ensure_ascii=False, default=str))
    (RESULTS / "run.md").write_text(markdown(run))
    print(f"results: {RESULTS / 'run.md'}")
    ran = [b for b in run["benchmarks"] if b.get("error") != "skipped in --quick"]
    return 0 if all(b["ok"] for b in ran) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
