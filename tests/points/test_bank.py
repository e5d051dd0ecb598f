"""A bank workload in the style of Jepsen's: many clients move points at random against a real
database while others read snapshots, and the ledger must stay exact.

Each client thread runs random earns, transfers between workers, redemptions, holds, posts,
voids, reversals, retries of its own and others' earlier requests (same id, same content),
id reuse with other content, and now and then two threads sending the same new request at the
same moment. Snapshot reads check in one statement that the total over all accounts is 0 and no
account that may not go negative is. Afterwards: the ledger reconciles, every hold was resolved
at most once, every retried id returned its first outcome and was applied once, and no worker
was paid past the daily cap.
"""

import random
import threading
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.db import connection

from nuanxin.core.errors import ApplicationError
from nuanxin.core.timeutil import local_date
from nuanxin.points import services
from nuanxin.points.checks import ledger_check
from nuanxin.points.models import Entry, EntryKind, Hold
from tests.points.factories import city_admin, funded_city, worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

THREADS = 8
OPS_PER_THREAD = 1_300  # 10,400 operations in all
DAILY_CAP = 3_000
EXPECTED = {
    "points.insufficient_balance",
    "points.budget_exhausted",
    "points.hold_not_pending",
    "points.already_reversed",
    "points.not_reversible",
}


@dataclass
class World:
    workers: list
    accounts: list
    communities: list
    shop: object
    officer: object
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: list = field(default_factory=list)  # (transfer_id, call, outcome)
    holds: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    resolutions: Counter = field(default_factory=Counter)  # hold pk -> successful resolutions
    retried: set = field(default_factory=set)
    failures: list = field(default_factory=list)
    reads: int = 0
    ops: Counter = field(default_factory=Counter)


def _outcome(value) -> tuple:
    if hasattr(value, "granted"):
        return ("earn", value.granted, value.entry.pk if value.entry else None)
    return (type(value).__name__, value.pk)


def _snapshot_read(world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(posted), 0), "
            "SUM(CASE WHEN may_go_negative = %s AND posted - held < 0 THEN 1 ELSE 0 END) "
            "FROM points_account",
            [False],
        )
        total, negative = cursor.fetchone()
    if total != 0 or negative:
        world.failures.append(f"snapshot read: total {total}, negative accounts {negative}")
    with world.lock:
        world.reads += 1


