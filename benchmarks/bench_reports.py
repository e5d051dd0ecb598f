"""随手拍: the duplicate search before submitting, and the photo pipeline.

A throwaway SQLite database gets ``BENCH_REPORTS`` reports (default 200,000: a few years of a
city) spread over a 40 x 40 km test city, a quarter of them open. The nearby search (bounding box
on the ``(category, state, lat, lon)`` index, then haversine) is timed against scanning every
open report of the category in Python, the naive way the index replaces; the figure that decides
is the ratio. The photo pipeline is timed on a 12-megapixel phone JPEG with EXIF and GPS.
"""

import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

N_REPORTS = int(os.environ.get("BENCH_REPORTS", "200000"))
QUERIES = 200


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
    import datetime as dt

    from django.utils import timezone

    from nuanxin.geo.models import RegionLevel
    from nuanxin.geo.services import region_save
    from nuanxin.reports.models import Category, Report, State

    def box(x0: float, y0: float, x1: float, y1: float) -> dict:
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        return {"type": "Polygon", "coordinates": [ring]}

    city, _ = region_save(
        code="449900", name="测试市", level="city", boundary=box(110, 21, 110.4, 21.4)
    )
    county, _ = region_save(code="449901", name="区", level="county", parent=city)
    street, _ = region_save(code="449901001", name="街道", level="street", parent=county)
    community, _ = region_save(
        code="449901001001", name="社区", level=RegionLevel.COMMUNITY, parent=street
    )
    categories = list(Category.objects.all())
    states = [
        State.SUBMITTED,
        State.ACCEPTED,
        State.DISPATCHED,
        State.RESOLVED,
        State.CLOSED,
        State.CLOSED,
        State.REJECTED,
        State.RESOLVED,
    ]
    now = timezone.now()
    batch = []
    for _ in range(N_REPORTS):
        batch.append(
            Report(
                category=rng.choice(categories),
                description="bench",
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


def scan_nearby(category: object, lon: float, lat: float, radius: float) -> list[int]:
    from nuanxin.geo.coords import haversine_m
    from nuanxin.reports.models import OPEN_STATES, Report

    rows = Report.objects.filter(category=category, state__in=OPEN_STATES).values_list(
        "pk", "lon", "lat"
    )
    return [pk for pk, x, y in rows if haversine_m(lon, lat, x, y) <= radius]


def time_queries(fn: object, points: list, category: object) -> tuple[float, list]:
    results, times = [], []
    for lon, lat in points:
        started = time.perf_counter()
        results.append(fn(category, lon, lat))
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, results


def bench_photo() -> dict:
    from PIL import Image

    from nuanxin.reports.photos import photo_clean

    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8825).update({1: "N", 2: (21.0, 3.0, 0.0), 3: "E", 4: (110.0, 3.0, 0.0)})
    noise = Image.effect_noise((4000, 3000), 60).convert("RGB")
    out = io.BytesIO()
    noise.save(out, format="JPEG", quality=90, exif=exif.tobytes())
    data = out.getvalue()
    times = []
    for _ in range(5):
        started = time.perf_counter()
        clean = photo_clean(data)
        times.append(time.perf_counter() - started)
    return {
        "photo_in_bytes": len(data),
        "photo_out_bytes": clean.size,
        "photo_out_size": f"{clean.width}x{clean.height}",
        "photo_clean_ms_median": round(statistics.median(times) * 1000),
    }


def main() -> dict:
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        from django.db import connection

        from nuanxin.reports.models import Category, Report
        from nuanxin.reports.selectors import reports_nearby

        rng = random.Random(7)
        started = time.perf_counter()
        load(rng)
        load_s = time.perf_counter() - started
        category = Category.objects.get(code="fire-lane")
        points = [(110 + rng.random() * 0.4, 21 + rng.random() * 0.4) for _ in range(QUERIES)]

        def indexed(cat: object, lon: float, lat: float) -> list[int]:
            return sorted(
                n.report.pk for n in reports_nearby(category=cat, lon=lon, lat=lat, limit=1000)
            )

        def scanned(cat: object, lon: float, lat: float) -> list[int]:
            return sorted(scan_nearby(cat, lon, lat, 250))

        indexed_ms, a = time_queries(indexed, points, category)
        scan_ms, b = time_queries(scanned, points[:20], category)
        assert a[:20] == b, "the indexed search must find what the scan finds"
        qs = Report.objects.filter(
            category=category,
            state__in=["submitted"],
            lat__gte=21.1,
            lat__lte=21.11,
            lon__gte=110.1,
            lon__lte=110.11,
        ).order_by()
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN QUERY PLAN " + str(qs.query).replace("submitted", "'submitted'")
            )
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        figures = {
            "reports": N_REPORTS,
            "load_seconds": round(load_s, 1),
            "nearby_indexed_ms_median": round(indexed_ms, 2),
            "nearby_scan_ms_median": round(scan_ms, 1),
            "scan_over_indexed": round(scan_ms / indexed_ms, 1),
            "plan": plan,
            **bench_photo(),
        }
    for key, value in figures.items():
        print(f"  {key}: {value}")
    return figures


if __name__ == "__main__":
    main()
