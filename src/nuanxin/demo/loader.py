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
    "nuanxin.demo.coverage",
]

DEMO_PASSWORD = "nuanxin-demo-2024"


@dataclass
class DemoContext:
    out: TextIO
    seed: int = 2024
    credentials: list[tuple[str, str, str]] = field(default_factory=list)

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
    return ctx
