"""How the calls whose cost grows with the data grow: measured on several scales, fitted, projected.

    BENCH_SCALE_URLS=postgres://postgres@127.0.0.1:5432/nx_s01,postgres://...nx_s03,\\
postgres://postgres@127.0.0.1:5432/nx_perf \\
    BENCH_SCALE_DATA_DIRS=/tmp/s01,/tmp/s03,/work/perfdata \\
    uv run python benchmarks/run.py scale

Each URL is a PostgreSQL database built by ``nuanxin demo`` and ``nuanxin scale-data --scale S``
(any S; the scale is read back from the rows); ``BENCH_SCALE_DATA_DIRS`` names, in the same
order, the ``NUANXIN_DATA_DIR`` each was built with (its keys open the sealed personal data).
Against each, in a child process with Django set up on it (no HTTP server: the Django test
client for the API calls, selectors and services called directly), the median of
``BENCH_SCALE_REPEAT`` runs after one warm-up of:

- the staff review queue's first page as the city admin (``/api/v1/reports/queue?state=submitted``,
  page and count in one answer) and the queue's count alone (the selector's ``count()``);
- the registry search (``/api/v1/registry/workers?q=王``) and its count alone (``name LIKE``);
- a worker's points history page (``/api/v1/points/history``) and the selector ``history_of``;
- one award through the ledger (``points.services.earn``, 1 point from a community pool), each in
  its own transaction rolled back;
- the nearest open station (``/api/v1/stations/nearest``), and building the station index the
  call keeps in memory (what each app server does after a change of stations);
- once: the dashboard snapshot (``snapshots_take``) in a transaction rolled back.

Tokens for the API calls are issued inside a transaction that is rolled back at the end, so the
databases are left as they were (sequences aside). Also read: rows and ``pg_total_relation_size``
(heap, indexes) of reports, points entries, station visits and the audit log; the largest index
of the database against ``shared_buffers``; whether the slowest statement of each API call is a
sequential scan of a large table.

The parent fits each figure against the rows of the table it reads, ``t = c * rows ** k`` by least
squares on the logarithms (through every scale, and through the two largest), and the straight
line ``t = a + b * rows``, and projects each to 10 and 100 times the full city (scale 1 of
``scale-data``: 1,000,000 reports, 200,000 workers, 10,000 stations); the largest of the three is
the projection. With ``BENCH_QUICK=1``
(``run.py --quick``) every call runs once and the snapshot is left out; with no URLs the fit is
checked on made-up points and nothing is measured. Nothing about timings is asserted.
"""

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from plans import explain_slowest  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
REPEAT = 1 if QUICK else int(os.environ.get("BENCH_SCALE_REPEAT", "5"))
SNAPSHOT = not QUICK and os.environ.get("BENCH_SCALE_SNAPSHOT", "1") == "1"
ADMIN_PHONE = "13800000001"

# The full city, scale 1 of ``nuanxin scale-data``, on top of the demo city.
CITY_ROWS = {
    "reports_report": 1_000_000,
    "points_entry": 1_000_000,
    "registry_worker": 220_316,
    "stations_station": 10_097,
    "stations_visit": 150_000,
    "core_auditlog": 25_000,
}
TABLES = ["reports_report", "points_entry", "stations_visit", "core_auditlog"]
COUNTED = [*TABLES, "registry_worker", "stations_station", "geo_region", "accounts_user"]
# Each timed figure, the table whose rows drive it, its target in ms (benchmarks/README.md and
# issue 19: read calls p99 200 ms, dashboard APIs 300 ms; the snapshot against its interval).
FIGURES = {
    "review_queue_api_ms": ("reports_report", 200),
    "review_queue_count_ms": ("reports_report", 200),
    "review_queue_page_ms": ("reports_report", 200),
    "registry_search_api_ms": ("registry_worker", 200),
    "registry_search_count_ms": ("registry_worker", 200),
    "points_history_api_ms": ("points_entry", 200),
    "points_history_selector_ms": ("points_entry", 200),
    "award_ms": ("points_entry", 200),
    "nearest_api_ms": ("stations_station", 200),
    "station_index_build_ms": ("stations_station", None),
    "snapshot_ms": ("reports_report", None),
}
BIG_TABLES = ("reports_report", "points_entry", "registry_worker", "accounts_user", "core_auditlog")


