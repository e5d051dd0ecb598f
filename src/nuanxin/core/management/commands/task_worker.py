import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from nuanxin.core.scheduler import watch_parent


class Command(BaseCommand):
    help = (
        "运行后台任务（选址计算等）：从数据库队列中领取并执行；可在多台主机上各运行一个。"
        "--batch 执行完排队的任务后退出。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="队列为空时每隔几秒查看")
        parser.add_argument("--batch", action="store_true", help="执行完排队的任务后退出")
        parser.add_argument(
            "--exit-with-parent",
            action="store_true",
            help="父进程退出时一同退出（由 serve 启动时使用）",
        )

    def handle(
        self, *args: Any, interval: float, batch: bool, exit_with_parent: bool, **options: Any
    ) -> None:
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        if exit_with_parent:
            stop = threading.Event()
            watch_parent(stop)

            def stop_worker() -> None:
                stop.wait()
                # Ends the loop after the task in hand (the next poll sees it).
                worker.running = False

            threading.Thread(target=stop_worker, name="nuanxin-tasks-parent", daemon=True).start()
        worker.run()
