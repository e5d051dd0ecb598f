"""Nearest open station with water: the KD-tree index against scans, 100 to 100,000 stations.

For each size N a fresh SQLite database gets N stations, 70 % clustered around the ten county
seats of the demo city and 30 % spread over it, with realistic hours (24-hour, daytime,
overnight, office), a holiday closure today for one in twenty and drinking water at four in
five. The same questions - "the 5 nearest stations with drinking water open at 15:00 today,
from a rider near a county seat" - go to

* ``index``: ``stations_nearest``, the in-memory KD-tree the API uses;
* ``scan``: ``stations_nearest_scan``, which reads the table and checks every station (the
  reference the tests compare against); every answer of the index is checked against it;
* ``numpy``: a vectorised linear scan over in-memory arrays (no table read, no tree), to show
  what the tree itself adds;

in-process, and then through HTTP: a gunicorn server (one gthread worker, keep-alive) on the
same database answers ``/api/v1/stations/nearest`` (index) and a benchmark-only
``/bench/stations/nearest-scan`` (scan) with the same response body, one request at a time.
Last, the first question after one station edit: the index patched (a move, new hours)
against a full rebuild (``BENCH_STATION_EDIT_REPEATS`` of each, default 5).

Run: ``uv run python benchmarks/bench_stations.py`` (or through ``benchmarks/run.py``). Sizes
and repetitions: ``BENCH_STATION_SIZES=100,1000``; the scan is repeated fewer times at large N
because one scan of 100,000 stations takes seconds. SQLite only (a private temporary file).
"""

import datetime as dt
import http.client
import json
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
SIZES = [int(n) for n in os.environ.get("BENCH_STATION_SIZES", "100,1000,10000,100000").split(",")]
QUERIES = int(os.environ.get("BENCH_STATION_QUERIES", "200"))
HTTP_QUERIES = int(os.environ.get("BENCH_STATION_HTTP_QUERIES", "100"))
EDIT_REPEATS = int(os.environ.get("BENCH_STATION_EDIT_REPEATS", "5"))
# County seats of the demo city (WGS-84, about): riders and stations gather around them.
SEATS = [
    (110.361, 21.269), (110.393, 21.195), (110.450, 21.247), (110.329, 21.266),
    (110.245, 21.380), (110.171, 20.328), (110.281, 21.612), (110.091, 20.917),
    (110.773, 21.444), (110.425, 21.033),
]  # fmt: skip
BOX = (109.75, 20.3, 110.9, 21.85)
PATTERNS = [
    (0.30, [(d, "00:00", "00:00") for d in range(7)]),
    (0.40, [(d, "08:00", "22:00") for d in range(7)]),
    (0.15, [(d, "18:00", "06:00") for d in range(7)]),
    (0.15, [(d, "09:00", "18:00") for d in range(5)]),
]
AMENITY_SHARE = {"drinking_water": 0.8, "toilet": 0.5, "phone_charging": 0.7, "first_aid": 0.3}


