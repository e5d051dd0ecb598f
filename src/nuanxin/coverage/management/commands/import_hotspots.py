"""``nuanxin import-hotspots FILE.xlsx|FILE.csv``: replace the demand hot spots.

Columns (first row): 名称, 经度, 纬度, 权重 (or 人数 / 订单数), optional 坐标系 (wgs84, gcj02,
bd09). Any bad row refuses the whole sheet and nothing changes.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nuanxin.core.errors import ApplicationError
from nuanxin.coverage.services import hotspots_import


class Command(BaseCommand):
    help = "导入需求热点（订单热点、人口网格等），替换原有热点。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            count = hotspots_import(data=path.read_bytes(), filename=path.name)
        except ApplicationError as error:
            rows = error.extra.get("rows", [])
            detail = "；".join(f"第 {r['row']} 行：{r['problem']}" for r in rows[:20])
            raise CommandError(f"{error.code}: {error.message} {detail}".strip()) from error
        self.stdout.write(self.style.SUCCESS(f"已导入 {count} 个热点。"))
