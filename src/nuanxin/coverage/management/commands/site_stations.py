"""``nuanxin site-stations``: where the next stations should go (same options as ``coverage``).

nuanxin site-stations --p 5 [--candidates grid|hotspots|uncovered] [--solver exact|greedy]
                      [--time-limit 60] [--target 95] [coverage options]
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nuanxin.core.errors import ApplicationError
from nuanxin.coverage.analysis import coverage_compute
from nuanxin.coverage.management.commands._options import add_coverage_options, query_from
from nuanxin.coverage.planning import SitingPlan, sites_maximise, sites_minimum
from nuanxin.coverage.presenters import coverage_features, coverage_workbook, plan_features


def print_plan(out: Any, plan: SitingPlan, title: str) -> None:
    s = plan.summary()
    proof = "已证明最优" if s["optimal"] else f"最优性差距 ≤ {s['gap']:.4f}"
    out.write(
        f"{title}：新建 {s['new_stations']} 个（候选 {s['candidates']} 处，{s['solver']}，"
        f"{proof}），覆盖率 {s['percent_before']}% → {s['percent_after']}%"
    )
    out.write("序号\t经度,纬度\t街道\t新增覆盖\t新增百分点")
    for site in plan.sites():
        out.write(
            f"{site['rank']}\t{site['lon']:.5f},{site['lat']:.5f}\t{site['street'] or '—'}\t"
            f"{site['gain']}\t{site['gain_points']}"
        )


class Command(BaseCommand):
    help = "新建驿站选址：最大覆盖（MCLP），或达到目标覆盖率的最少站数（LSCP）。"

    def add_arguments(self, parser: CommandParser) -> None:
        add_coverage_options(parser)
        parser.add_argument("--p", type=int, default=3, help="新建驿站数")
        parser.add_argument(
            "--candidates", default="grid", choices=["grid", "hotspots", "uncovered"]
        )
        parser.add_argument("--solver", default="exact", choices=["exact", "greedy"])
        parser.add_argument("--time-limit", type=float, default=60.0, help="求解时限（秒）")
        parser.add_argument("--target", type=float, help="目标覆盖率（%%）：另算最少新建数")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            coverage = coverage_compute(query_from(options))
            plan = sites_maximise(
                coverage, p=options["p"], candidates=options["candidates"],
                solver=options["solver"], time_limit=options["time_limit"],
            )  # fmt: skip
            print_plan(self.stdout, plan, "最大覆盖选址")
            if options["target"] is not None:
                minimum = sites_minimum(
                    coverage, target_percent=options["target"],
                    candidates=options["candidates"], time_limit=options["time_limit"],
                )  # fmt: skip
                print_plan(self.stdout, minimum, f"达到 {options['target']}% 的最少新建数")
        except (ApplicationError, ValueError) as error:
            raise CommandError(getattr(error, "message", str(error))) from error
        if options["xlsx"]:
            Path(options["xlsx"]).write_bytes(coverage_workbook(coverage, plan))
        if options["geojson"]:
            data = coverage_features(coverage, "wgs84")
            data["features"] += plan_features(plan, "wgs84")["features"]
            Path(options["geojson"]).write_text(
                json.dumps(data, ensure_ascii=False), encoding="utf-8"
            )
