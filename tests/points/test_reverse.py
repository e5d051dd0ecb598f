import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.points import services
from nuanxin.points.models import Entry, EntryKind
from tests.factories import staff
from tests.helpers import error_code
from tests.points.factories import assert_ledger_clean, tid, worker_with_points

pytestmark = pytest.mark.django_db


@pytest.fixture
def earned(tree):
    _person, account = worker_with_points(tree, 100)
    return account, Entry.objects.get(credit=account), staff(Role.COMMUNITY_STAFF, tree["A1a"])


def test_reverse_moves_the_points_back_linked_to_the_original(earned):
    account, entry, officer = earned

    reversal = services.reverse(transfer_id="rev-1", entry=entry, actor=officer, reason="重复审核")

    account.refresh_from_db()
    assert account.posted == 0
    assert (reversal.kind, reversal.reverses, reversal.amount) == (EntryKind.REVERSAL, entry, 100)
    assert (reversal.debit_id, reversal.credit_id) == (entry.credit_id, entry.debit_id)
    assert reversal.note == "重复审核" and reversal.reason_label == "冲正"
    audit = AuditLog.objects.get(action="points.reverse")
    assert audit.actor == officer and audit.note == "重复审核"
    assert audit.region_path == account.user.region.path
    assert_ledger_clean()


def test_retried_reverse_returns_the_first_reversal(earned):
    _account, entry, officer = earned

    first = services.reverse(transfer_id="rev-1", entry=entry, actor=officer, reason="x")
    second = services.reverse(transfer_id="rev-1", entry=entry, actor=officer, reason="x")

    assert first.pk == second.pk
    assert AuditLog.objects.filter(action="points.reverse").count() == 1


def test_an_entry_is_reversed_at_most_once(earned):
    _account, entry, officer = earned
    services.reverse(transfer_id=tid(), entry=entry, actor=officer, reason="x")

    call = lambda: services.reverse(transfer_id=tid(), entry=entry, actor=officer, reason="x")  # noqa: E731
    assert error_code(call) == "points.already_reversed"


def test_a_reversal_is_not_reversible(earned):
    _account, entry, officer = earned
    reversal = services.reverse(transfer_id=tid(), entry=entry, actor=officer, reason="x")

    call = lambda: services.reverse(transfer_id=tid(), entry=reversal, actor=officer, reason="x")  # noqa: E731
    assert error_code(call) == "points.not_reversible"


@pytest.mark.parametrize("reason", ["", "   "])
def test_reverse_needs_a_reason(earned, reason):
    _account, entry, officer = earned
    call = lambda: services.reverse(transfer_id=tid(), entry=entry, actor=officer, reason=reason)  # noqa: E731
    assert error_code(call) == "points.reason_required"


def test_reverse_of_spent_points_is_refused(earned):
    account, entry, officer = earned
    services.transfer(
        transfer_id=tid(), debit=account, credit=services.shop_sink(), amount=50, reason="a.b"
    )

    call = lambda: services.reverse(transfer_id=tid(), entry=entry, actor=officer, reason="x")  # noqa: E731
    assert error_code(call) == "points.insufficient_balance"
    assert not Entry.objects.filter(kind=EntryKind.REVERSAL).exists()
