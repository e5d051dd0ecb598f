import pytest
from django.db import IntegrityError, transaction

from nuanxin.core.errors import ApplicationError
from nuanxin.points import services
from nuanxin.points.models import Account, Entry, EntryKind, TransferKey
from tests.helpers import error_code
from tests.points.factories import assert_ledger_clean, tid, worker_with_points

pytestmark = pytest.mark.django_db


def _state():
    return (
        list(Account.objects.order_by("pk").values_list("pk", "posted", "held")),
        Entry.objects.count(),
        TransferKey.objects.count(),
    )


def test_transfer_moves_points_and_keeps_balances_with_the_entry(tree):
    person, account = worker_with_points(tree, 100)
    shop = services.shop_sink()

    entry = services.transfer(
        transfer_id="order-1",
        debit=account,
        credit=shop,
        amount=30,
        reason="store.redemption",
        reference="order:1",
        actor=person,
        note="矿泉水",
    )

    account.refresh_from_db()
    shop.refresh_from_db()
    assert (account.posted, account.available, shop.posted) == (70, 70, 30)
    assert (entry.kind, entry.reason, entry.reference, entry.actor) == (
        EntryKind.TRANSFER,
        "store.redemption",
        "order:1",
        person,
    )
    assert entry.reason_label == "积分兑换"
    assert_ledger_clean()


def test_retried_transfer_returns_the_first_entry_and_moves_once(tree):
    _person, account = worker_with_points(tree, 100)
    shop = services.shop_sink()
    kwargs = dict(transfer_id="order-1", debit=account, credit=shop, amount=30, reason="store.x")

    first = services.transfer(**kwargs)
    second = services.transfer(**kwargs)

    account.refresh_from_db()
    assert first.pk == second.pk
    assert account.posted == 70
    assert Entry.objects.filter(transfer_id="order-1").count() == 1


@pytest.mark.parametrize(
    "change", [{"amount": 31}, {"reason": "store.y"}, {"reference": "other"}, {"note": "x"}]
)
def test_reused_transfer_id_with_other_content_is_refused(tree, change):
    _person, account = worker_with_points(tree, 100)
    shop = services.shop_sink()
    kwargs = dict(transfer_id="order-1", debit=account, credit=shop, amount=30, reason="store.x")
    services.transfer(**kwargs)
    before = _state()

    assert (
        error_code(lambda: services.transfer(**{**kwargs, **change})) == "points.transfer_id_reused"
    )
    assert _state() == before


def test_transfer_id_is_one_namespace_across_operations(tree):
    _person, account = worker_with_points(tree, 100)
    shop = services.shop_sink()
    services.hold(transfer_id="x-1", debit=account, credit=shop, amount=10, reason="store.x")

    code = error_code(
        lambda: services.transfer(
            transfer_id="x-1", debit=account, credit=shop, amount=10, reason="store.x"
        )
    )

    assert code == "points.transfer_id_reused"


def test_transfer_beyond_the_available_balance_is_refused_and_changes_nothing(tree):
    _person, account = worker_with_points(tree, 100)
    shop = services.shop_sink()
    before = _state()

    with pytest.raises(ApplicationError) as error:
        services.transfer(transfer_id=tid(), debit=account, credit=shop, amount=101, reason="a.b")

    assert error.value.code == "points.insufficient_balance"
    assert error.value.extra == {"available": 100, "requested": 101}
    assert _state() == before


def test_held_points_are_not_available_for_a_transfer(tree):
    _person, account = worker_with_points(tree, 100)
    shop = services.shop_sink()
    services.hold(transfer_id=tid(), debit=account, credit=shop, amount=80, reason="a.b")

    code = error_code(
        lambda: services.transfer(
            transfer_id=tid(), debit=account, credit=shop, amount=21, reason="a.b"
        )
    )

    assert code == "points.insufficient_balance"


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, "5", None])
def test_amount_must_be_a_positive_integer(tree, amount):
    _person, account = worker_with_points(tree, 100)
    call = lambda: services.transfer(  # noqa: E731
        transfer_id=tid(), debit=account, credit=services.shop_sink(), amount=amount, reason="a.b"
    )
    assert error_code(call) == "points.bad_amount"


def test_debit_and_credit_must_differ(tree):
    _person, account = worker_with_points(tree, 100)
    call = lambda: services.transfer(  # noqa: E731
        transfer_id=tid(), debit=account, credit=account, amount=1, reason="a.b"
    )
    assert error_code(call) == "points.same_account"


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("", "points.reason_required"),
        ("  ", "points.reason_required"),
        ("Report Accepted", "points.bad_reason"),
        ("report..accepted", "points.bad_reason"),
        ("x" * 65, "points.bad_reason"),
    ],
)
def test_reason_must_be_a_dotted_code(tree, reason, code):
    _person, account = worker_with_points(tree, 100)
    call = lambda: services.transfer(  # noqa: E731
        transfer_id=tid(), debit=account, credit=services.shop_sink(), amount=1, reason=reason
    )
    assert error_code(call) == code


@pytest.mark.parametrize("transfer_id", ["", "   ", " padded", "x" * 129])
def test_transfer_id_must_be_present_and_short(tree, transfer_id):
    _person, account = worker_with_points(tree, 100)
    call = lambda: services.transfer(  # noqa: E731
        transfer_id=transfer_id, debit=account, credit=services.shop_sink(), amount=1, reason="a"
    )
    assert error_code(call) == "points.bad_transfer_id"


def test_unsaved_account_is_refused():
    call = lambda: services.transfer(  # noqa: E731
        transfer_id=tid(), debit=Account(key="x"), credit=services.shop_sink(), amount=1, reason="a"
    )
    assert error_code(call) == "points.unknown_account"


def test_issuance_account_alone_may_go_negative(db):
    issuance, shop = services.issuance_account(), services.shop_sink()

    services.transfer(transfer_id=tid(), debit=issuance, credit=shop, amount=5, reason="a.b")
    call = lambda: services.transfer(  # noqa: E731
        transfer_id=tid(), debit=shop, credit=services.expiry_sink(), amount=6, reason="a.b"
    )

    issuance.refresh_from_db()
    assert issuance.posted == -5 and issuance.may_go_negative
    assert error_code(call) == "points.insufficient_balance"
    assert_ledger_clean()


def test_entries_cannot_be_updated_in_the_database(tree):
    _person, account = worker_with_points(tree, 100)
    entry = Entry.objects.filter(credit=account).get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(amount=1_000)

    assert Entry.objects.get(pk=entry.pk).amount == 100


def test_database_refuses_a_negative_available_balance(tree):
    _person, account = worker_with_points(tree, 100)

    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(held=101)

    account.refresh_from_db()
    assert account.held == 0


def test_system_accounts_are_created_once(db):
    assert services.shop_sink().pk == services.shop_sink().pk
    assert services.expiry_sink().pk == services.expiry_sink().pk
    assert services.issuance_account().pk == services.issuance_account().pk
    assert Account.objects.count() == 3


def test_pool_and_fund_accounts_need_the_right_region_level(tree):
    assert services.community_pool(tree["A1a"]).region == tree["A1a"]
    assert services.fund_account(tree["A"]).region == tree["A"]
    assert services.fund_account(tree.city).region == tree.city
    assert error_code(lambda: services.community_pool(tree["A1"])) == "points.not_a_community"
    assert error_code(lambda: services.fund_account(tree["A1"])) == "points.not_a_fund_region"
