"""Points shop: workers racing for the last units, and the cost of one order and one pickup.

    uv run python benchmarks/run.py store
    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python benchmarks/run.py store

Each engine runs in its own process on a fresh database (see ``engines.py``).

* ``race``: ``CLIENTS`` processes place orders for ``WORKERS`` workers (each with points for one
  item) at one shop that has ``UNITS`` units; orders per second over the race, and the checks
  that exactly ``UNITS`` orders were made, everyone else was told "sold out", and the store and
  the ledger reconcile afterwards.
* ``order_ms`` / ``pickup_ms``: median latency of one ``order_create`` (hold + reservation) and
  of one ``pickup_confirm`` (posting the hold + handing out), one client, 200 of each.
"""

import json
import multiprocessing
import os
import sys
import time

from engines import box, median_ms, run_engines, setup_django

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "400"))
UNITS = int(os.environ.get("BENCH_UNITS", "100"))
LATENCY_ORDERS = 200
PRICE = 50
PG_DB = "test_store_bench"


def _city() -> dict:
    """One community with a funded pool, a shop with one item, a keeper."""
    from nuanxin.accounts.models import Role
    from nuanxin.accounts.services import user_create
    from nuanxin.geo.services import region_save
    from nuanxin.points import services as points
    from nuanxin.stations.services import station_create
    from nuanxin.store import services

    city, _ = region_save(code="SCITY", name="基准市", level="city", boundary=box(110, 21, 0.4))
    community, _ = region_save(
        code="SCOMM", name="基准社区", level="community", parent=city, boundary=box(110, 21, 0.4)
    )
    admin = user_create(phone="13600000001", role=Role.CITY_ADMIN, region=city)
    keeper = user_create(phone="13600000002", role=Role.STATION_KEEPER, region=community)
    points.policy_update(actor=admin, daily_cap=None, monthly_cap=None)
    fund = points.fund_account(city)
    points.fund_top_up(transfer_id="bench:top", fund=fund, amount=10**9, actor=admin)
    points.budget_allocate(
        transfer_id="bench:alloc", fund=fund, community=community, amount=10**8, actor=admin
    )
    station = station_create(
        actor=None,
        kind="centre",
        name="基准服务中心",
        host_type="party_mass_centre",
        address="基准路 1 号",
        lon=110.2,
        lat=21.2,
        amenities=[],
        keepers=[keeper],
    )
    services.shop_open(actor=None, station=station)
    item = services.item_create(
        actor=admin, name="大米 5kg", category="grain_oil", points_price=PRICE
    )
    return {"community": community, "station": station, "item": item, "keeper": keeper}


def _workers(city: dict, n: int, offset: int) -> list[int]:
    """``n`` workers with points for one item each, earned through the ledger."""
    from nuanxin.accounts.models import User
    from nuanxin.points import services as points

    users = User.objects.bulk_create(
        User(phone=f"135{offset + i:08d}", role="worker", region=city["community"], password="!")
        for i in range(n)
    )
    for user in users:
        points.earn(
            transfer_id=f"bench:earn:{user.pk}",
            worker=user,
            community=city["community"],
            source="report.accepted",
            points=PRICE,
            reference="bench",
        )
    return [u.pk for u in users]


def _orderer(station_id: int, item_id: int, worker_ids: list[int], start, out) -> None:
    setup_django()
    from django.db import connection

    from nuanxin.accounts.models import User
    from nuanxin.core.errors import ApplicationError
    from nuanxin.stations.models import Station
    from nuanxin.store import services
    from nuanxin.store.models import Item

    station, item = Station.objects.get(pk=station_id), Item.objects.get(pk=item_id)
    workers = list(User.objects.filter(pk__in=worker_ids))
    start.wait()
    made, sold_out = 0, 0
    for worker in workers:
        try:
            services.order_create(worker=worker, station=station, item=item)
            made += 1
        except ApplicationError as error:
            sold_out += error.code == "store.sold_out"
    connection.close()
    out.put((made, sold_out))


def _race(city: dict) -> dict:
    from django.db import connection

    from nuanxin.points.checks import ledger_check
    from nuanxin.store import services
    from nuanxin.store.checks import store_check

    services.stock_restock(actor=None, station=city["station"], item=city["item"], quantity=UNITS)
    workers = _workers(city, WORKERS, 0)
    connection.close()
    start, out = multiprocessing.Event(), multiprocessing.Queue()
    args = (city["station"].pk, city["item"].pk)
    procs = [
        multiprocessing.Process(target=_orderer, args=(*args, workers[i::CLIENTS], start, out))
        for i in range(CLIENTS)
    ]
    for p in procs:
        p.start()
    time.sleep(3)  # every client has set Django up and is waiting
    began = time.perf_counter()
    start.set()
    results = [out.get() for _ in procs]
    elapsed = time.perf_counter() - began
    for p in procs:
        p.join()
    made = sum(r[0] for r in results)
    return {
        "clients": CLIENTS,
        "workers": WORKERS,
        "units": UNITS,
        "orders": made,
        "sold_out_answers": sum(r[1] for r in results),
        "attempts_per_s": round(WORKERS / elapsed, 1),
        "store_check_clean": store_check().ok,
        "ledger_check_clean": ledger_check().ok,
    }


def _latencies(city: dict) -> dict:
    from nuanxin.accounts.models import User
    from nuanxin.store import services

    station, item = city["station"], city["item"]
    services.stock_restock(
        actor=None, station=station, item=item, quantity=LATENCY_ORDERS, note="latency"
    )
    workers = User.objects.filter(pk__in=_workers(city, LATENCY_ORDERS, 500_000))
    order_times, pickup_times, orders = [], [], []
    for worker in workers:
        t = time.perf_counter()
        orders.append(services.order_create(worker=worker, station=station, item=item))
        order_times.append(time.perf_counter() - t)
    for order in orders:
        t = time.perf_counter()
        services.pickup_confirm(actor=city["keeper"], station=station, code=order.pickup_code)
        pickup_times.append(time.perf_counter() - t)
    return {"order_ms": median_ms(order_times), "pickup_ms": median_ms(pickup_times)}


def run_engine() -> dict:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    city = _city()
    figures = {"engine": os.environ.get("BENCH_ENGINE", "sqlite")}
    figures.update(_race(city))
    figures.update(_latencies(city))
    return figures


def main() -> dict:
    return run_engines(__file__, PG_DB)


if __name__ == "__main__":
    if "--engine" in sys.argv:
        print(json.dumps(run_engine(), ensure_ascii=False))
    else:
        main()
