"""HTTP load on the scale data: a worker mix and a staff mix against two same-run ceilings.

    BENCH_SCALE_URL=postgres://postgres@127.0.0.1:5432/nx_perf \
        uv run python benchmarks/run.py http_load

The database must hold ``nuanxin scale-data`` (it is changed: tokens, reports, orders and
accepts are added by the run), and the run must have the keys it was built with: the same
``NUANXIN_DATA_DIR`` (whose secret key seals personal data in development) or ``PII_KEYS``, or
every answer that reads an ID number fails. ``nuanxin serve`` (granian) serves it on loopback
with the project's settings plus one benchmark-only URL, ``/bench/trivial``: a constant JSON
answer that passes through every middleware (ceiling 1, "stack"). wrk, a separate process on the
same machine, loads one call at a time for ``BENCH_SECONDS`` with ``BENCH_CONNECTIONS``
connections (Lua scripts in a temporary folder: random worker tokens, a fresh Idempotency-Key
per write, one submitted report per accept); then the bare server, granian serving a WSGI
callable with no framework (``bare_wsgi.py``, ceiling 2, "bare"). Every call is given as
requests/s, p50/p95/p99 and its ratio to the stack ceiling. The server's worker and thread
counts are chosen first by loading the nearest-station call on each of ``BENCH_SERVER_CONFIGS``
(workers x threads). In the same process the cost of each middleware is measured: the trivial
endpoint through Django's WSGI handler, in-process, with the whole stack and with each
middleware left out in turn (median of ``BENCH_MIDDLEWARE_REQUESTS``).
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_http_server import free_port, wait_for  # noqa: E402
from plans import explain_slowest, print_plans  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "16").split(",")]
CONFIGS = os.environ.get("BENCH_SERVER_CONFIGS", "2x4,2x8,3x4,2x1").split(",")
TOKENS = int(os.environ.get("BENCH_TOKENS", "400"))
MIDDLEWARE_REQUESTS = int(os.environ.get("BENCH_MIDDLEWARE_REQUESTS", "1500"))
READS = {"nearest", "my_points", "shop_list", "review_queue", "registry_search"}

LUA_COMMON = r"""
local tokens = {%(tokens)s}
local staff = "%(staff)s"
local ids = {%(ids)s}
local places = {%(places)s}
local counter = 0
local made = 0
function setup(thread)
  thread:set("tid", made)
  made = made + 1
end
function init(args)
  tid = tid or 0
  math.randomseed(os.time() + tid * 7919)