def _request(world: World, rng: random.Random, n: str):
    """A new random request: (transfer_id, call) where call() performs it."""
    kind = rng.choices(
        ["earn", "transfer", "redeem", "hold", "post", "void", "reverse"],
        weights=[30, 15, 10, 15, 12, 8, 10],
    )[0]
    tid = f"{kind}-{n}"
    i, j = rng.sample(range(len(world.workers)), 2)
    if kind == "earn":
        community = world.communities[i % len(world.communities)]
        points = rng.randint(1, 40)
        return tid, lambda: services.earn(
            transfer_id=tid,
            worker=world.workers[i],
            community=community,
            source="report.accepted",
            points=points,
            reference=tid,
        )
    if kind in {"transfer", "redeem"}:
        credit = world.accounts[j] if kind == "transfer" else world.shop
        amount = rng.randint(1, 30)
        return tid, lambda: services.transfer(
            transfer_id=tid, debit=world.accounts[i], credit=credit, amount=amount, reason="bank.x"
        )
    if kind == "hold":
        amount = rng.randint(1, 30)
        return tid, lambda: services.hold(
            transfer_id=tid, debit=world.accounts[i], credit=world.shop, amount=amount, reason="b.h"
        )
    with world.lock:
        holds, entries = list(world.holds[-50:]), list(world.entries[-200:])
    if kind in {"post", "void"} and holds:
        target = rng.choice(holds)
        if kind == "post":
            amount = rng.choice([None, max(1, target.amount // 2)])
            return tid, lambda: services.post_hold(transfer_id=tid, hold=target, amount=amount)
        return tid, lambda: services.void_hold(transfer_id=tid, hold=target)
    if kind == "reverse" and entries:
        target = rng.choice(entries)
        return tid, lambda: services.reverse(
            transfer_id=tid, entry=target, actor=world.officer, reason="bank test"
        )
    return None, None


def _record(world: World, tid: str, call, result) -> None:
    with world.lock:
        world.done.append((tid, call, _outcome(result)))
        if isinstance(result, Hold):
            if tid.startswith("hold-"):
                world.holds.append(result)
            else:
                world.resolutions[result.pk] += 1
        elif isinstance(result, Entry):
            world.entries.append(result)
            if result.hold_id:
                world.resolutions[result.hold_id] += 1
        elif getattr(result, "entry", None) is not None:
            world.entries.append(result.entry)


def _run(world: World, tid: str, call, *, expect_replay: tuple | None = None) -> None:
    try:
        result = call()
    except ApplicationError as error:
        if error.code not in EXPECTED:
            world.failures.append(f"{tid}: unexpected {error.code}")
        return
    except Exception as error:  # any other error is a finding
        world.failures.append(f"{tid}: {type(error).__name__}: {error}")
        return
    if expect_replay is not None:
        if _outcome(result) != expect_replay:
            world.failures.append(f"{tid}: retry gave {_outcome(result)}, first {expect_replay}")
        return
    _record(world, tid, call, result)


def _racing_pair(world: World, tid: str, call) -> None:
    """Two threads send the same new request at the same moment: at most one outcome."""
    outcomes: list = []
    results: list = []
    barrier = threading.Barrier(2)

    def send() -> None:
        try:
            barrier.wait()
            result = call()
            outcomes.append(("ok", _outcome(result)))
            results.append(result)
        except ApplicationError as error:
            outcomes.append(("error", error.code))
        finally:
            connection.close()

    pair = [threading.Thread(target=send) for _ in range(2)]
    for thread in pair:
        thread.start()
    for thread in pair:
        thread.join()
    oks = {outcome for status, outcome in outcomes if status == "ok"}
    errors = {outcome for status, outcome in outcomes if status == "error"}
    # An error stores nothing, so "one failed, then the other succeeded" is a valid history
    # (the balance moved in between); two different successes are not.
    if len(oks) > 1 or not errors <= EXPECTED:
        world.failures.append(f"{tid}: racing pair disagreed: {outcomes}")
    if results:
        _record(world, tid, call, results[0])
    with world.lock:
        world.retried.add(tid)


def _client(world: World, seed: int) -> None:
    rng = random.Random(seed)
    try:
        for n in range(OPS_PER_THREAD):
            roll = rng.random()
            if roll < 0.08:
                _snapshot_read(world)
                world.ops["read"] += 1
                continue
            if roll < 0.18 and world.done:
                with world.lock:
                    tid, call, first = rng.choice(world.done)
                    world.retried.add(tid)
                _run(world, tid, call, expect_replay=first)
                world.ops["retry"] += 1
                continue
            if roll < 0.21 and world.done:
                with world.lock:
                    tid, _call, _first = rng.choice(world.done)
                _other_tid, other = _request(world, rng, f"{seed}-{n}")
                if other is not None:
                    try:
                        _run_reuse(world, tid, other, rng, seed, n)
                    finally:
                        world.ops["reuse"] += 1
                continue
            tid, call = _request(world, rng, f"{seed}-{n}")
            if call is None:
                continue
            if roll < 0.23:
                _racing_pair(world, tid, call)
                world.ops["race"] += 1
                continue
            _run(world, tid, call)
            world.ops["new"] += 1
    finally:
        connection.close()


def _run_reuse(world: World, used_tid: str, _other, rng: random.Random, seed: int, n: int) -> None:
    """Send an earlier id with other content: it must be refused and change nothing."""
    i = rng.randrange(len(world.workers))
    try:
        services.transfer(
            transfer_id=used_tid,
            debit=world.accounts[i],
            credit=world.shop,
            amount=10_000_000 + n,
            reason="bank.reuse",
        )
        world.failures.append(f"{used_tid}: reuse with other content was accepted")
    except ApplicationError as error:
        if error.code != "points.transfer_id_reused":
            world.failures.append(f"{used_tid}: reuse gave {error.code}")


def test_bank_workload_keeps_the_ledger_exact(tree):
    admin = city_admin(tree)
    services.policy_update(actor=admin, daily_cap=DAILY_CAP, monthly_cap=None)
    fund = funded_city(tree, 2_000_000, admin)
    communities = [tree["A1a"], tree["B2b"]]
    for community in communities:
        services.budget_allocate(
            transfer_id=f"bank-alloc-{community.code}",
            fund=fund,
            community=community,
            amount=40_000,
            actor=admin,
        )
    workers = [worker(tree, "A1a" if k % 2 else "B2b") for k in range(10)]
    world = World(
        workers=workers,
        accounts=[services.worker_account(w) for w in workers],
        communities=communities,
        shop=services.shop_sink(),
        officer=admin,
    )
    connection.close()

    threads = [threading.Thread(target=_client, args=(world, seed)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert world.failures == []
    assert sum(world.ops.values()) >= 10_000
    assert world.reads > 0 and world.retried
    report = ledger_check()
    assert report.problems == []
    assert all(count == 1 for count in world.resolutions.values())
    resolved = Hold.objects.exclude(status="pending").count()
    assert resolved == len(world.resolutions)
    for tid in world.retried:
        assert Entry.objects.filter(transfer_id=tid).count() <= 1
    assert Entry.objects.count() > 2_000
    earned: Counter = Counter()
    for credit, at, amount in Entry.objects.filter(kind=EntryKind.EARN).values_list(
        "credit", "created_at", "amount"
    ):
        earned[credit, local_date(at)] += amount
    assert max(earned.values()) <= DAILY_CAP
