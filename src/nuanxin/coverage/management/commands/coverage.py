"""``nuanxin coverage``: the 15-minute service circle of the whole city, as tables.

nuanxin coverage [--mode ride|walk] [--minutes 15] [--amenity toilet] [--at 2025-06-01T20:00]
                 [--sources hotspots:1,reports:1,grid:1] [--xlsx out.xlsx] [--geojson out.geojson]
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nuanxin.core.errors import ApplicationError
from nuanxin.coverage.analysis import CoverageResult, coverage_compute
from nuanxin.coverage.management.commands._options import add_coverage_options, query_from
from nuanxin.coverage.presenters import coverage_features, coverage_workbook, table_rows


def print_coverage(out: Any, result: CoverageResult) -> None:
    s = result.summary()
    method = {
        "network": "路网最短路径",
        "straight_line": "直线距离 × 绕行系数（未导入路网）",
        "mixed": "路网，远离路网的点按直线估算",
    }[s["method"]]
    out.write(
        f"覆盖率 {s['percent']}%：{s['threshold_minutes']} 分钟内可达 "
        f"{s['covered']} / {s['demand']}（{s['points']} 个需求点，{s['stations']} 个驿站）"
    )
    out.write(
        f"计算方法：{method}"
        + ("；路网为演示用生成路网" if (s["network"] or {}).get("generated") else "")
    )
    for level, title in (("county", "县（市、区）"), ("street", "街道（镇）")):
        out.write(f"\n{title}\t需求\t已覆盖\t覆盖率")
        for row in table_rows(result, level):
            out.write(f"{row['name']}\t{row['demand']}\t{row['covered']}\t{row['percent']}%")
    out.write("\n未覆盖热点（前 10）")
    for spot in result.uncovered(10):
        minutes = "—" if spot["minutes"] is None else spot["minutes"]
        out.write(
            f"{spot['label'] or spot['source']}\t{spot['lon']:.5f},{spot['lat']:.5f}\t"
            f"权重 {spot['weight']}\t{minutes} 分钟\t{spot['street']}"
        )


class Command(BaseCommand):
    help = "计算 15 分钟服务圈覆盖率，按县区、街道列表，可导出 Excel / GeoJSON。"

    def add_arguments(self, parser: CommandParser) -> None:
        add_coverage_options(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = coverage_compute(query_from(options))
        except (ApplicationError, ValueError) as error:
            raise CommandError(getattr(error, "message", str(error))) from error
        print_coverage(self.stdout, result)
        if options["xlsx"]:
            Path(options["xlsx"]).write_bytes(coverage_workbook(result))
        if options["geojson"]:
            Path(options["geojson"]).write_text(
                json.dumps(coverage_features(result, "wgs84"), ensure_ascii=False), encoding="utf-8"
            )
