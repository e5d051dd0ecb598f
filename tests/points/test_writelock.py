"""On SQLite, ledger writers queue on a file lock beside the database before they ask SQLite for
its write lock; other writers do not take it, and everything stays correct beside them."""

import fcntl
import os
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError
from nuanxin.core.models import AuditLog
from nuanxin.points import services
from nuanxin.points.models import Account, AccountKind, Entry
from nuanxin.points.services import ledger
from nuanxin.points.services._writelock import _thread_lock, ledger_atomic, lock_path
from tests.points.factories import assert_ledger_clean, tid

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the file lock is SQLite's"),
]


def _database() -> str:
    return str(connection.settings_dict["NAME"])


def _taken_elsewhere() -> bool:
    """Whether the ledger's file lock is held: another open file cannot take it now."""
    with open(lock_path(_database()), "ab") as other:
        try:
            fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(other.fileno(), fcntl.LOCK_UN)
        return False


@pytest.fixture
def pair(db):
    issuance = services.issuance_account()
    a, b = (Account.objects.create(key=f"test:{i}", kind=AccountKind.FUND) for i in range(2))
    services.transfer(transfer_id=tid(), debit=issuance, credit=a, amount=1_000, reason="a.b")
    return a, b


@pytest.fixture
def seen_during_write(monkeypatch):
    """Whether the file lock was held at the moment each ledger write took its timestamp."""
    seen: list[bool] = []

    def now():
        seen.append(_taken_elsewhere())
        return timezone.now()

    monkeypatch.setattr(ledger, "now", now)
    return seen


def test_a_ledger_write_holds_the_file_lock_until_it_commits(pair, seen_during_write):
    a, b = pair

    services.transfer(transfer_id=tid(), debit=a, credit=b, amount=5, reason="a.b")

    assert seen_during_write == [True]
    assert not _taken_elsewhere()


def test_a_refused_write_releases_the_file_lock(pair):
    a, b = pair

    with pytest.raises(ApplicationError):
        services.transfer(transfer_id=tid(), debit=a, credit=b, amount=5_000, reason="a.b")

    assert not _taken_elsewhere()


def test_a_ledger_write_inside_a_callers_transaction_takes_no_file_lock(pair, seen_during_write):
    """The caller's IMMEDIATE transaction holds SQLite's write lock already; waiting for the file
    lock there could wait for a ledger writer that waits for this write lock."""
    a, b = pair

    with transaction.atomic():
        services.transfer(transfer_id=tid(), debit=a, credit=b, amount=5, reason="a.b")

    assert seen_during_write == [False]
    assert Entry.objects.filter(debit=a).count() == 1


def test_the_file_lock_is_released_before_on_commit_callbacks_run(db):
    seen: list[bool] = []

    with ledger_atomic():
        seen.append(_taken_elsewhere())
        transaction.on_commit(lambda: seen.append(_taken_elsewhere()))

    assert seen == [True, False]


def test_a_forked_process_takes_the_file_lock_through_its_own_file(db):
    """flock belongs to the open file; a child sharing its parent's would think it held the lock."""
    held = _thread_lock(_database())
    held.acquire()
    try:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child reports through its exit status
            code = 2
            try:
                fcntl.flock(_thread_lock(_database()).file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                code = 1
            except BlockingIOError:
                code = 0
            finally:
                os._exit(code)
        _pid, status = os.waitpid(pid, 0)
    finally:
        held.release()

    assert os.waitstatus_to_exitcode(status) == 0


def test_ledger_writers_beside_other_writers_keep_the_ledger_exact(pair):
    """Ledger writes (alone, and inside callers' transactions) and other apps' writes at the
    same time: nobody waits into the busy timeout and every write lands once."""
    a, b = pair
    errors: list[str] = []
    rounds = 60

    def ledger_writer(n: int) -> None:
        for i in range(rounds):
            debit, credit = (a, b) if i % 2 == 0 else (b, a)
            services.transfer(
                transfer_id=f"w{n}-{i}", debit=debit, credit=credit, amount=1, reason="a.b"
            )

    def nested_ledger_writer(n: int) -> None:
        for i in range(rounds):
            with transaction.atomic():
                audit_record(actor=None, action="test.nested", obj=a)
                services.transfer(
                    transfer_id=f"n{n}-{i}", debit=a, credit=b, amount=1, reason="a.b"
                )

    def other_writer(n: int) -> None:
        for _i in range(rounds):
            with transaction.atomic():
                audit_record(actor=None, action="test.other", obj=b)

    def run(target, n: int) -> None:
        try:
            target(n)
        except Exception as error:  # any error is a finding
            errors.append(f"{target.__name__}: {type(error).__name__}: {error}")
        finally:
            connection.close()

    workers = [ledger_writer] * 3 + [nested_ledger_writer] + [other_writer] * 2
    threads = [threading.Thread(target=run, args=(w, n)) for n, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Entry.objects.filter(transfer_id__startswith="w").count() == 3 * rounds
    assert Entry.objects.filter(transfer_id__startswith="n").count() == rounds
    assert AuditLog.objects.filter(action="test.other").count() == 2 * rounds
    assert AuditLog.objects.filter(action="test.nested").count() == rounds
    a.refresh_from_db()
    assert a.posted == 1_000 - rounds
    assert not _taken_elsewhere()
    assert_ledger_clean()
