"""Volunteering: claims racing for places, verification with its ledger posting, the worker's
"near me" list and the statistics export.

    uv run python benchmarks/run.py volunteering
    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres \
        uv run python benchmarks/run.py volunteering

Each engine runs in its own process on a fresh database (SQLite: a file in a temporary folder;
PostgreSQL: database ``test_volunteering_bench`` on ``BENCH_PG_URL``, dropped afterwards).

* ``claim_race``: ``CLIENTS`` processes claim one session of ``PLACES`` places for ``WORKERS``
  workers at once; claims per second, and the check that exactly ``PLACES`` were seated.
* ``claim_ms`` / ``verify_ms``: median latency of one ``claim_create`` and of one
  ``attendance_verify`` that pays through the ledger, one client.
* ``nearby_ms``: median ``projects_for_worker`` over random points with ``PROJECTS`` published
  projects (4 upcoming sessions each) in a 40 km square, for a worker of another street (the
  5 km search alone); ``nearby_own_street_ms`` for a worker of the street that posted all 2,000
  (the worst case: the list also takes the 50 soonest of the own street). Ceiling 50 ms.
* ``export_s``: ``stats_workbook`` over ``ATTENDANCES`` verified attendances (written in bulk:
  this measures the read path, not the services).
"""

import datetime as dt
import json
import multiprocessing
import os
import random
import statistics
import sys
import time

from engines import box, median_ms, run_engines, setup_django

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "200"))
PLACES = 50
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "2000"))
ATTENDANCES = int(os.environ.get("BENCH_ATTENDANCES", "5000"))
NEARBY_CEILING_MS = 50.0
PG_DB = "test_volunteering_bench"


