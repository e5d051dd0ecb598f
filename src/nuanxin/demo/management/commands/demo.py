from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from nuanxin.demo.loader import load_demo
from nuanxin.demo.server import serve


class Command(BaseCommand):
    help = (
        "建立湛江演示城市（迁移数据库、载入演示数据），并用生产服务器在 127.0.0.1:8000 提供服务。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="只载入数据，不启动服务")

    def handle(self, *args: Any, host: str, port: int, no_serve: bool, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        ctx = load_demo(self.stdout)
        for role, name, phone in ctx.credentials:
            secret = ctx.totp_secrets.get(phone)
            key = f"  两步验证密钥 {secret}" if secret else ""
            self.stdout.write(f"  {role:<12} {name:<10} {phone}{key}")
        if no_serve:
            return
        self.stdout.write(f"\n暖新演示已就绪：http://{host}:{port}/  （Ctrl+C 停止）\n")
        serve(host=host, port=port, demo=True)
