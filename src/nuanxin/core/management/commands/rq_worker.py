from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

RQ_BACKEND = "django_tasks_rq.RQBackend"


class Command(BaseCommand):
    help = (
        "运行后台任务（TASKS_BACKEND=rq 时）：从 Redis 队列中领取并执行（RQ）；"
        "可在多台主机上各运行一个。--burst 执行完排队的任务后退出。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--burst", action="store_true", help="执行完排队的任务后退出")
        parser.add_argument(
            "--worker-class",
            default="rq.Worker",
            help="RQ 的工作进程类（默认每个任务在子进程中执行；rq.SimpleWorker 在本进程中执行）",
        )

    def handle(self, *args: Any, burst: bool, worker_class: str, **options: Any) -> None:
        if settings.TASKS["default"]["BACKEND"] != RQ_BACKEND:
            raise CommandError(
                "后台任务在数据库中排队（TASKS_BACKEND 不是 rq），请运行 nuanxin task-worker。"
            )
        # The worker half of django-tasks-rq: its Job class runs a job as the task it names.
        from django_rq.management.commands.rqworker import Command as RQWorker

        call_command(
            RQWorker(), *settings.TASKS["default"]["QUEUES"], burst=burst,
            job_class="django_tasks_rq.Job", worker_class=worker_class, with_scheduler=True,
            verbosity=options.get("verbosity", 1), stdout=self.stdout, stderr=self.stderr,
        )  # fmt: skip