def _city() -> dict:
    """A city of one county, one street and four communities in a 0.4-degree square."""
    from nuanxin.accounts.models import Role
    from nuanxin.accounts.services import user_create
    from nuanxin.geo.services import region_save
    from nuanxin.points import services as points

    city, _ = region_save(code="BCITY", name="基准市", level="city", boundary=box(110, 21, 0.4))
    county, _ = region_save(
        code="BCOUNTY", name="基准区", level="county", parent=city, boundary=box(110, 21, 0.4)
    )
    street, _ = region_save(
        code="BSTREET", name="基准街道", level="street", parent=county, boundary=box(110, 21, 0.4)
    )
    communities = []
    for i in range(4):
        community, _ = region_save(
            code=f"BCOMM{i}",
            name=f"基准社区{i}",
            level="community",
            parent=street,
            boundary=box(110 + (i % 2) * 0.2, 21 + (i // 2) * 0.2, 0.2),
        )
        communities.append(community)
    admin = user_create(phone="13600000001", role=Role.CITY_ADMIN, region=city)
    staff = user_create(phone="13600000002", role=Role.STREET_ADMIN, region=street)
    fund = points.fund_account(city)
    points.policy_update(actor=admin, daily_cap=None, monthly_cap=None)
    points.fund_top_up(transfer_id="bench:top", fund=fund, amount=10**9, actor=admin)
    for c in communities:
        points.budget_allocate(
            transfer_id=f"bench:alloc:{c.code}", fund=fund, community=c, amount=10**8, actor=admin
        )
    return {"street": street.pk, "communities": [c.pk for c in communities], "staff": staff.pk}


def _workers(n: int, community_id: int, offset: int) -> list[int]:
    from nuanxin.accounts.models import User

    users = User.objects.bulk_create(
        User(phone=f"135{offset + i:08d}", role="worker", region_id=community_id, password="!")
        for i in range(n)
    )
    return [u.pk for u in users]


def _project(staff_id: int, street_id: int, places: int, day: dt.date, **extra: object) -> int:
    from nuanxin.accounts.models import User
    from nuanxin.geo.models import Region
    from nuanxin.volunteering import services

    project = services.project_create(
        actor=User.objects.get(pk=staff_id),
        title="基准项目",
        kind="leaflets",
        region=Region.objects.get(pk=street_id),
        place_name="基准广场",
        place=(110.1, 21.1),
        first_date=day,
        start_time=dt.time(9),
        end_time=dt.time(11),
        places=places,
        publish=True,
        **extra,
    )
    return project.sessions.first().pk


def _claimer(session_id: int, worker_ids: list[int], start: object, out: object) -> None:
    setup_django()
    from django.db import connection

    from nuanxin.accounts.models import User
    from nuanxin.core.errors import ApplicationError
    from nuanxin.volunteering import services
    from nuanxin.volunteering.models import Session

    session = Session.objects.get(pk=session_id)
    workers = list(User.objects.filter(pk__in=worker_ids))
    start.wait()
    done = 0
    for worker in workers:
        try:
            services.claim_create(session=session, worker=worker)
            done += 1
        except ApplicationError:
            pass
    connection.close()
    out.put(done)


def _claim_race(city: dict) -> dict:
    from nuanxin.volunteering.models import Claim

    day = dt.date.today() + dt.timedelta(days=30)
    session_id = _project(city["staff"], city["street"], PLACES, day)
    workers = _workers(WORKERS, city["communities"][0], 0)
    from django.db import connection

    connection.close()
    start = multiprocessing.Event()
    out = multiprocessing.Queue()
    chunks = [workers[i::CLIENTS] for i in range(CLIENTS)]
    procs = [
        multiprocessing.Process(target=_claimer, args=(session_id, chunk, start, out))
        for chunk in chunks
    ]
    for p in procs:
        p.start()
    time.sleep(3)  # every client has set Django up and is waiting
    began = time.perf_counter()
    start.set()
    made = sum(out.get() for _ in procs)
    elapsed = time.perf_counter() - began
    for p in procs:
        p.join()
    seated = Claim.objects.filter(session_id=session_id, status="claimed").count()
    waiting = Claim.objects.filter(session_id=session_id, status="waitlisted").count()
    return {
        "clients": CLIENTS,
        "claims": made,
        "claims_per_s": round(made / elapsed, 1),
        "seated": seated,
        "waitlisted": waiting,
        "overbooked": seated > PLACES,
    }


def _analyze() -> None:
    """Refresh the planner's statistics after the bulk load, as autovacuum would in service."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _latencies(city: dict) -> dict:
    from django.utils import timezone

    from nuanxin.accounts.models import User
    from nuanxin.volunteering import services
    from nuanxin.volunteering.models import Session

    n = 100
    day = timezone.localdate() - dt.timedelta(days=1)  # held yesterday: verifiable now
    session = Session.objects.get(pk=_project(city["staff"], city["street"], n, day))
    staff = User.objects.get(pk=city["staff"])
    workers = list(User.objects.filter(pk__in=_workers(n, city["communities"][1], 100_000)))
    claim_times, verify_times, claims = [], [], []
    for worker in workers:
        t = time.perf_counter()
        claims.append(services.claim_record(session=session, worker=worker, staff=staff))
        claim_times.append(time.perf_counter() - t)
    for claim in claims:
        t = time.perf_counter()
        services.attendance_verify(claim=claim, staff=staff, outcome="full")
        verify_times.append(time.perf_counter() - t)
    return {"claim_ms": median_ms(claim_times), "verify_ms": median_ms(verify_times)}


def _nearby(city: dict) -> dict:
    from django.utils import timezone

    from nuanxin.accounts.models import User
    from nuanxin.volunteering.models import Project, Session
    from nuanxin.volunteering.selectors import projects_for_worker

    rng = random.Random(7)
    now = timezone.now()
    # Copies of one posted project at random places (bulk: this measures the read).
    fields = {
        f.attname: getattr(Project.objects.first(), f.attname)
        for f in Project._meta.concrete_fields
        if not f.primary_key
    }
    projects = [
        Project(
            **{
                **fields,
                "place_lon": 110 + rng.random() * 0.4,
                "place_lat": 21 + rng.random() * 0.4,
            }
        )
        for _ in range(PROJECTS)
    ]
    created = Project.objects.bulk_create(projects)
    Session.objects.bulk_create(
        Session(
            project=p,
            starts_at=now + dt.timedelta(days=d, hours=1),
            ends_at=now + dt.timedelta(days=d, hours=3),
            places=10,
        )
        for p in created
        for d in (1, 8, 15, 22)
    )
    _analyze()
    in_street = User.objects.filter(role="worker", region__isnull=False).first()
    elsewhere = User.objects.create(phone="13599999999", role="worker", password="!")
    figures: dict = {"projects": PROJECTS, "nearby_ceiling_ms": NEARBY_CEILING_MS}
    for label, worker in (("nearby", elsewhere), ("nearby_own_street", in_street)):
        times, found = [], []
        for _ in range(200):
            lon, lat = 110 + rng.random() * 0.4, 21 + rng.random() * 0.4
            t = time.perf_counter()
            cards = projects_for_worker(worker, lon=lon, lat=lat, radius_m=5000)
            times.append(time.perf_counter() - t)
            found.append(len(cards))
        figures[f"{label}_ms"] = median_ms(times)
        figures[f"{label}_cards"] = statistics.median(found)
    figures["nearby_over_ceiling"] = round(figures["nearby_ms"] / NEARBY_CEILING_MS, 2)
    return figures


def _export(city: dict) -> dict:
    from decimal import Decimal

    from nuanxin.accounts.models import User
    from nuanxin.volunteering.models import Attendance, Claim, Session
    from nuanxin.volunteering.stats import stats_workbook

    staff = User.objects.get(pk=city["staff"])
    sessions = list(Session.objects.select_related("project")[:50])
    workers = _workers(ATTENDANCES // len(sessions) + 1, city["communities"][2], 200_000)
    claims, attendances = [], []
    for s in sessions:
        for i, w in enumerate(workers):
            claims.append(
                Claim(session=s, project=s.project, worker_id=w, status="claimed", code=f"B{i:06d}")
            )
    claims = Claim.objects.bulk_create(claims[:ATTENDANCES])
    for c in claims:
        attendances.append(
            Attendance(
                claim=c,
                session_id=c.session_id,
                project_id=c.project_id,
                worker_id=c.worker_id,
                status="verified",
                outcome="full",
                hours_verified=Decimal("2.00"),
                quantity_verified=20,
                points_awarded=20,
            )
        )
    Attendance.objects.bulk_create(attendances)
    t = time.perf_counter()
    content = stats_workbook(staff)
    return {
        "attendances": len(attendances),
        "export_s": round(time.perf_counter() - t, 2),
        "xlsx_kb": len(content) // 1024,
    }


def run_engine() -> dict:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    city = _city()
    figures = {"engine": os.environ.get("BENCH_ENGINE", "sqlite")}
    figures.update(_claim_race(city))
    figures.update(_latencies(city))
    figures.update(_nearby(city))
    figures.update(_export(city))
    return figures


def main() -> dict:
    return run_engines(__file__, PG_DB)


if __name__ == "__main__":
    if "--engine" in sys.argv:
        print(json.dumps(run_engine(), ensure_ascii=False))
    else:
        main()