def _median_ms(call, repeat: int = REPEAT) -> float:
    call()  # warm-up: imports, plans, the buffer cache
    took = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        took.append(time.perf_counter() - started)
    return round(statistics.median(took) * 1000, 2)


def _sizes(cursor) -> dict:
    sizes = {}
    for table in TABLES:
        cursor.execute(
            "SELECT pg_total_relation_size(%s), pg_relation_size(%s), pg_indexes_size(%s)",
            [table, table, table],
        )
        total, heap, indexes = cursor.fetchone()
        sizes[table] = {"total_bytes": total, "heap_bytes": heap, "indexes_bytes": indexes}
    cursor.execute(
        "SELECT c.relname, t.relname, pg_relation_size(c.oid) FROM pg_class c"
        " JOIN pg_index i ON i.indexrelid = c.oid JOIN pg_class t ON t.oid = i.indrelid"
        " WHERE c.relkind = 'i' AND c.relnamespace = 'public'::regnamespace"
        " ORDER BY 3 DESC LIMIT 5"
    )
    largest = [{"index": i, "table": t, "bytes": b} for i, t, b in cursor.fetchall()]
    cursor.execute("SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers'")
    shared_buffers = cursor.fetchone()[0]
    cursor.execute("SELECT pg_database_size(current_database())")
    database = cursor.fetchone()[0]
    return {
        "tables": sizes,
        "largest_indexes": largest,
        "shared_buffers_bytes": shared_buffers,
        "largest_index_over_shared_buffers": round(largest[0]["bytes"] / shared_buffers, 3),
        "database_bytes": database,
    }


def _seq_scans(plans: list[dict]) -> list[str]:
    found = []
    for plan in plans:
        for line in plan["plan"].splitlines():
            if "Seq Scan on" in line and any(t in line for t in BIG_TABLES):
                found.append(line.strip().split("  (")[0])
    return found


