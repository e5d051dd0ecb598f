"""Open311: the cost of the largest answer (1000 requests) and of filing one request.

A throwaway SQLite database gets ``BENCH_OPEN311_REPORTS`` reports (default 50,000) spread over
the last 180 days, in every state, with a history row for each handled one. ``GET
requests.json`` / ``requests.xml`` with the defaults (the last 90 days, at most 1000) go
through the whole Django stack (test client, no network); the ceiling is the ORM alone fetching
the same 1000 reports with their joins, so the ratio is what presenting and the privacy rules
cost. ``POST requests.json`` is timed per request (each a new device, so each files a report).
"""

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

N_REPORTS = int(os.environ.get("BENCH_OPEN311_REPORTS", "50000"))
ROUNDS = 15
POSTS = 40


def setup_django(data_dir: str) -> None:
    os.environ["NUANXIN_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuanxin.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def load(rng: random.Random) -> None:
    from django.utils import timezone

    from nuanxin.geo.models import RegionLevel
    from nuanxin.geo.services import region_save
    from nuanxin.reports.models import Category, EventKind, Report, ReportEvent, State

    def box(x0: float, y0: float, x1: float, y1: float) -> dict:
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        return {"type": "Polygon", "coordinates": [ring]}

    city, _ = region_save(
        code="449900", name="测试市", level="city", boundary=box(110, 21, 110.4, 21.4)
    )
    county, _ = region_save(code="449901", name="甲区", level="county", parent=city)
    street, _ = region_save(code="449901001", name="乙街道", level="street", parent=county)
    community, _ = region_save(
        code="449901001001",
        name="丙社区",
        level=RegionLevel.COMMUNITY,
        parent=street,
        boundary=box(110, 21, 110.4, 21.4),
    )
    categories = list(Category.objects.select_related("department"))
    states = [State.SUBMITTED, State.ACCEPTED, State.DISPATCHED, State.RESOLVED, State.CLOSED]
    now = timezone.now()
    batch = []
    for _ in range(N_REPORTS):
        category = rng.choice(categories)
        batch.append(
            Report(
                category=category,
                department=category.department,
                description="路面有坑 bench",
                lon=110 + rng.random() * 0.4,
                lat=21 + rng.random() * 0.4,
                region=community,
                community=community,
                state=rng.choice(states),
                state_changed_at=now,
                due_at=now + dt.timedelta(hours=48),
            )
        )
        if len(batch) == 5000:
            Report.objects.bulk_create(batch)
            batch = []
    Report.objects.bulk_create(batch)
    # Spread creation over 180 days (auto_now_add stamped them all "now").
    ids = list(Report.objects.values_list("pk", flat=True))
    rng.shuffle(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        days = rng.uniform(0, 180)
        Report.objects.filter(pk__in=chunk).update(created_at=now - dt.timedelta(days=days))
    events = [
        ReportEvent(
            report_id=pk,
            kind=EventKind.ACCEPTED,
            to_state=state,
            public_note="已受理",
        )
        for pk, state in Report.objects.exclude(state=State.SUBMITTED).values_list("pk", "state")
    ]
    ReportEvent.objects.bulk_create(events, batch_size=5000)


def median_ms(fn: object, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> dict:
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        from django.test import Client

        from nuanxin.open311.selectors import public_requests
        from nuanxin.open311.services import client_create
        from nuanxin.reports.models import Report

        rng = random.Random(11)
        started = time.perf_counter()
        load(rng)
        load_s = time.perf_counter() - started
        http = Client(HTTP_HOST="127.0.0.1")

        def get(fmt: str) -> None:
            response = http.get(f"/open311/v2/requests.{fmt}")
            assert response.status_code == 200, response.content[:300]

        def orm_only() -> None:
            cutoff = Report.objects.order_by("-created_at").values_list("created_at", flat=True)
            newest = cutoff.first()
            assert newest is not None
            rows = list(
                public_requests()
                .filter(created_at__gte=newest - dt.timedelta(days=90))
                .order_by("-created_at", "-id")[:1000]
            )
            assert len(rows) == 1000

        get("json")
        json_ms = median_ms(lambda: get("json"), ROUNDS)
        xml_ms = median_ms(lambda: get("xml"), ROUNDS)
        orm_ms = median_ms(orm_only, ROUNDS)
        size_json = len(http.get("/open311/v2/requests.json").content)

        _, key = client_create(actor=None, code="bench", name="bench")
        counter = iter(range(10**6))

        def post() -> None:
            response = http.post(
                "/open311/v2/requests.json",
                {
                    "api_key": key,
                    "service_code": "manhole",
                    "lat": str(21 + rng.random() * 0.4),
                    "long": str(110 + rng.random() * 0.4),
                    "description": "井盖缺失",
                    "device_id": f"bench-{next(counter)}",
                },
            )
            assert response.status_code == 201, response.content[:300]

        post_ms = median_ms(post, POSTS)
        figures = {
            "reports": N_REPORTS,
            "load_seconds": round(load_s, 1),
            "get_requests_json_1000_ms_median": round(json_ms, 1),
            "get_requests_xml_1000_ms_median": round(xml_ms, 1),
            "orm_fetch_1000_ms_median": round(orm_ms, 1),
            "json_over_orm": round(json_ms / orm_ms, 1),
            "requests_json_bytes": size_json,
            "post_request_ms_median": round(post_ms, 1),
        }
    for name, value in figures.items():
        print(f"  {name}: {value}")
    return figures


if __name__ == "__main__":
    main()
