from typing import Any

from django.core.management.base import BaseCommand

from nuanxin.volunteering.services import sessions_promote_due


class Command(BaseCommand):
    help = (
        "为有人候补的场次按顺序递补（党员优先期满、有人退出后）；"
        "定时任务 volunteering.promote 已每 5 分钟运行，此命令供手动运行。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        seated = sessions_promote_due()
        self.stdout.write(f"递补 {seated} 人。")
