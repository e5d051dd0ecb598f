"""``nuanxin store check | expire``: reconciliation and the expiry of unclaimed orders."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nuanxin.store.checks import store_check
from nuanxin.store.services import orders_expire


class Command(BaseCommand):
    help = "积分兑换超市：核对库存与订单（check）、使过期未取的订单失效（expire）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("check", help="从库存变动重算库存，并核对订单与积分冻结；不一致时非零退出。")
        sub.add_parser("expire", help="取消已过取货截止时间的订单，退回积分、释放库存。")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "expire":
            self.stdout.write(f"expired {orders_expire()} orders")
            return
        report = store_check()
        self.stdout.write(f"stocks {report.stocks}, orders {report.orders}")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("store clean"))
            return
        for problem in report.problems:
            self.stderr.write(problem)
        raise CommandError(f"store mismatch: {len(report.problems)} problems")
