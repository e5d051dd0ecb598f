from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from nuanxin.core.crypto import keyring
from nuanxin.core.rotation import pii_reseal


class Command(BaseCommand):
    help = (
        "用当前密钥（PII_KEYS 的第一个）和算法（PII_CIPHER）重新加密所有加密存储的个人信息，"
        "并按当前 PII_HASH_KEY 重算检索值；分批提交，中断后再次运行即从未完成处继续。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="每批行数（默认 500）")

    def handle(self, *args: Any, batch: int, **options: Any) -> None:
        ring = keyring()
        self.stdout.write(f"当前密钥 {ring.current}，算法 {ring.cipher}")
        for count in pii_reseal(batch=max(1, batch)):
            self.stdout.write(f"{count.label}: 共 {count.rows} 行，重新加密 {count.resealed} 行")
