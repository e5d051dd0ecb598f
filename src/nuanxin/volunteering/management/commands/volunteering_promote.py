from typing import Any

from django.core.management.base import BaseCommand

from nuanxin.volunteering.services import sessions_promote_due


class Command(BaseCommand):
    help = "为有人候补的场次按顺序递补（党员优先期满、有人退出后）；可由定时任务每几分钟运行一次。"

    def handle(self, *args: Any, **options: Any) -> None:
        seated = sessions_promote_due()
        self.stdout.write(f"递补 {seated} 人。")
