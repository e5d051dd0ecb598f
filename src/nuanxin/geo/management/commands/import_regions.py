import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nuanxin.geo.services import regions_import_geojson


class Command(BaseCommand):
    help = "导入行政区域边界（GeoJSON FeatureCollection，属性 code, name, level, parent_code）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--partial", action="store_true", help="跳过有错误的要素，导入其余")

    def handle(self, *args: Any, file: Path, dry_run: bool, partial: bool, **options: Any) -> None:
        try:
            data = json.loads(file.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"无法读取 {file}：{exc}") from exc
        report = regions_import_geojson(data=data, dry_run=dry_run, partial=partial)
        for error in report.errors:
            label = error.code or "无代码"
            self.stderr.write(
                f"第 {error.index} 个要素 [{label}] {error.error_code}：{error.message}"
            )
        verb = "将" if dry_run else ""
        self.stdout.write(
            f"{verb}新增 {report.created} 个区域，{verb}更新 {report.updated} 个区域。"
        )
        if report.errors:
            kept = "已导入其余要素" if partial and not dry_run else "未写入任何数据"
            raise CommandError(f"{len(report.errors)} 个要素有错误，{kept}。")