end
local function worker() return "Bearer " .. tokens[math.random(#tokens)] end
local function place() return places[math.random(#places)] end
local function key()
  counter = counter + 1
  return string.format("load-%%d-%%d-%%d", os.time(), tid, counter)
end
function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%.3f, "p50_ms": %%.2f, "p95_ms": %%.2f, '
      .. '"p99_ms": %%.2f, "errors": %%d, "non_2xx": %%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors, summary.errors.status))
end
"""

CALLS = {
    "trivial": 'request = function() return wrk.format("GET", "/bench/trivial") end',
    "nearest": """request = function()
  local p = place()
  return wrk.format("GET", string.format(
    "/api/v1/stations/nearest?lon=%.5f&lat=%.5f&amenities=drinking_water&open_now=true&count=5",
    p[1], p[2]))
end""",
    "submit_report": """request = function()
  local p = place()
  local b = "nxloadboundary"
  local body = "--" .. b .. "\\r\\nContent-Disposition: form-data; name=\\"category\\"\\r\\n\\r\\n"
    .. "%(category)s\\r\\n--" .. b
    .. "\\r\\nContent-Disposition: form-data; name=\\"lon\\"\\r\\n\\r\\n"
    .. string.format("%%.5f", p[1]) .. "\\r\\n--" .. b
    .. "\\r\\nContent-Disposition: form-data; name=\\"lat\\"\\r\\n\\r\\n"
    .. string.format("%%.5f", p[2]) .. "\\r\\n--" .. b
    .. "\\r\\nContent-Disposition: form-data; name=\\"description\\"\\r\\n\\r\\n"
    .. "load test report\\r\\n--" .. b .. "--\\r\\n"
  return wrk.format("POST", "/api/v1/reports/", {
    ["Authorization"] = worker(), ["Idempotency-Key"] = key(),
    ["Content-Type"] = "multipart/form-data; boundary=" .. b}, body)
end""",
    "my_points": """request = function()
  return wrk.format("GET", "/api/v1/points/balance", {["Authorization"] = worker()})
end""",
    "shop_list": """request = function()
  local p = place()
  return wrk.format("GET", string.format("/api/v1/store/shops?lon=%.5f&lat=%.5f", p[1], p[2]),
    {["Authorization"] = worker()})
end""",
    "order": """request = function()
  return wrk.format("POST", "/api/v1/store/orders", {
    ["Authorization"] = worker(), ["Idempotency-Key"] = key(),
    ["Content-Type"] = "application/json"},
    '{"station_id": %(station)d, "item_id": %(item)d}')
end""",
    "review_queue": """request = function()
  return wrk.format("GET", "/api/v1/reports/queue?state=submitted", {["Authorization"] = staff})
end""",
    "accept": """local step = 0
request = function()
  step = step + 1
  local id = ids[(tid * math.floor(#ids / 2) + step) %% #ids + 1]
  return wrk.format("POST", "/api/v1/reports/" .. id .. "/accept", {
    ["Authorization"] = staff, ["Content-Type"] = "application/json"}, '{"note": ""}')
end""",
    # 王 李 张 陈 黄 林, percent-encoded: a raw UTF-8 query makes wrk's request invalid
    # (%% doubled: the scripts are %-formatted)
    "registry_search": """local names = {"%%E7%%8E%%8B", "%%E6%%9D%%8E", "%%E5%%BC%%A0",
  "%%E9%%99%%88", "%%E9%%BB%%84", "%%E6%%9E%%97"}
request = function()
  return wrk.format("GET", "/api/v1/registry/workers?q=" .. names[math.random(#names)],
    {["Authorization"] = staff})
end""",
}
WORKER_MIX = ["nearest", "submit_report", "my_points", "shop_list", "order"]
STAFF_MIX = ["review_queue", "accept", "registry_search"]


def server_env(url: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "http_load_settings",
        "NUANXIN_JOBS": "off",
        "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT / "src")]),
    }
    env.setdefault("NUANXIN_DATA_DIR", tempfile.mkdtemp(prefix="nuanxin-bench-load-"))
    return env


def in_child(url: str, flag: str, *args: str) -> dict:
    """Run this file with ``flag`` in a child process set up like the server; its last line of
    output is the JSON answer."""
    out = subprocess.run(
        [sys.executable, __file__, flag, *args],
        env=server_env(url),
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def prepare(url: str) -> dict:
    """Tokens, a bench item in stock, submitted reports to accept: done in a child process."""
    return in_child(url, "--prepare")


def _prepare() -> None:
    import django

    django.setup()
    from django.db.models import F

    from nuanxin.accounts.models import User
    from nuanxin.accounts.services import token_issue
    from nuanxin.reports.models import Category, Report, State
    from nuanxin.stations.models import Station
    from nuanxin.store.models import Item, Shop
    from nuanxin.store.services import item_create, stock_restock

    admin = User.objects.get(phone="13800000001")
    workers = list(
        User.objects.filter(
            phone__startswith="170", points_account__posted__gte=F("points_account__held") + 50
        ).order_by("?")[:TOKENS]
    )
    tokens = [token_issue(user=u, name="load test", ttl_days=1)[0] for u in workers]
    # as an API login that passed the second factor gives staff
    staff = token_issue(user=admin, name="load test", ttl_days=1, second_factor=True)[0]
    shop = Shop.objects.filter(station__code__startswith="SC").order_by("pk").first()
    item = Item.objects.filter(name="压测用商品").first() or item_create(
        actor=admin, name="压测用商品", category="daily", points_price=1
    )
    stock_restock(actor=admin, station=shop.station, item=item, quantity=10_000)
    category = Category.objects.filter(is_active=True, points__gt=0).order_by("pk").first()
    ids = list(
        Report.objects.filter(
            state=State.SUBMITTED, community__isnull=False, reporter__phone__startswith="170"
        )
        .order_by("?")
        .values_list("pk", flat=True)[:20_000]
    )
    places = list(
        Station.objects.filter(code__startswith="SC").order_by("?").values_list("lon", "lat")[:500]
    )
    print(
        json.dumps(
            {
                "tokens": tokens,
                "staff": staff,
                "station": shop.station_id,
                "item": item.pk,
                "category": category.code,
                "ids": ids,
                "places": places,
            }
        )
    )


def lua(call: str, data: dict, folder: Path) -> Path:
    common = LUA_COMMON % {
        "tokens": ",".join(f'"{t}"' for t in data["tokens"]),
        "staff": f"Bearer {data['staff']}",
        "ids": ",".join(str(i) for i in data["ids"]) or "0",
        "places": ",".join(f"{{{lon},{lat}}}" for lon, lat in data["places"]),
    }
    body = CALLS[call]
    if "%(" in body:
        body = body % data
    path = folder / f"{call}.lua"
    path.write_text(common + body.replace("%%", "%") + "\n")
    return path


def wrk(base: str, script: Path, connections: int, seconds: int = SECONDS) -> dict:
    threads = min(2, connections)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(re.search(r"RESULT (\{.*\})", out).group(1))
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    result["load"] = round(os.getloadavg()[0], 2)
    result["connections"] = connections
    return result


class Server:
    def __init__(self, command: list[str], env: dict, port: int):
        self.command, self.env, self.port = command, env, port

    def __enter__(self) -> str:
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.port, timeout=120)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def nuanxin_server(url: str, workers: int, threads: int) -> Server:
    port = free_port()
    env = {**server_env(url), "NUANXIN_WORKERS": str(workers), "NUANXIN_THREADS": str(threads)}
    return Server([sys.executable, "-m", "nuanxin.cli", "serve", "--port", str(port)], env, port)


def bare_server(workers: int, threads: int) -> Server:
    port = free_port()
    command = [
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
        str(workers),
        "--blocking-threads",
        str(threads),
        "--log-level",
        "warning",
        "bare_wsgi:application",
    ]
    return Server(command, {**os.environ, "PYTHONPATH": str(HERE)}, port)


def middleware_costs(url: str) -> dict:
    return in_child(url, "--middleware")


def _middleware() -> None:
    """Median time of /bench/trivial through the WSGI handler, whole stack and one left out."""
    import io

    import django

    django.setup()
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.handlers.wsgi import WSGIHandler

    def environ() -> dict:
        return {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/bench/trivial",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }

    def median_us(handler: WSGIHandler) -> float:
        samples = []
        for _ in range(MIDDLEWARE_REQUESTS):
            started = time.perf_counter()
            body = b"".join(handler(environ(), lambda *a: None))
            samples.append(time.perf_counter() - started)
            assert body == b'{"ok": true}', body
        return statistics.median(samples[len(samples) // 5 :]) * 1e6

    full_list = list(settings.MIDDLEWARE)
    full = median_us(WSGIHandler())
    costs: dict[str, float | None] = {}
    for name in full_list:
        settings.MIDDLEWARE = [m for m in full_list if m != name]
        try:
            costs[name] = round(full - median_us(WSGIHandler()), 1)
        except (AssertionError, ImproperlyConfigured):
            # another middleware needs this one (sessions for authentication): not measured
            # alone; None in the results
            costs[name] = None
    settings.MIDDLEWARE = []
    bare_django = median_us(WSGIHandler())
    settings.MIDDLEWARE = full_list
    print(
        json.dumps(
            {
                "whole_stack_us": round(full, 1),
                "no_middleware_us": round(bare_django, 1),
                "per_middleware_us": costs,
            }
        )
    )


def query_plans(url: str, data: dict) -> dict:
    one = {
        **data,
        "tokens": data["tokens"][:1],
        "ids": data["ids"][-1:],
        "places": data["places"][:1],
    }
    return in_child(url, "--plans", json.dumps(one))


def _plans(data: dict) -> None:
    """Each loaded call once in-process, as the load makes it; the slowest two SELECTs of each,
    with their plans on the scale data."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    lon, lat = data["places"][0]
    worker = {"HTTP_AUTHORIZATION": f"Bearer {data['tokens'][0]}"}
    staff = {"HTTP_AUTHORIZATION": f"Bearer {data['staff']}"}
    requests = {
        "nearest": (
            "get",
            f"/api/v1/stations/nearest?lon={lon}&lat={lat}"
            "&amenities=drinking_water&open_now=true&count=5",
            None,
            worker,
        ),
        "my_points": ("get", "/api/v1/points/balance", None, worker),
        "shop_list": ("get", f"/api/v1/store/shops?lon={lon}&lat={lat}", None, worker),
        "order": (
            "post",
            "/api/v1/store/orders",
            {"station_id": data["station"], "item_id": data["item"]},
            worker,
        ),
        "review_queue": ("get", "/api/v1/reports/queue?state=submitted", None, staff),
        "accept": ("post", f"/api/v1/reports/{data['ids'][-1]}/accept", {"note": ""}, staff),
        "registry_search": ("get", "/api/v1/registry/workers?q=%E7%8E%8B", None, staff),
    }
    client = Client(HTTP_HOST="127.0.0.1")
    answer = {}
    for call, (method, path, body, headers) in requests.items():
        extra = {"content_type": "application/json", "HTTP_IDEMPOTENCY_KEY": f"plans-{call}"}
        kwargs = {"data": json.dumps(body), **extra} if body is not None else {}
        if method == "get":
            client.get(path, **headers)  # once before, as the load's repeated calls find it
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = getattr(client, method)(path, **kwargs, **headers)
            took = time.perf_counter() - started
        queries = captured.captured_queries
        answer[call] = {
            "status": response.status_code,
            "ms": round(took * 1000, 1),
            "queries": len(queries),
            "plans": explain_slowest(connection, queries, 2),
        }
    print(json.dumps(answer, ensure_ascii=False))


def main() -> dict:
    url = os.environ.get("BENCH_SCALE_URL")
    if not url or not shutil.which("wrk"):
        print("needs BENCH_SCALE_URL (a database with nuanxin scale-data) and wrk")
        return {"skipped": "BENCH_SCALE_URL or wrk missing"}
    figures: dict = {"seconds_per_run": SECONDS, "load_before": list(os.getloadavg())}
    data = prepare(url)
    folder = Path(tempfile.mkdtemp(prefix="nuanxin-wrk-"))
    scripts = {call: lua(call, data, folder) for call in CALLS}
    connections = CONNECTIONS[0]
    # 1. worker and thread counts, by the nearest-station call and the trivial endpoint
    configs = {}
    for config in CONFIGS:
        workers, threads = (int(x) for x in config.split("x"))
        with nuanxin_server(url, workers, threads) as base:
            wrk(base, scripts["trivial"], connections, 3)  # warm-up: imports, index, caches
            wrk(base, scripts["nearest"], connections, 3)
            configs[config] = {
                "trivial": wrk(base, scripts["trivial"], connections),
                "nearest": wrk(base, scripts["nearest"], connections),
            }
        print(config, {k: (v["rps"], v["p99_ms"]) for k, v in configs[config].items()}, flush=True)
    best = max(configs, key=lambda c: configs[c]["nearest"]["rps"])
    figures["server_configs"] = configs
    figures["chosen_config"] = best
    workers, threads = (int(x) for x in best.split("x"))
    # 2. every call, and the load where throughput peaks, on the chosen configuration
    calls: dict = {}
    with nuanxin_server(url, workers, threads) as base:
        wrk(base, scripts["trivial"], connections, 3)
        for call in CALLS:
            calls[call] = wrk(base, scripts[call], connections)
            print(call, calls[call], flush=True)
        sweep = {}
        for c in sorted({4, connections, 2 * connections, 4 * connections}):
            sweep[str(c)] = wrk(base, scripts["nearest"], c)
        figures["nearest_by_connections"] = sweep
    with bare_server(workers, threads) as base:
        wrk(base, scripts["trivial"], connections, 3)
        figures["bare"] = wrk(base, scripts["trivial"], connections)
    stack = calls["trivial"]["rps"]
    for call, result in calls.items():
        result["ratio_to_stack"] = round(result["rps"] / stack, 3) if stack else None
        result["kind"] = "read" if call in READS else ("ceiling" if call == "trivial" else "write")
        result["target"] = {"read": 0.6, "write": 0.3}.get(result["kind"])
        if result["target"]:
            result["meets_target"] = (
                result["ratio_to_stack"] >= result["target"] and result["p99_ms"] < 200
            )
    figures["calls"] = calls
    figures["stack_over_bare_ratio"] = round(stack / figures["bare"]["rps"], 3)
    figures["worker_mix"] = WORKER_MIX
    figures["staff_mix"] = STAFF_MIX
    figures["middleware"] = middleware_costs(url)
    figures["plans"] = query_plans(url, data)
    figures["load_after"] = list(os.getloadavg())
    shutil.rmtree(folder, ignore_errors=True)
    print(f"{'call':<16}{'req/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'ratio':>7}  errors  load")
    for call, r in calls.items():
        print(
            f"{call:<16}{r['rps']:>8.0f}{r['p50_ms']:>8.1f}{r['p95_ms']:>8.1f}"
            f"{r['p99_ms']:>8.1f}{r['ratio_to_stack']:>7.2f}  {r['non_2xx']:>6}  {r['load']}"
        )
    print(
        f"bare server {figures['bare']['rps']:.0f} req/s; stack/bare "
        f"{figures['stack_over_bare_ratio']}"
    )
    for call, one in figures["plans"].items():
        print(f"\n== {call}: {one['ms']} ms in-process, {one['queries']} queries")
        print_plans(one["plans"], f"{call} ")
    return figures


if __name__ == "__main__":
    if sys.argv[1:] == ["--prepare"]:
        _prepare()
    elif sys.argv[1:] == ["--middleware"]:
        _middleware()
    elif sys.argv[1:2] == ["--plans"]:
        _plans(json.loads(sys.argv[2]))
    else:
        main()
