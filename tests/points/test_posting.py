"""One posting (transfer, top-up, allocation, adjustment): what a caller sees on every engine,
and on PostgreSQL the ``points_post_entry`` function, its statuses and how they are mapped."""

import importlib
import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nuanxin.core.errors import ApplicationError
from nuanxin.core.models import AuditLog
from nuanxin.points import services
from nuanxin.points.models import Account, AccountKind, Entry, EntryKind, TransferKey
from nuanxin.points.services._pg import entry_id_or_raise
from nuanxin.points.services.ledger import post_entry
from tests.points.factories import (
    assert_ledger_clean,
    city_admin,
    funded_city,
    tid,
    worker_with_points,
)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="points_post_entry exists on PostgreSQL only"
)
DIGEST = "d" * 64


def _state() -> tuple:
    return (
        list(Account.objects.order_by("pk").values_list("pk", "posted", "held")),
        Entry.objects.count(),
        TransferKey.objects.count(),
    )


def _call(transfer_id: str, debit: Account, credit: Account, amount: int, **given) -> tuple:
    """Call the database function directly, as ``_pg`` does."""
    args = {"kind": "transfer", "digest": DIGEST, "reason": "a.b"} | given
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, value FROM points_post_entry("
            "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                transfer_id,
                args["kind"],
                args["digest"],
                debit.pk,
                credit.pk,
                amount,
                args["reason"],
                "",
                None,
                "",
                timezone.now(),
            ],
        )
        return cursor.fetchone()


# The status mapping (no database).


@pytest.mark.parametrize("status", ["posted", "replayed"])
def test_a_posted_or_replayed_status_carries_the_entry_id(status):
    assert entry_id_or_raise(status, 42, transfer_id="x", amount=5, shortage_code="c") == 42


@pytest.mark.parametrize(
    ("status", "value", "shortage_code", "code", "extra"),
    [
        (
            "insufficient",
            3,
            "points.insufficient_balance",
            "points.insufficient_balance",
            {"available": 3, "requested": 5},
        ),
        (
            "insufficient",
            0,
            "points.budget_exhausted",
            "points.budget_exhausted",
            {"available": 0, "requested": 5},
        ),
        ("reused", None, "x", "points.transfer_id_reused", {"transfer_id": "t-1"}),
        ("unknown_account", None, "x", "points.unknown_account", {}),
    ],
)
def test_a_refusal_status_becomes_the_services_error(status, value, shortage_code, code, extra):
    with pytest.raises(ApplicationError) as error:
        entry_id_or_raise(status, value, transfer_id="t-1", amount=5, shortage_code=shortage_code)

    assert (error.value.code, error.value.extra) == (code, extra)


def test_an_unknown_status_is_a_programming_error():
    with pytest.raises(RuntimeError):
        entry_id_or_raise("maybe", None, transfer_id="t-1", amount=5, shortage_code="x")


# What a caller sees, on every engine.


@pytest.mark.django_db
def test_a_refusal_inside_a_callers_transaction_leaves_it_usable(tree):
    _person, account = worker_with_points(tree, 100)
    shop = services.shop_sink()

    with transaction.atomic():
        with pytest.raises(ApplicationError):
            services.transfer(transfer_id=tid(), debit=account, credit=shop, amount=101, reason="a")
        entry = services.transfer(
            transfer_id=tid(), debit=account, credit=shop, amount=40, reason="a.b"
        )

    account.refresh_from_db()
    assert account.posted == 60
    assert Entry.objects.get(pk=entry.pk).amount == 40
    assert_ledger_clean()


@pytest.mark.django_db
def test_a_failing_callback_undoes_the_posting(tree):
    _person, account = worker_with_points(tree, 100)
    shop = services.shop_sink()
    before = _state()

    def fail(entry: Entry) -> None:
        assert Entry.objects.filter(pk=entry.pk).exists()  # it runs in the posting's transaction
        raise ApplicationError("test.callback_failed", "x")

    with pytest.raises(ApplicationError) as error:
        post_entry(
            transfer_id="cb-1",
            kind=EntryKind.TRANSFER,
            debit=account,
            credit=shop,
            amount=10,
            reason="a.b",
            on_post=fail,
        )

    assert error.value.code == "test.callback_failed"
    assert _state() == before


@pytest.mark.django_db
def test_a_retried_allocation_is_audited_once(tree):
    admin = city_admin(tree)
    fund = funded_city(tree, 1_000, admin)
    kwargs = dict(transfer_id="alloc-1", fund=fund, community=tree["A1a"], amount=300, actor=admin)

    first = services.budget_allocate(**kwargs)
    second = services.budget_allocate(**kwargs)

    assert first.pk == second.pk
    assert AuditLog.objects.filter(action="points.budget_allocate").count() == 1
    assert services.community_pool(tree["A1a"]).posted == 300


# The function on PostgreSQL.


