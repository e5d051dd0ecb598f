from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nuanxin.core.backup import BackupError, database_backup, table_counts


class Command(BaseCommand):
    help = (
        "把整个数据库备份到 FILE（SQLite 用在线备份接口，PostgreSQL 用 pg_dump），"
        "服务运行时也可备份。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            database_backup(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(table_counts().values())
        self.stdout.write(self.style.SUCCESS(f"backed up to {file} ({rows} rows at the time)"))
