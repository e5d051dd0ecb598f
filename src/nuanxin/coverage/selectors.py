"""What other apps read of the service circle: the demand of the whole city and the part of it
within 15 minutes of an open station, per region the demand points lie in — what the city's
dashboard adds up over any region.

One computation serves every region: coverage is computed once for the city (every station in
service counts, wherever it lies, as on the planner's page) with the default demand sources,
and the figures per region are kept in Django's cache for ``COVERAGE_FIGURES_CACHE_SECONDS``
(300 by default). The key carries the stations' and regions' change stamps, so a station opened
or closed, or a boundary changed, is seen on the next read; new reports or hot spots show once
the entry expires.
"""

from typing import Any

from django.conf import settings
from django.core.cache import cache

from nuanxin.core.stamps import stamp_read
from nuanxin.coverage.analysis import CoverageQuery, coverage_compute
from nuanxin.geo.models import Region

# The program's service circle: 15 minutes by e-bike, whatever the planner's default.
SERVICE_CIRCLE_MINUTES = 15
SERVICE_CIRCLE_MODE = "ride"
CACHE_PREFIX = "coverage:figures:v1"


def _cache_seconds() -> int:
    return settings.COVERAGE_FIGURES_CACHE_SECONDS


def _cache_key() -> str:
    # The topics of the stations' and the regions' in-memory indexes (stations.index, geo).
    stamps = f"{stamp_read('stations')}.{stamp_read('regions')}"
    return f"{CACHE_PREFIX}:{SERVICE_CIRCLE_MODE}:{SERVICE_CIRCLE_MINUTES}:{stamps}"


def _computed() -> dict[int | None, tuple[str, float, float]]:
    query = CoverageQuery.clean(mode=SERVICE_CIRCLE_MODE, threshold_minutes=SERVICE_CIRCLE_MINUTES)
    result = coverage_compute(query)
    covered = result.covered
    sums: dict[int | None, list[float]] = {}
    for i, region_id in enumerate(result.region_ids):
        weight = float(result.demand.weights[i])
        found = sums.setdefault(region_id, [0.0, 0.0])
        found[0] += weight
        if covered[i]:
            found[1] += weight
    paths = dict(Region.objects.filter(pk__in=[k for k in sums if k]).values_list("pk", "path"))
    return {
        region_id: (paths.get(region_id, "") if region_id else "", round(d, 1), round(c, 1))
        for region_id, (d, c) in sums.items()
    }


def circle_by_region() -> dict[int | None, tuple[str, float, float]]:
    """Per region id (None: outside every region): its path, its demand and the demand within
    the service circle; from the cache when fresh."""
    key = _cache_key()
    found = cache.get(key)
    if found is None:
        found = _computed()
        cache.set(key, found, _cache_seconds())
    return found


def figures_by_region(*, within: str = "") -> dict[Any, dict[str, float]]:
    """The service circle's figures per region id in the subtree at ``within`` ("" for all,
    with the demand outside every region under None): ``demand_15min`` and
    ``demand_covered_15min``, weighted as the coverage pages weigh them."""
    return {
        region_id: {"demand_15min": demand, "demand_covered_15min": covered}
        for region_id, (path, demand, covered) in circle_by_region().items()
        if path.startswith(within) and (region_id is not None or not within)
    }