@pytest.fixture
def accounts(db):
    """Issuance and three funded accounts (1,000 points each)."""
    issuance = services.issuance_account()
    funded = [Account.objects.create(key=f"test:{i}", kind=AccountKind.FUND) for i in range(3)]
    for account in funded:
        services.transfer(
            transfer_id=tid("seed"), debit=issuance, credit=account, amount=1_000, reason="a.b"
        )
    return [issuance, *funded]


@postgresql_only
def test_function_posts_and_answers_the_new_entry(accounts):
    _issuance, a, b, _c = accounts

    status, value = _call("f-1", a, b, 30)

    entry = Entry.objects.get(transfer_id="f-1")
    key = TransferKey.objects.get(pk="f-1")
    a.refresh_from_db()
    b.refresh_from_db()
    assert (status, value) == ("posted", entry.pk)
    assert (entry.debit_id, entry.credit_id, entry.amount) == (a.pk, b.pk, 30)
    assert (entry.kind, key.kind, key.fingerprint) == ("transfer", "transfer", DIGEST)
    assert (key.granted, key.limited_by) == (None, "")
    assert (a.posted, b.posted) == (970, 1_030)
    assert_ledger_clean()


@postgresql_only
def test_function_replays_the_same_request(accounts):
    _issuance, a, b, _c = accounts
    _status, first = _call("f-1", a, b, 30)
    before = _state()

    assert _call("f-1", a, b, 30) == ("replayed", first)
    assert _state() == before


@postgresql_only
@pytest.mark.parametrize("change", [{"digest": "e" * 64}, {"kind": "allocation"}])
def test_function_refuses_an_id_used_for_other_content(accounts, change):
    _issuance, a, b, _c = accounts
    _call("f-1", a, b, 30)
    before = _state()

    assert _call("f-1", a, b, 30, **change) == ("reused", None)
    assert _state() == before


@postgresql_only
def test_function_answers_the_available_balance_and_writes_nothing(accounts):
    _issuance, a, b, _c = accounts
    services.hold(transfer_id=tid(), debit=a, credit=b, amount=400, reason="a.b")
    before = _state()

    assert _call("f-1", a, b, 601) == ("insufficient", 600)
    assert _state() == before
    assert _call("f-1", a, b, 600)[0] == "posted"  # the refusal did not use up the id


@postgresql_only
def test_function_lets_the_issuance_account_go_negative(accounts):
    issuance, a, _b, _c = accounts

    assert _call("f-1", issuance, a, 10**9)[0] == "posted"
    issuance.refresh_from_db()
    assert issuance.posted == -(3_000 + 10**9)


@postgresql_only
def test_function_refuses_an_unknown_account(accounts):
    _issuance, a, _b, _c = accounts
    before = _state()

    assert _call("f-1", a, Account(pk=10**9), 1) == ("unknown_account", None)
    assert _state() == before


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_transfer_outside_a_transaction_is_one_statement(accounts):
    _issuance, a, b, _c = accounts

    with CaptureQueriesContext(connection) as queries:
        services.transfer(transfer_id="one-1", debit=a, credit=b, amount=1, reason="a.b")

    assert len(queries) == 1
    assert "points_post_entry" in queries[0]["sql"]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_same_id_on_other_accounts_waits_for_the_first_and_is_refused(accounts):
    """The second request locks other rows, so it misses the uncommitted key, waits on the key's
    unique index for the first to commit, and then answers from the key the first recorded."""
    issuance, a, b, c = accounts
    first_posted, commit_first = threading.Event(), threading.Event()
    outcome: dict = {}

    def first() -> None:
        try:
            with transaction.atomic():
                services.transfer(
                    transfer_id="race-1", debit=issuance, credit=a, amount=5, reason="a.b"
                )
                first_posted.set()
                commit_first.wait(10)
        finally:
            connection.close()

    def second() -> None:
        try:
            services.transfer(transfer_id="race-1", debit=b, credit=c, amount=7, reason="a.b")
            outcome["second"] = "posted"
        except ApplicationError as error:
            outcome["second"] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert first_posted.wait(10)
    threads[1].start()
    deadline = time.monotonic() + 10
    while not _a_backend_waits_on_a_lock():
        assert time.monotonic() < deadline, "the second request never waited for the first"
        time.sleep(0.02)
    commit_first.set()
    for thread in threads:
        thread.join(10)

    assert outcome == {"second": "points.transfer_id_reused"}
    assert Entry.objects.get(transfer_id="race-1").credit_id == a.pk
    b.refresh_from_db()
    c.refresh_from_db()
    assert (b.posted, c.posted) == (1_000, 1_000)
    assert_ledger_clean()


def _a_backend_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@postgresql_only
@pytest.mark.django_db
def test_the_migration_drops_and_recreates_the_function():
    migration = importlib.import_module("nuanxin.points.migrations.0004_post_entry_function")

    def exists() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regproc('points_post_entry') IS NOT NULL")
            return cursor.fetchone()[0]

    with connection.schema_editor() as editor:
        migration.uninstall(None, editor)
    assert not exists()
    with connection.schema_editor() as editor:
        migration.install(None, editor)
    assert exists()
