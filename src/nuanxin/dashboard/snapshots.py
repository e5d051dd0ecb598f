"""The dashboard's snapshot: every region's figures and chart counts, added up once for the
whole region tree by the periodic job ``dashboard.snapshot``, so that a dashboard view reads
one row instead of counting a million reports.

How it is kept current: every DASHBOARD_REFRESH_MINUTES the job counts everything again from
the apps' rows (the same grouped queries a live view makes, once for the whole city rather
than once per view) and replaces the snapshot in one transaction. A late correction — a
report reopened or resolved, an attendance verified a month later, an enterprise moved to
another community — therefore reaches every figure and every month of every region at the
next run, within one interval. Views say when their figures were counted (``as_of``). A
snapshot older than three intervals (the jobs stopped), from another chart window (a new month
began) or from another region tree (a region was added) is not read: the view counts live.
"""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from nuanxin.dashboard.figures import (
    added_up,
    area_traces,
    charts_found,
    figures_found,
    subtree_of,
    window_start,
)
from nuanxin.dashboard.models import Snapshot
from nuanxin.geo.models import Region


@dataclass(frozen=True)
class Kept:
    taken_at: dt.datetime
    data: dict[str, Any]


def _max_age() -> dt.timedelta:
    return dt.timedelta(minutes=3 * settings.DASHBOARD_REFRESH_MINUTES)


def snapshot_of(region: Region, since: dt.datetime) -> Kept | None:
    """The region's snapshot if it is fresh and of the chart window starting at ``since``."""
    row = (
        Snapshot.objects.filter(
            region=region, since=since, taken_at__gte=timezone.now() - _max_age()
        )
        .values_list("taken_at", "data")
        .first()
    )
    return Kept(row[0], json.loads(row[1])) if row else None


def snapshots_take(now: dt.datetime | None = None) -> int:
    """Count every figure and chart of every region and replace the snapshot; returns the
    number of regions written."""
    now = now or timezone.now()
    since = window_start(now)
    figures = figures_found("")
    charts = charts_found("", since)
    rows = []
    for top in Region.objects.filter(depth=0).order_by("code"):
        regions = subtree_of(top)
        children: dict[int, list[Region]] = {}
        for region in sorted(regions, key=lambda r: r.code):
            children.setdefault(region.parent_id, []).append(region)
        counted = added_up(top, regions, figures)
        counts = {key: added_up(top, regions, found) for key, found in charts.items()}
        for region in regions:
            data = {
                "figures": {
                    "totals": counted.total[region.pk],
                    "rows": {c.code: counted.total[c.pk] for c in children.get(region.pk, [])},
                    "remainder": counted.own[region.pk],
                },
                "charts": area_traces({key: a.total[region.pk] for key, a in counts.items()}),
            }
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            rows.append(Snapshot(region_id=region.pk, taken_at=now, since=since, data=text))
    with transaction.atomic():
        Snapshot.objects.all().delete()
        Snapshot.objects.bulk_create(rows, batch_size=500)
    return len(rows)