def scan_repeats(n: int) -> int:
    return max(3, min(QUERIES, 100_000 // n))


def stats_ms(seconds: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    return {
        "mean": round(statistics.fmean(ms), 3),
        "p50": round(ms[len(ms) // 2], 3),
        "p95": round(ms[min(len(ms) - 1, math.ceil(0.95 * len(ms)) - 1)], 3),
        "n": len(ms),
    }


# --- the run inside its own process (its own settings and database) --------------------------


def _setup(data_dir: Path) -> None:
    os.environ["NUANXIN_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "stations_bench_settings"
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(HERE))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _region():
    from nuanxin.geo.services import region_save

    city, _ = region_save(code="BENCH", name="基准测试市", level="city")
    county, _ = region_save(code="BENCH01", name="区", level="county", parent=city)
    street, _ = region_save(code="BENCH01001", name="街道", level="street", parent=county)
    community, _ = region_save(code="BENCH01001001", name="社区", level="community", parent=street)
    return community


def _fill(n: int, region, rng: random.Random, today: dt.date) -> None:
    """N stations written in bulk (the benchmark's own set-up, not a service path)."""
    from nuanxin.core.stamps import stamp_bump
    from nuanxin.stations.models import Amenity, HoursException, Station, WeeklySpan
    from nuanxin.stations.services import STATIONS_TOPIC

    for model in (WeeklySpan, HoursException, Station.amenities.through, Station):
        model.objects.all()._raw_delete(model.objects.db)
    amenity_ids = dict(Amenity.objects.values_list("code", "pk"))
    rows = []
    for i in range(n):
        if rng.random() < 0.7:
            lon0, lat0 = rng.choice(SEATS)
            lon, lat = rng.gauss(lon0, 0.04), rng.gauss(lat0, 0.04)
        else:
            lon, lat = rng.uniform(BOX[0], BOX[2]), rng.uniform(BOX[1], BOX[3])
        rows.append(
            Station(
                code=f"B{i:06d}",
                kind="centre" if rng.random() < 0.3 else "station",
                name=f"驿站{i}",
                host_type="bank",
                address="基准测试",
                lon=round(lon, 6),
                lat=round(lat, 6),
                region=region,
            )
        )
    stations = Station.objects.bulk_create(rows, batch_size=5000)
    links, spans, exceptions = [], [], []
    weights = [w for w, _ in PATTERNS]
    for station in stations:
        for code, share in AMENITY_SHARE.items():
            if rng.random() < share:
                links.append(
                    Station.amenities.through(station_id=station.pk, amenity_id=amenity_ids[code])
                )
        pattern = rng.choices(PATTERNS, weights)[0][1]
        spans.extend(WeeklySpan(station=station, weekday=d, start=s, end=e) for d, s, e in pattern)
        if rng.random() < 0.05:
            exceptions.append(HoursException(station=station, date=today, is_closed=True))
    Station.amenities.through.objects.bulk_create(links, batch_size=10_000)
    WeeklySpan.objects.bulk_create(spans, batch_size=10_000)
    HoursException.objects.bulk_create(exceptions, batch_size=10_000)
    stamp_bump(STATIONS_TOPIC)


def _after_one_edit(region, rng: random.Random, queries: list[dict]) -> dict:
    """The next question after one station edit, patched, against a full rebuild.

    ``move`` and ``hours`` go through the services (``station_update``,
    ``station_set_weekly_hours``), so the index patches the one station (a move rebuilds the
    tree, new hours keep it); ``rebuild`` is the same move announced as "everything changed",
    which is what any edit cost each process before the index could be patched.
    """
    from nuanxin.core.stamps import stamp_bump
    from nuanxin.stations import services
    from nuanxin.stations.index import build_index, station_index, stations_nearest
    from nuanxin.stations.models import Station

    pks = list(Station.objects.values_list("pk", flat=True))

    def move() -> None:
        lon0, lat0 = rng.choice(SEATS)
        services.station_update(
            station=Station.objects.get(pk=rng.choice(pks)),
            actor=None,
            region=region,
            lon=round(rng.gauss(lon0, 0.03), 6),
            lat=round(rng.gauss(lat0, 0.03), 6),
        )

    def hours() -> None:
        services.station_set_weekly_hours(
            station=Station.objects.get(pk=rng.choice(pks)),
            actor=None,
            text=rng.choice(["每天 24小时", "每天 08:00-22:00", "周一至周五 09:00-18:00"]),
        )

    def rebuild() -> None:
        move()
        stamp_bump(services.STATIONS_TOPIC, keys=None)

    times: dict[str, list[float]] = {"patch_move": [], "patch_hours": [], "rebuild": []}
    edits = {"patch_move": move, "patch_hours": hours, "rebuild": rebuild}
    for i in range(EDIT_REPEATS):
        for name, edit in edits.items():
            station_index.get()
            edit()
            started = time.perf_counter()
            stations_nearest(**queries[i % len(queries)])
            times[name].append(time.perf_counter() - started)
    # One more patched edit, then the patched index against a fresh build, array by array.
    station_index.get()
    move()
    patched, fresh = station_index.get(), build_index()
    same = (
        patched.ids.tolist() == fresh.ids.tolist()
        and patched.lons.tolist() == fresh.lons.tolist()
        and patched.lats.tolist() == fresh.lats.tolist()
        and patched.kinds.tolist() == fresh.kinds.tolist()
        and bool((patched.amenities == fresh.amenities).all())
        and patched.schedules == fresh.schedules
    )
    out = {name: stats_ms(values) for name, values in times.items()}
    out["rebuild_vs_patch_move"] = round(out["rebuild"]["mean"] / out["patch_move"]["mean"], 1)
    out["rebuild_vs_patch_hours"] = round(out["rebuild"]["mean"] / out["patch_hours"]["mean"], 1)
    out["patched_equals_fresh_build"] = same
    return out


def _numpy_scan(arrays: dict, query: dict) -> list[int]:
    import numpy as np

    lon, lat = np.radians(query["lon"]), np.radians(query["lat"])
    lons, lats = arrays["lons_r"], arrays["lats_r"]
    h = np.sin((lats - lat) / 2) ** 2 + np.cos(lat) * np.cos(lats) * np.sin((lons - lon) / 2) ** 2
    distance = 2 * 6_371_008.8 * np.arcsin(np.sqrt(h))
    keep = np.flatnonzero(arrays["water"])
    order = keep[np.lexsort((arrays["ids"][keep], distance[keep]))]
    found = []
    schedules, at = arrays["schedules"], query["at"]
    for i in order:
        if schedules[i].is_open_at(at):
            # Like the index, say when each station closes (what the rider is shown).
            schedules[i].status_at(at)
            found.append(int(arrays["ids"][i]))
            if len(found) == query["count"]:
                break
    return found


def _timed(fn, queries: list[dict]) -> tuple[list[float], list]:
    times, answers = [], []
    for query in queries:
        started = time.perf_counter()
        answers.append(fn(query))
        times.append(time.perf_counter() - started)
    return times, answers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(data_dir: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {
        **os.environ,
        "NUANXIN_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "stations_bench_settings",
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("DATABASE_URL", None)
    command = [
        sys.executable, "-m", "gunicorn", "nuanxin.wsgi:application", "-b", f"127.0.0.1:{port}",
        "-w", "1", "-k", "gthread", "--threads", "2", "--timeout", "300",
        "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the benchmark server did not start")


def _http(port: int, path: str, queries: list[dict]) -> tuple[list[float], list[list[int]]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    times, answers = [], []
    for query in queries:
        params = {
            "lon": query["lon"],
            "lat": query["lat"],
            "amenities": "drinking_water",
            "open_now": "true",
            "count": query["count"],
            "at": query["at"].isoformat(),
        }
        started = time.perf_counter()
        connection.request("GET", f"{path}?{urlencode(params)}")
        response = connection.getresponse()
        body = response.read()
        times.append(time.perf_counter() - started)
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status} {body[:300]!r}")
        answers.append([r["id"] for r in json.loads(body)["results"]])
    connection.close()
    return times, answers


def run(out_path: Path) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="nuanxin-bench-stations-"))
    _setup(data_dir)
    import numpy as np
    from django.utils import timezone

    from nuanxin.core.timeutil import local_date
    from nuanxin.stations.index import (
        query_clean,
        station_index,
        stations_nearest,
        stations_nearest_scan,
    )

    region = _region()
    server, port = _start_server(data_dir)
    rng = random.Random(2024)
    today = local_date()
    at = timezone.make_aware(dt.datetime.combine(today, dt.time(15, 0)))
    results: dict = {"at": at.isoformat(), "sizes": {}}
    try:
        for n in SIZES:
            _fill(n, region, rng, today)
            queries = []
            for _ in range(QUERIES):
                lon0, lat0 = rng.choice(SEATS)
                queries.append(
                    {
                        "lon": round(rng.gauss(lon0, 0.03), 6),
                        "lat": round(rng.gauss(lat0, 0.03), 6),
                        "amenities": ["drinking_water"],
                        "open_now": True,
                        "at": at,
                        "count": 5,
                    }
                )
            station_index.clear()
            started = time.perf_counter()
            station_index.get()
            build_s = time.perf_counter() - started
            # Again under tracemalloc (which slows it down) for the memory the index holds.
            station_index.clear()
            tracemalloc.start()
            index = station_index.get()
            held, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()

            def by_index(q: dict) -> list[int]:
                return [h.station_id for h in stations_nearest(**q)]

            def by_scan(q: dict) -> list[int]:
                return [h.station_id for h in stations_nearest_scan(**q)]

            index_times, index_answers = _timed(by_index, queries)
            # The tree search alone: no stamp read, no argument checks.
            cleaned = [query_clean(known_amenities=index.amenity_codes, **q) for q in queries]
            search_times, _answers = _timed(index.nearest, cleaned)
            k = scan_repeats(n)
            scan_times, scan_answers = _timed(by_scan, queries[:k])
            mismatches = sum(a != b for a, b in zip(index_answers, scan_answers, strict=False))
            water = index.amenities[:, index.amenity_codes.index("drinking_water")]
            arrays = {
                "ids": index.ids,
                "lons_r": np.radians(index.lons),
                "lats_r": np.radians(index.lats),
                "water": water,
                "schedules": index.schedules,
            }
            numpy_times, numpy_answers = _timed(partial(_numpy_scan, arrays), queries)
            numpy_mismatches = sum(
                a != b for a, b in zip(index_answers, numpy_answers, strict=True)
            )

            _http(port, "/api/v1/stations/nearest", queries[:2])  # the server rebuilds its index
            http_index_times, http_index_answers = _http(
                port, "/api/v1/stations/nearest", queries[:HTTP_QUERIES]
            )
            http_scan_times, http_scan_answers = _http(
                port, "/bench/stations/nearest-scan", queries[: min(k, HTTP_QUERIES)]
            )
            http_mismatches = sum(
                a != b for a, b in zip(http_index_answers, http_scan_answers, strict=False)
            ) + sum(a != b for a, b in zip(http_index_answers, index_answers, strict=False))

            row = {
                "index_build_s": round(build_s, 3),
                "index_memory_mib": round(held / 2**20, 1),
                "index_build_peak_mib": round(peak / 2**20, 1),
                "in_process_ms": {
                    "index": stats_ms(index_times),
                    "index_search_only": stats_ms(search_times),
                    "scan": stats_ms(scan_times),
                    "numpy_linear": stats_ms(numpy_times),
                },
                "http_ms": {"index": stats_ms(http_index_times), "scan": stats_ms(http_scan_times)},
                "mismatches": {
                    "index_vs_scan": mismatches,
                    "index_vs_numpy": numpy_mismatches,
                    "http": http_mismatches,
                },
            }
            # Last: the edits change the stations the questions above were answered from.
            row["after_one_edit_ms"] = _after_one_edit(region, rng, queries)
            row["speedup"] = {
                "in_process_vs_scan": round(
                    row["in_process_ms"]["scan"]["mean"] / row["in_process_ms"]["index"]["mean"], 1
                ),
                "in_process_vs_numpy": round(
                    row["in_process_ms"]["numpy_linear"]["mean"]
                    / row["in_process_ms"]["index"]["mean"],
                    1,
                ),
                "http_vs_scan": round(
                    row["http_ms"]["scan"]["mean"] / row["http_ms"]["index"]["mean"], 1
                ),
            }
            results["sizes"][str(n)] = row
            local, remote = row["in_process_ms"], row["http_ms"]
            edit = row["after_one_edit_ms"]
            print(
                f"N={n:>7}: build {row['index_build_s']:.2f} s"
                f" | in-process index {local['index']['mean']:.3f} ms"
                f" (search {local['index_search_only']['mean']:.3f} ms),"
                f" scan {local['scan']['mean']:.1f} ms,"
                f" numpy {local['numpy_linear']['mean']:.2f} ms"
                f" | HTTP index {remote['index']['mean']:.2f} ms,"
                f" scan {remote['scan']['mean']:.1f} ms"
                f" | speed-up {row['speedup']} | mismatches {row['mismatches']}"
                f" | after one edit: patched move {edit['patch_move']['mean']:.1f} ms,"
                f" patched hours {edit['patch_hours']['mean']:.1f} ms,"
                f" rebuild {edit['rebuild']['mean']:.0f} ms"
                f" ({edit['rebuild_vs_patch_move']}x, {edit['rebuild_vs_patch_hours']}x),"
                f" patched = fresh build: {edit['patched_equals_fresh_build']}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    out_path.write_text(json.dumps(results, indent=2, ensure_ascii=False))


def main() -> dict:
    """Runs the benchmark in a child process (it needs settings of its own)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        subprocess.run([sys.executable, __file__, "--run", str(out)], check=True)
        return json.loads(out.read_text())


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--run":
        run(Path(sys.argv[2]))
    else:
        results = main()
        (HERE / "results").mkdir(exist_ok=True)
        (HERE / "results" / "stations.json").write_text(
            json.dumps(results, indent=2, ensure_ascii=False)
        )
