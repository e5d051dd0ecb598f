"""``nuanxin stations <action>``: visit retention, Excel import/export, the amenity list.

    nuanxin stations purge-visits [--before 2025-01-01] [--dry-run]
    nuanxin stations import stations.xlsx [--actor 13800000001] [--dry-run]
    nuanxin stations export stations.xlsx
    nuanxin stations init-amenities

The jobs loop that ``nuanxin serve`` starts already runs the purge (job
``stations.purge_visits``); ``purge-visits`` does it by hand: visits older than
``STATION_VISIT_RETENTION_DAYS`` become counts per station, day and occupation.
"""

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nuanxin.accounts.models import User
from nuanxin.stations.excel import export_workbook
from nuanxin.stations.models import Station
from nuanxin.stations.services import (
    amenity_defaults_ensure,
    stations_import_xlsx,
    visits_purge,
)
from nuanxin.stations.services.visits import retention_days


class Command(BaseCommand):
    help = "服务驿站：清理过期签到记录、Excel 导入导出、初始化服务设施清单。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        purge = actions.add_parser("purge-visits", help="汇总并删除超过保存期限的签到记录")
        purge.add_argument("--before", type=dt.date.fromisoformat, help="删除此日期之前的记录")
        purge.add_argument("--dry-run", action="store_true")
        load = actions.add_parser("import", help="从 .xlsx 导入驿站")
        load.add_argument("path", type=Path)
        load.add_argument("--actor", help="以该手机号的工作人员身份导入（受其管辖范围限制）")
        load.add_argument("--dry-run", action="store_true")
        dump = actions.add_parser("export", help="把全部驿站导出为 .xlsx")
        dump.add_argument("path", type=Path)
        actions.add_parser("init-amenities", help="补齐默认的服务设施清单")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, "_" + action.replace("-", "_"))(**options)

    def _purge_visits(self, before: dt.date | None, dry_run: bool, **_: Any) -> None:
        report = visits_purge(before=before, dry_run=dry_run)
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(
            f"{report.before} 之前（保存期限 {retention_days()} 天）的签到记录：{verb} "
            f"{report.visits_deleted} 条，汇总为 {report.aggregate_rows} 行统计。"
        )

    def _import(self, path: Path, actor: str | None, dry_run: bool, **_: Any) -> None:
        user = None
        if actor:
            user = User.objects.filter(phone=actor).first()
            if user is None:
                raise CommandError(f"没有手机号为 {actor} 的用户")
        report = stations_import_xlsx(data=path.read_bytes(), actor=user, dry_run=dry_run)
        for error in report.errors:
            self.stderr.write(f"第 {error.row} 行 [{error.code}] {error.message}")
        if not report.ok:
            raise CommandError(f"{len(report.errors)} 行有错误，未导入任何数据")
        prefix = "检查通过（未写入）：" if dry_run else ""
        self.stdout.write(f"{prefix}新建 {report.created} 个，更新 {report.updated} 个驿站。")

    def _export(self, path: Path, **_: Any) -> None:
        stations = (
            Station.objects.select_related("region")
            .prefetch_related("amenities", "weekly_spans", "keepers")
            .order_by("code")
        )
        path.write_bytes(export_workbook(stations))
        self.stdout.write(f"已导出 {stations.count()} 个驿站到 {path}")

    def _init_amenities(self, **_: Any) -> None:
        self.stdout.write(f"新增 {amenity_defaults_ensure()} 项服务设施。")
