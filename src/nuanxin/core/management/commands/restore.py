from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nuanxin.core.backup import BackupError, database_restore, table_counts


class Command(BaseCommand):
    help = (
        "用 FILE（nuanxin backup 写出的备份）替换整个数据库。请先停止服务和定时任务；"
        "恢复后运行 points check、store check、audit check 核对。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            database_restore(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(table_counts().values())
        self.stdout.write(self.style.SUCCESS(f"restored from {file} ({rows} rows)"))
