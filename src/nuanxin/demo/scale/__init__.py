"""The demo city scaled up to a large city: ``nuanxin scale-data [--scale F]``.

At scale 1: 200,000 workers (accounts, registry records, points accounts), 10,000 stations with
opening hours and amenities, 1,000,000 reports over three years, 100,000 shop orders, 50,000
volunteer attendances and up to 1,000,000 ledger entries (check-ins fill the ledger to that share,
less the postings of orders not picked up; at a small scale the earnings and the pools'
allocations alone may pass it, and then there are no check-ins), on top of the demo city (which
is loaded first when missing). The dashboard and load benchmarks read it.

Everything written agrees with itself the way the services would have left it: every point a
worker holds came out of a community pool funded by its county from the city fund; every
accepted report, verified attendance and check-in has its earning entry; every order has its
hold (pending, posted with its posting entry, voided or expired) and its stock movements; the
accounts' balances and holds are the sums of those rows, so ``nuanxin points check`` and
``nuanxin store check`` pass. The rows are generated, not acted out: no audit rows and no
report history are written for them (the audit chain is untouched), and the ledger's
idempotency keys are not kept for them (a repeated transfer id is still refused by the
entries' unique index). Only INSERTs are issued, in one transaction.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from nuanxin.demo.scale import activity, people
from nuanxin.demo.scale.bulk import Table, analyze, reset_sequences

BASE = {
    "workers": 200_000,
    "stations": 10_000,
    "reports": 1_000_000,
    "entries": 1_000_000,
    "orders": 100_000,
    "attendances": 50_000,
}
MARKER_PHONE = "17000000001"


@dataclass
class Sizes:
    workers: int
    stations: int
    reports: int
    entries: int
    orders: int
    attendances: int

    @classmethod
    def scaled(cls, factor: float) -> "Sizes":
        return cls(**{name: max(1, round(n * factor)) for name, n in BASE.items()})


@dataclass
class ScaleContext:
    sizes: Sizes
    rng: random.Random
    now: dt.datetime
    progress: Callable[[str, int], Callable[[int], None]]
    tables: dict = field(default_factory=dict)

    def table(self, model: type) -> Table:
        """The one writer of ``model``'s rows in this run (ids are handed out by it)."""
        if model not in self.tables:
            self.tables[model] = Table(model, self.progress(model._meta.verbose_name, 0))
        return self.tables[model]


def already_built() -> bool:
    from nuanxin.accounts.models import User

    return User.objects.filter(phone=MARKER_PHONE).exists()


def build(
    factor: float, *, seed: int = 19, progress: Callable[[str, int], Callable[[int], None]]
) -> dict[str, int]:
    """Write the scaled rows in one transaction; answers how many rows each table got."""
    ctx = ScaleContext(
        sizes=Sizes.scaled(factor),
        rng=random.Random(seed),
        now=timezone.now().replace(microsecond=0),
        progress=progress,
    )
    with transaction.atomic():
        city = people.load(ctx)
        activity.load(ctx, city)
        for table in ctx.tables.values():
            table.flush()
        models = sorted(ctx.tables, key=lambda m: m._meta.label)
        reset_sequences(models)
    analyze()
    return {model._meta.label: table.written for model, table in ctx.tables.items()}
