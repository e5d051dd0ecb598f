"""``nuanxin bench [--quick] [words...]``: runs benchmarks/run.py from the source checkout."""

import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

import nuanxin


def run_script() -> Path:
    """benchmarks/run.py of the checkout: the current folder's, else the one beside src/."""
    for root in (Path.cwd(), Path(nuanxin.__file__).resolve().parents[2]):
        script = root / "benchmarks" / "run.py"
        if script.is_file():
            return script
    raise CommandError("找不到 benchmarks/run.py：请在源码目录中运行。")


class Command(BaseCommand):
    help = "运行 benchmarks/ 中的全部性能测试（或名称含所给词的），结果写入 benchmarks/results/。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("words", nargs="*", help="只运行名称含这些词的测试")
        parser.add_argument("--quick", action="store_true", help="小规模冒烟运行，不看时间")

    def handle(self, *args: Any, words: list[str], quick: bool, **options: Any) -> None:
        script = run_script()
        command = [sys.executable, str(script), *(["--quick"] if quick else []), *words]
        done = subprocess.run(command, cwd=script.parents[1], check=False)  # noqa: S603 - our own script
        if done.returncode:
            raise CommandError(f"benchmarks failed (exit status {done.returncode})")
