import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from nuanxin.demo.server import require_migrated, serve


class Command(BaseCommand):
    help = "用生产服务器（granian）运行暖新（数据库须已迁移：uv run nuanxin migrate）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("NUANXIN_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("NUANXIN_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=None)

    def handle(self, *args: Any, host: str, port: int, workers: int | None, **options: Any) -> None:
        require_migrated()
        serve(host=host, port=port, workers=workers)
