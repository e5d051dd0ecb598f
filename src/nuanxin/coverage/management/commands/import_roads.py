"""``nuanxin import-roads FILE.osm.pbf``: the city's road network from an OpenStreetMap extract.

    nuanxin import-roads guangdong-latest.osm.pbf [--actor 13800000001]

Builds the e-bike and walking graphs (speeds per road type from ``COVERAGE_SPEEDS_KMH``),
prints progress and what was left out, and replaces the network the coverage pages use.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nuanxin.accounts.models import User
from nuanxin.core.errors import ApplicationError
from nuanxin.coverage.services import roads_import


class Command(BaseCommand):
    help = "导入路网（OpenStreetMap .osm.pbf），用于计算 15 分钟服务圈。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--actor", help="记录为该手机号的工作人员导入")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["actor"]:
            actor = User.objects.filter(phone=options["actor"]).first()
            if actor is None:
                raise CommandError(f"没有手机号为 {options['actor']} 的用户")

        def progress(text: str) -> None:
            self.stdout.write(text)
            self.stdout.flush()

        try:
            record, summary = roads_import(path=options["path"], actor=actor, progress=progress)
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"路网已导入（第 {record.pk} 次导入）。"))
