"""Every dashboard API on the scale data, on PostgreSQL: time, queries and the slowest plans.

    BENCH_SCALE_URL=postgres://postgres@127.0.0.1:5432/nx_perf \\
        uv run python benchmarks/run.py dashboard

First the dashboard's snapshot is taken as its periodic job takes it (every region's figures
and charts counted from the rows; its time, against the job's interval, is the share of one
core the dashboard costs). Then, through the whole Django stack (test client, no network) as
the city admin, for the city, one county and one street, each API is asked ``BENCH_REPEAT``
times with the cache emptied before every request (so no answer comes from an earlier one);
the figure is the median, against the target of 300 ms. ``BENCH_DASHBOARD_LIVE=1`` also asks
each API with no snapshot (what a view costs when it has to count live). The queries of the
slowest request are kept, and the slowest three get ``EXPLAIN (ANALYZE, BUFFERS)`` (a
read-only statement; the plans go into the results).
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from plans import explain_slowest, print_plans  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
TARGET_MS = 300
APIS = ["figures", "charts", "overview", "map", "public"]


def _ask(client, url: str) -> tuple[list[float], float, list]:
    """``BENCH_REPEAT`` answers to ``url``, the cache emptied before each: their times, and
    the time and the queries of the slowest."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    took, slowest = [], (0.0, [])
    for _ in range(REPEAT):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            seconds = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        took.append(seconds)
        if seconds >= slowest[0]:
            slowest = (seconds, list(captured.captured_queries))
    return took, *slowest


def _run() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from nuanxin.accounts.models import User
    from nuanxin.dashboard.models import Snapshot
    from nuanxin.dashboard.snapshots import snapshots_take
    from nuanxin.geo.models import Region

    cache.clear()
    started = time.perf_counter()
    written = snapshots_take()
    snapshot_s = time.perf_counter() - started
    interval_s = settings.DASHBOARD_REFRESH_MINUTES * 60

    admin = User.objects.get(phone="13800000001")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    # as the second-factor page leaves the session, with the demo admin's authenticator
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=admin).persistent_id
    session.save()
    county = Region.objects.get(code="440804")
    street = Region.objects.filter(parent=county, level="street").order_by("code").first()
    regions = {"city": None, "county": county.code, "street": street.code}
    results: dict = {}
    slowest = (0.0, None, [])
    modes = ["snapshot", "live"] if os.environ.get("BENCH_DASHBOARD_LIVE") else ["snapshot"]
    for mode in modes:
        if mode == "live":
            Snapshot.objects.all().delete()
        for level, code in regions.items():
            for api in APIS:
                if api == "public" and code:
                    continue
                url = f"/api/v1/dashboard/{api}" + (f"?region={code}" if code else "")
                took, longest, queries = _ask(client, url)
                if longest > slowest[0]:
                    slowest = (longest, url, queries)
                ms = round(statistics.median(took) * 1000, 1)
                results[f"{level} {api}" + (" (live)" if mode == "live" else "")] = {
                    "url": url,
                    "median_ms": ms,
                    "queries": len(queries),
                    "ratio_to_target": round(ms / TARGET_MS, 3),
                }
    took, url, queries = slowest
    plans = explain_slowest(connection, queries)
    print(
        json.dumps(
            {
                "snapshot": {
                    "regions": written,
                    "seconds": round(snapshot_s, 1),
                    "interval_s": interval_s,
                    "share_of_interval": round(snapshot_s / interval_s, 3),
                },
                "apis": results,
                "slowest_request": {"url": url, "ms": round(took * 1000)},
                "slowest_queries": plans,
            },
            ensure_ascii=False,
        )
    )


def main() -> dict:
    url = os.environ.get("BENCH_SCALE_URL")
    if not url:
        print("needs BENCH_SCALE_URL (a database with nuanxin scale-data)")
        return {"skipped": "BENCH_SCALE_URL missing"}
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "nuanxin.settings"}
    load = list(os.getloadavg())
    out = subprocess.run(
        [sys.executable, __file__, "--run"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    figures["load_before"], figures["load_after"] = load, list(os.getloadavg())
    snap = figures["snapshot"]
    print(
        f"snapshot: {snap['regions']} regions in {snap['seconds']} s, "
        f"{snap['share_of_interval']} of its {snap['interval_s']} s interval"
    )
    print(f"{'api':<25}{'median ms':>10}{'queries':>9}{'/300 ms':>9}")
    for name, row in figures["apis"].items():
        print(f"{name:<25}{row['median_ms']:>10}{row['queries']:>9}{row['ratio_to_target']:>9}")
    print_plans(figures["slowest_queries"])
    return figures


if __name__ == "__main__":
    if sys.argv[1:] == ["--run"]:
        _run()
    else:
        main()
