"""``nuanxin scale-data``: the demo city scaled up to a large city (see nuanxin.demo.scale)."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from nuanxin.demo import scale as scale_data
from nuanxin.demo.loader import load_demo
from nuanxin.geo.models import Region


class Command(BaseCommand):
    help = "在演示城市之上生成大城市规模的数据（20 万劳动者、100 万条随手拍、100 万条积分流水……）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="规模系数：1 为全量，0.001 为千分之一"
        )
        parser.add_argument("--seed", type=int, default=19)
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: Any, scale: float, seed: int, no_progress: bool, **opts: Any) -> None:
        if not 0 < scale <= 10:
            raise CommandError("--scale 须在 0 到 10 之间。")
        call_command("migrate", interactive=False, verbosity=0)
        if not Region.objects.exists():
            load_demo(self.stdout)
        if scale_data.already_built():
            raise CommandError("规模数据已经生成过（再生成一次请换一个新数据库）。")
        sizes = scale_data.Sizes.scaled(scale)
        bar = tqdm(
            total=round(sizes.workers * 4 + sizes.stations * 10 + sizes.reports + sizes.entries
                        + sizes.orders * 3 + sizes.attendances * 4),
            unit="行", disable=no_progress, file=self.stderr._out, mininterval=1,
        )  # fmt: skip

        def progress(label: str, _total: int):
            def advance(rows: int) -> None:
                bar.set_postfix_str(str(label), refresh=False)
                bar.update(rows)

            return advance

        counts = scale_data.build(scale, seed=seed, progress=progress)
        bar.close()
        for label, n in sorted(counts.items()):
            self.stdout.write(f"  {label:<32}{n:>10,}")
        self.stdout.write("规模数据已生成。核对：nuanxin points check；nuanxin store check")