def _api(client, path: str, token: str, repeat: int = REPEAT) -> tuple[float, dict]:
    """Median ms of GET ``path`` through the whole stack, and the slowest statement's plan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def call():
        response = client.get(path, **headers)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])

    ms = _median_ms(call, repeat)
    with CaptureQueriesContext(connection) as captured:
        call()
    plans = explain_slowest(connection, captured.captured_queries, 1)
    return ms, {
        "queries": len(captured.captured_queries),
        "slowest_statement_ms": round(plans[0]["seconds"] * 1000, 2) if plans else None,
        "seq_scans": _seq_scans(plans),
        "plan_top": plans[0]["plan"].splitlines()[0] if plans else "",
    }


def _run() -> None:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import F
    from django.test import Client

    from nuanxin.accounts.models import User
    from nuanxin.accounts.services import token_issue
    from nuanxin.dashboard.snapshots import snapshots_take
    from nuanxin.points.models import Entry, EntryKind
    from nuanxin.points.selectors import history_of
    from nuanxin.points.services.earning import earn
    from nuanxin.registry.selectors import WorkerFilter, worker_list
    from nuanxin.reports.selectors import QueueFilter, reports_queue
    from nuanxin.stations.index import build_index
    from nuanxin.stations.models import Station

    out: dict = {"figures": {}, "calls": {}}
    figures = out["figures"]
    with connection.cursor() as cursor:
        rows = {}
        for table in COUNTED:
            cursor.execute(f"SELECT count(*) FROM {table}")
            rows[table] = cursor.fetchone()[0]
        out["rows"] = rows
        out["sizes"] = _sizes(cursor)

    admin = User.objects.get(phone=ADMIN_PHONE)
    # The scale data's worker with the highest balance (a long history).
    worker = (
        User.objects.filter(phone__startswith="170", points_account__isnull=False)
        .order_by("-points_account__posted", "pk")
        .first()
    )
    place = Station.objects.filter(code__startswith="SC").order_by("pk").values_list("lon", "lat")
    lon, lat = place.first()
    client = Client(HTTP_HOST="127.0.0.1")

    with transaction.atomic():
        staff = token_issue(user=admin, name="scale bench", ttl_days=1, second_factor=True)[0]
        mine = token_issue(user=worker, name="scale bench", ttl_days=1)[0]
        queue = QueueFilter(state="submitted")
        figures["review_queue_api_ms"], out["calls"]["review_queue"] = _api(
            client, "/api/v1/reports/queue?state=submitted", staff
        )
        figures["review_queue_count_ms"] = _median_ms(lambda: reports_queue(admin, queue).count())
        figures["review_queue_page_ms"] = _median_ms(lambda: list(reports_queue(admin, queue)[:50]))
        figures["registry_search_api_ms"], out["calls"]["registry_search"] = _api(
            client, "/api/v1/registry/workers?q=%E7%8E%8B", staff
        )
        figures["registry_search_count_ms"] = _median_ms(
            lambda: worker_list(admin, WorkerFilter(q="王")).count()
        )
        figures["points_history_api_ms"], out["calls"]["points_history"] = _api(
            client, "/api/v1/points/history", mine
        )
        figures["points_history_selector_ms"] = _median_ms(lambda: history_of(worker))
        figures["nearest_api_ms"], out["calls"]["nearest"] = _api(
            client,
            f"/api/v1/stations/nearest?lon={lon}&lat={lat}"
            "&amenities=drinking_water&open_now=true&count=5",
            mine,
        )
        figures["station_index_build_ms"] = _median_ms(build_index, max(1, min(REPEAT, 3)))
        out["history_lines_of_worker"] = (
            Entry.objects.filter(credit__user=worker).count()
            + Entry.objects.filter(debit__user=worker).count()
        )
        transaction.set_rollback(True)

    # Awards: workers paid by a community pool before, each award in its own rolled-back
    # transaction (so no pool row stays locked while the rest runs).
    paid = list(
        Entry.objects.filter(kind=EntryKind.EARN, debit__region__isnull=False)
        .filter(debit__posted__gt=F("debit__held") + 10)
        .order_by("-id")
        .values_list("credit__user_id", "debit__region_id")[: REPEAT + 1]
    )
    took, granted = [], []
    for i, (user_id, region_id) in enumerate(paid):
        from nuanxin.geo.models import Region

        user, community = User.objects.get(pk=user_id), Region.objects.get(pk=region_id)
        with transaction.atomic():
            started = time.perf_counter()
            result = earn(
                transfer_id=f"scale-bench-{uuid.uuid4().hex}",
                worker=user,
                community=community,
                source="report.accepted",
                points=1,
                reference="scale bench",
                actor=admin,
            )
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        if i:  # the first is the warm-up
            took.append(seconds)
            granted.append(result.granted)
    figures["award_ms"] = round(statistics.median(took) * 1000, 2) if took else None
    out["award_granted"] = granted

    if SNAPSHOT:
        with transaction.atomic():
            started = time.perf_counter()
            out["snapshot_regions"] = snapshots_take()
            figures["snapshot_ms"] = round((time.perf_counter() - started) * 1000, 1)
            transaction.set_rollback(True)
    print(json.dumps(out, ensure_ascii=False))


def measure(url: str, data_dir: str) -> dict:
    """The figures of one database, measured in a child process set up on it (and on the data
    folder it was built with: its keys open the sealed personal data)."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "nuanxin.settings",
        "NUANXIN_JOBS": "off",
        "NUANXIN_DATA_DIR": data_dir or tempfile.mkdtemp(prefix="nuanxin-bench-scale-"),
    }
    started = time.perf_counter()
    answer = subprocess.run(
        [sys.executable, __file__, "--run"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    figures = json.loads(answer.strip().splitlines()[-1])
    figures["url"] = url.rsplit("@", 1)[-1]
    figures["scale"] = round(figures["rows"]["reports_report"] / CITY_ROWS["reports_report"], 3)
    figures["seconds"] = round(time.perf_counter() - started, 1)
    return figures


def fit(points: list[tuple[float, float]]) -> dict | None:
    """``y = c * x ** k`` through ``points`` (x, y > 0) by least squares on the logarithms."""
    points = [(x, y) for x, y in points if x and y and x > 0 and y > 0]
    if len({x for x, _ in points}) < 2:
        return None
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    k = sum((a - mx) * (b - my) for a, b in zip(xs, ys, strict=True)) / sum(
        (a - mx) ** 2 for a in xs
    )
    c = math.exp(my - k * mx)
    return {"exponent": round(k, 3), "coefficient": c}


def affine(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """``y = a + b * x`` through ``points`` by least squares: a fixed part and a part per row."""
    points = [(x, y) for x, y in points if x and y is not None]
    if len({x for x, _ in points}) < 2:
        return None
    mx, my = statistics.fmean(x for x, _ in points), statistics.fmean(y for _, y in points)
    b = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return my - b * mx, b


def project(scales: list[dict]) -> dict:
    """Each figure's growth and its value at 1, 10 and 100 times the full city, three ways: the
    power law through every scale (``exponent``), the power law through the two largest
    (``exponent_last``: a fixed cost flattens the first, the slope rises as the part per row
    takes over) and the straight line ``a + b * rows``. ``projected_*`` is the largest of the
    three, the figure the docs compare with the targets."""
    answer = {}
    series = dict(FIGURES)
    for table in TABLES:
        series[f"{table}.total_bytes"] = (table, None)
    series["largest_index_bytes"] = ("reports_report", None)
    for name, (table, target) in series.items():
        points = []
        for s in scales:
            if name == "largest_index_bytes":
                y = s["sizes"]["largest_indexes"][0]["bytes"]
            elif name.endswith("_bytes"):
                y = s["sizes"]["tables"][table]["total_bytes"]
            else:
                y = s["figures"].get(name)
            points.append((s["rows"][table], y))
        line = fit(points)
        if line is None:
            continue
        known = sorted(p for p in points if p[1])
        last = fit(known[-2:]) or line
        straight = affine(points)
        row = {
            "rows_table": table,
            "exponent": line["exponent"],
            "exponent_last": last["exponent"],
            "fixed_and_per_million_rows": [round(straight[0], 2), round(straight[1] * 1e6, 3)],
            "measured": points,
        }
        for times in (1, 10, 100):
            rows = CITY_ROWS[table] * times
            ways = [
                line["coefficient"] * rows ** line["exponent"],
                last["coefficient"] * rows ** last["exponent"],
                straight[0] + straight[1] * rows,
            ]
            row[f"at_{times}x"] = [round(w, 2) for w in ways]
            row[f"projected_{times}x"] = round(max(ways), 2)
        if target:
            row["target_ms"] = target
            for times in (10, 100):
                row[f"projected_{times}x_over_target"] = round(
                    row[f"projected_{times}x"] / target, 3
                )
        answer[name] = row
    return answer


def _self_check() -> dict:
    """The fit on made-up points with a known exponent (what --quick checks with no data)."""
    line = fit([(10**i, 3.0 * (10**i) ** 0.5) for i in range(1, 5)])
    assert line and abs(line["exponent"] - 0.5) < 1e-9, line
    return {"fit_self_check_exponent": line["exponent"]}


def main() -> dict:
    urls = [u for u in os.environ.get("BENCH_SCALE_URLS", "").split(",") if u.strip()]
    folders = [d.strip() for d in os.environ.get("BENCH_SCALE_DATA_DIRS", "").split(",")]
    if not urls and os.environ.get("BENCH_SCALE_URL"):
        urls, folders = [os.environ["BENCH_SCALE_URL"]], [os.environ.get("NUANXIN_DATA_DIR", "")]
    folders += [""] * (len(urls) - len(folders))
    figures: dict = {"load_before": list(os.getloadavg()), **_self_check()}
    if not urls:
        print("no BENCH_SCALE_URLS (databases with nuanxin scale-data): only the fit is checked")
        figures["skipped"] = "BENCH_SCALE_URLS missing"
        return figures
    scales = []
    for url, folder in zip(urls, folders, strict=False):
        print(f"-- {url.rsplit('@', 1)[-1]}", flush=True)
        scales.append(measure(url, folder))
        s = scales[-1]
        print(f"   scale {s['scale']}, {s['seconds']} s: {json.dumps(s['figures'])}", flush=True)
    scales.sort(key=lambda s: s["rows"]["reports_report"])
    figures["scales"] = scales
    figures["growth"] = project(scales)
    figures["load_after"] = list(os.getloadavg())
    print(f"\n{'figure':<34}{'k':>7}{'k last':>7}" + "".join(f"{s['scale']:>12}" for s in scales)
          + f"{'10x':>12}{'100x':>14}")  # fmt: skip
    for name, row in figures["growth"].items():
        measured = "".join(f"{y if y is not None else '':>12}" for _, y in row["measured"])
        print(f"{name:<34}{row['exponent']:>7}{row['exponent_last']:>7}{measured}"
              f"{row['projected_10x']:>12}{row['projected_100x']:>14}")  # fmt: skip
    return figures


if __name__ == "__main__":
    if sys.argv[1:] == ["--run"]:
        _run()
    else:
        main()
