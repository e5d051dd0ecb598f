import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from nuanxin.core.scheduler import all_jobs, jobs_loop, jobs_run_due, watch_parent


class Command(BaseCommand):
    help = "运行到期的定时任务（过期冻结、访问记录归档等）；--loop 持续运行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="每隔 --tick 秒运行一次，直到停止")
        parser.add_argument("--tick", type=float, default=60)
        parser.add_argument(
            "--exit-with-parent",
            action="store_true",
            help="父进程退出时一同退出（由 serve 启动时使用）",
        )

    def handle(
        self, *args: Any, loop: bool, tick: float, exit_with_parent: bool, **options: Any
    ) -> None:
        if loop:
            stop = threading.Event()
            if exit_with_parent:
                watch_parent(stop)
            jobs_loop(all_jobs(), tick_seconds=tick, stop=stop)
            return
        ran = jobs_run_due(all_jobs())
        for name, result in ran.items():
            self.stdout.write(f"{name}: {result}")
        if not ran:
            self.stdout.write("没有到期的任务。")
