"""Loads the Zhanjiang demo city, one part after another, each part idempotent.

Every part is a module with ``load(ctx: DemoContext) -> None``; parts that are not installed
are skipped. Running the loader twice changes nothing the second time.
"""

import importlib
import importlib.util
import random
from dataclasses import dataclass, field
from typing import TextIO

from django.db import transaction

PARTS = [
    "nuanxin.demo.regions",
    "nuanxin.demo.people",
    "nuanxin.demo.registry",
    "nuanxin.demo.points",
    "nuanxin.demo.stations",
    "nuanxin.demo.reports",
    "nuanxin.demo.open311",
    "nuanxin.demo.store",
    "nuanxin.demo.volunteering",
    "nuanxin.demo.party",
    "nuanxin.demo.industry",
    "nuanxin.demo.coverage",
]

DEMO_PASSWORD = "nuanxin-demo-2024"


@dataclass
class DemoContext:
    out: TextIO
    seed: int = 2024
    # The demo accounts with a password (role, name, phone), printed at the end; how many of
    # them this run created.
    credentials: list[tuple[str, str, str]] = field(default_factory=list)
    accounts_created: int = 0

    def account(self, role: str, name: str, phone: str, *, created: bool) -> None:
        self.credentials.append((role, name, phone))
        self.accounts_created += int(created)

    def rng(self, part: str) -> random.Random:
        """A generator of its own for each part, so parts stay stable when others change."""
        return random.Random(f"{self.seed}:{part}")

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


def load_demo(out: TextIO, seed: int = 2024) -> DemoContext:
    ctx = DemoContext(out=out, seed=seed)
    for name in PARTS:
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        with transaction.atomic():
            module.load(ctx)
    # The line above the list of accounts (the command prints the list): it counts that list.
    ctx.say(
        f"\n演示账号 {len(ctx.credentials)} 个（本次新增 {ctx.accounts_created} 个；"
        f"密码均为 {DEMO_PASSWORD}；也可用短信验证码登录，验证码打印在本终端）："
    )
    return ctx
