"""The options ``nuanxin coverage`` and ``nuanxin site-stations`` share."""

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from nuanxin.coverage.analysis import CoverageQuery
from nuanxin.coverage.presenters import parse_sources


def add_coverage_options(parser: CommandParser) -> None:
    parser.add_argument("--mode", default="ride", choices=["ride", "walk"])
    parser.add_argument("--minutes", type=int, default=None, help="时间阈值（分钟），默认 15")
    parser.add_argument("--amenity", action="append", default=[], help="须具备的设施代码")
    parser.add_argument("--at", help="只计此时开放的驿站，如 2025-06-01T20:00（本地时间）")
    parser.add_argument(
        "--sources",
        default="hotspots:1,reports:1,grid:1",
        help="需求来源及权重，如 hotspots:1,grid:0.5",
    )
    parser.add_argument("--xlsx", help="写出 Excel 文件")
    parser.add_argument("--geojson", help="写出 GeoJSON 文件")


def query_from(options: dict[str, Any]) -> CoverageQuery:
    at = None
    if options["at"]:
        at = dt.datetime.fromisoformat(options["at"])
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
    return CoverageQuery.clean(
        mode=options["mode"],
        at=at,
        amenities=options["amenity"],
        threshold_minutes=options["minutes"],
        sources=parse_sources(options["sources"]),
    )
