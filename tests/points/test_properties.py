"""Property tests: any sequence of ledger operations keeps the ledger's invariants, and the
stored balances follow a simple in-memory model of what each operation should do."""

from collections import Counter

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nuanxin.points import services
from nuanxin.points.checks import ledger_check
from nuanxin.points.models import Account, HoldStatus
from tests.helpers import error_code
from tests.points.factories import city_admin, funded_pool, worker

pytestmark = pytest.mark.django_db

WORKERS = 3
CAP = 60

operation = st.one_of(
    st.tuples(st.just("earn"), st.integers(0, WORKERS - 1), st.integers(1, 50)),
    st.tuples(st.just("spend"), st.integers(0, WORKERS - 1), st.integers(1, 60)),
    st.tuples(st.just("give"), st.integers(0, WORKERS - 1), st.integers(1, 40)),
    st.tuples(st.just("hold"), st.integers(0, WORKERS - 1), st.integers(1, 40)),
    st.tuples(st.just("post"), st.integers(0, 20), st.integers(0, 40)),
    st.tuples(st.just("void"), st.integers(0, 20), st.just(0)),
    st.tuples(st.just("reverse"), st.integers(0, 40), st.just(0)),
    st.tuples(st.just("retry"), st.integers(0, 60), st.just(0)),
)


@pytest.fixture
def ledger(tree):
    services.policy_update(actor=city_admin(tree), daily_cap=CAP, monthly_cap=None)
    pool = funded_pool(tree, "A1a", 400)
    people = [worker(tree) for _ in range(WORKERS)]
    return {
        "tree": tree,
        "pool": pool,
        "people": people,
        "accounts": [services.worker_account(p) for p in people],
        "shop": services.shop_sink(),
        "officer": city_admin(tree),
    }


class Model:
    """What the balances must be: posted and held per account id."""

    def __init__(self) -> None:
        self.posted: Counter = Counter()
        self.held: Counter = Counter()
        self.earned: Counter = Counter()
        self.reversed_ids: set[int] = set()

    def move(self, debit: int, credit: int, amount: int) -> None:
        self.posted[debit] -= amount
        self.posted[credit] += amount

    def available(self, account: Account) -> int:
        return self.posted[account.pk] - self.held[account.pk]


def _apply(ledger, model: Model, step: int, op: tuple, done: list, holds: list, entries: list):
    kind, a, b = op
    accounts, shop, pool = ledger["accounts"], ledger["shop"], ledger["pool"]
    tid = f"p-{step}"
    if kind == "earn":
        account = accounts[a]
        granted = min(b, CAP - model.earned[account.pk])
        call = lambda: services.earn(  # noqa: E731
            transfer_id=tid,
            worker=ledger["people"][a],
            community=ledger["tree"]["A1a"],
            source="report.accepted",
            points=b,
            reference="r",
        )
        if granted > model.posted[pool.pk]:
            assert error_code(call) == "points.budget_exhausted"
            return
        result = call()
        assert result.granted == granted
        if granted:
            model.move(pool.pk, account.pk, granted)
            model.earned[account.pk] += granted
            entries.append(result.entry)
        done.append((call, (result.granted, result.entry and result.entry.pk)))
    elif kind in {"spend", "give", "hold"}:
        debit = accounts[a]
        credit = shop if kind != "give" else accounts[(a + 1) % WORKERS]
        if kind == "hold":
            call = lambda: services.hold(  # noqa: E731
                transfer_id=tid, debit=debit, credit=credit, amount=b, reason="a.b"
            )
        else:
            call = lambda: services.transfer(  # noqa: E731
                transfer_id=tid, debit=debit, credit=credit, amount=b, reason="a.b"
            )
        if model.available(debit) < b:
            assert error_code(call) == "points.insufficient_balance"
            return
        result = call()
        if kind == "hold":
            model.held[debit.pk] += b
            holds.append(result)
        else:
            model.move(debit.pk, credit.pk, b)
            entries.append(result)
        done.append((call, result.pk))
    elif kind in {"post", "void"} and holds:
        target = holds[a % len(holds)]
        status = type(target).objects.get(pk=target.pk).status
        amount = None if b == 0 else b
        if kind == "post":
            call = lambda: services.post_hold(transfer_id=tid, hold=target, amount=amount)  # noqa: E731
        else:
            call = lambda: services.void_hold(transfer_id=tid, hold=target)  # noqa: E731
        if status != HoldStatus.PENDING:
            assert error_code(call) == "points.hold_not_pending"
            return
        if kind == "post" and amount is not None and amount > target.amount:
            assert error_code(call) == "points.post_exceeds_hold"
            return
        result = call()
        model.held[target.debit_id] -= target.amount
        if kind == "post":
            model.move(target.debit_id, target.credit_id, amount or target.amount)
            entries.append(result)
        done.append((call, result.pk))
    elif kind == "reverse" and entries:
        target = entries[a % len(entries)]
        call = lambda: services.reverse(  # noqa: E731
            transfer_id=tid, entry=target, actor=ledger["officer"], reason="x"
        )
        if target.kind == "reversal":
            assert error_code(call) == "points.not_reversible"
        elif target.pk in model.reversed_ids:
            assert error_code(call) == "points.already_reversed"
        elif model.posted[target.credit_id] - model.held[target.credit_id] < target.amount:
            assert error_code(call) == "points.insufficient_balance"
        else:
            result = call()
            model.reversed_ids.add(target.pk)
            model.move(target.credit_id, target.debit_id, target.amount)
            entries.append(result)
            done.append((call, result.pk))
    elif kind == "retry" and done:
        call, first = done[a % len(done)]
        result = call()
        again = (
            (result.granted, result.entry and result.entry.pk)
            if hasattr(result, "granted")
            else result.pk
        )
        assert again == first


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation, min_size=1, max_size=30))
def test_random_operation_sequences_keep_the_invariants(ledger, operations):
    savepoint = transaction.savepoint()
    try:
        model = Model()
        for account in Account.objects.all():
            model.posted[account.pk] = account.posted
        done, holds, entries = [], [], []
        for step, op in enumerate(operations):
            _apply(ledger, model, step, op, done, holds, entries)
        for account in Account.objects.all():
            assert (account.posted, account.held) == (
                model.posted[account.pk],
                model.held[account.pk],
            ), account.key
        report = ledger_check()
        assert report.problems == []
    finally:
        transaction.savepoint_rollback(savepoint)
