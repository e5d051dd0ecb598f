"""``nuanxin points check | expire-holds | expire``: reconciliation and the ledger's sweeps."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nuanxin.core.timeutil import local_date
from nuanxin.points.checks import ledger_check
from nuanxin.points.services import expire_holds, expire_points


class Command(BaseCommand):
    help = "积分账本：核对（check）、释放过期冻结（expire-holds）、积分过期（expire）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("check", help="从流水重算全部余额并核对借贷平衡；不一致时以非零状态退出。")
        sub.add_parser("expire-holds", help="释放已到期的积分冻结。")
        expire = sub.add_parser("expire", help="按积分规则使到期积分过期（先到先过期）。")
        expire.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "check":
            self._check()
        elif action == "expire-holds":
            self.stdout.write(f"released {expire_holds()} expired holds")
        elif action == "expire":
            today = options["today"] or local_date()
            self.stdout.write(f"expired {expire_points(today=today)} points on {today}")

    def _check(self) -> None:
        report = ledger_check()
        self.stdout.write(
            f"accounts {report.accounts}, entries {report.entries}, holds {report.holds}, "
            f"debits {report.total_debits}, credits {report.total_credits}"
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS("ledger clean"))
            return
        for problem in report.problems:
            self.stderr.write(problem)
        names = ", ".join(report.mismatched_accounts) or "-"
        raise CommandError(f"ledger mismatch: {len(report.problems)} problems; accounts: {names}")
