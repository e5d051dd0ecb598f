"""``nuanxin audit check | seal``: the audit log's hash chain."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nuanxin.core.audit_chain import audit_check, audit_seal


class Command(BaseCommand):
    help = "操作日志：封存（seal）到摘要链，核对（check）摘要链；不一致时以非零状态退出。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("check", help="重算摘要链，找出被改动、删除或插入的操作日志。")
        sub.add_parser("seal", help="把足够旧的操作日志封存进摘要链（定时任务也会做）。")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            self.stdout.write(f"sealed {audit_seal()} audit rows")
            return
        report = audit_check()
        self.stdout.write(
            f"sealed {report.sealed}, not yet sealed {report.unsealed}, head {report.head}"
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS("audit log intact"))
            return
        for problem in report.problems:
            self.stderr.write(problem)
        raise CommandError(f"audit log altered: {len(report.problems)} problems")
