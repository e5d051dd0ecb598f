"""Print a new VAPID key pair for Web Push, as the environment variables to set."""

from typing import Any

from django.core.management.base import BaseCommand

from nuanxin.core.delivery.webpush import vapid_keys_generate


class Command(BaseCommand):
    help = "生成 Web Push 用的 VAPID 密钥对（私钥放入环境变量 VAPID_PRIVATE_KEY）。"

    def handle(self, *args: Any, **options: Any) -> None:
        private, public = vapid_keys_generate()
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}\n")
        self.stdout.write(f"# 公钥（浏览器订阅用，服务器由私钥算出，无需设置）：{public}\n")
