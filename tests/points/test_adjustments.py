"""Manual adjustments: paid by the worker's community pool, never to staff, bounded, four-eyes."""

import pytest
from django.db import connection

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog, Notification
from nuanxin.points import services
from nuanxin.points.models import Adjustment, AdjustmentStatus, Entry, EntryKind
from tests.factories import UserFactory, staff
from tests.helpers import error_code, race
from tests.points.factories import assert_ledger_clean, funded_pool, tid, worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.POINTS_ADJUSTMENT_MAX = 1_000
    settings.POINTS_ADJUSTMENT_MONTHLY_MAX = 1_500
    settings.POINTS_ADJUSTMENT_APPROVAL_ABOVE = 100


def adjust(actor, person, amount, reason="补发活动积分", transfer_id=None):
    return services.adjustment_request(
        transfer_id=transfer_id or tid("adj"),
        worker=person,
        amount=amount,
        reason=reason,
        actor=actor,
    )


def balances(*accounts):
    for account in accounts:
        account.refresh_from_db()
    return [account.posted for account in accounts]


def test_a_credit_is_paid_by_the_community_pool_and_a_debit_goes_back_to_it(
    tree, django_capture_on_commit_callbacks
):
    pool = funded_pool(tree, "A1a", 500)
    person = worker(tree, "A1a")
    officer = staff(Role.COMMUNITY_STAFF, tree["A1a"])

    with django_capture_on_commit_callbacks(execute=True):
        credit = adjust(officer, person, 60)
        debit = adjust(officer, person, -20, reason="多发扣回")

    account = services.worker_account(person)
    assert balances(pool, account) == [460, 40]
    assert credit.status == debit.status == AdjustmentStatus.POSTED
    assert (credit.entry.debit_id, credit.entry.credit_id) == (pool.pk, account.pk)
    assert (debit.entry.debit_id, debit.entry.credit_id) == (account.pk, pool.pk)
    assert services.issuance_account().posted == -500  # nothing came straight from issuance
    audits = AuditLog.objects.filter(action="points.manual_adjust").order_by("pk")
    assert [a.after["delta"] for a in audits] == [60, -20]
    assert all(a.actor == officer for a in audits)
    titles = set(Notification.objects.filter(user=person).values_list("title", flat=True))
    assert titles == {"积分调整 +60 分", "积分调整 -20 分"}
    assert_ledger_clean()


def test_a_street_admin_adjusts_from_the_pool_of_the_workers_community(tree):
    pool = funded_pool(tree, "A1b", 100)
    person = worker(tree, "A1b")

    adjust(staff(Role.STREET_ADMIN, tree["A1"]), person, 30)

    assert balances(pool) == [70]


def test_an_empty_pool_refuses_and_records_nothing(tree):
    person = worker(tree, "A1a")
    officer = staff(Role.COMMUNITY_STAFF, tree["A1a"])

    assert error_code(lambda: adjust(officer, person, 10)) == "points.budget_exhausted"
    assert not Adjustment.objects.exists() and not Entry.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="points.").exists()


def test_staff_cannot_credit_themselves_or_other_staff(tree):
    funded_pool(tree, "A1a", 500)
    street = staff(Role.STREET_ADMIN, tree["A1"])
    colleague = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    keeper = staff(Role.STATION_KEEPER, tree["A1a"])
    superuser = UserFactory(is_superuser=True, role=Role.CITY_ADMIN, region=tree.city)

    assert error_code(lambda: adjust(street, street, 100)) == "points.self_adjustment"
    assert error_code(lambda: adjust(street, colleague, 100)) == "points.not_a_worker"
    assert error_code(lambda: adjust(street, keeper, 10)) == "points.not_a_worker"
    assert error_code(lambda: adjust(superuser, street, 10)) == "points.not_a_worker"
    assert (
        not Adjustment.objects.exists()
        and not Entry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()
    )


def test_staff_hold_no_points_at_all(tree):
    officer = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    funded_pool(tree, "A1a", 100)

    result = services.earn(
        transfer_id=tid(),
        worker=officer,
        community=tree["A1a"],
        source="report.accepted",
        points=10,
        reference="report:1",
    )

    assert (result.granted, result.entry, result.limited_by) == (0, None, "not_worker")
    assert error_code(lambda: services.worker_account(officer)) == "points.not_a_worker"


@pytest.mark.parametrize(
    ("amount", "reason", "code"),
    [
        (10, "", "points.reason_required"),
        (10, "   ", "points.reason_required"),
        (10, "长" * 501, "points.reason_too_long"),
        (0, "x", "points.bad_amount"),
        ("10", "x", "points.bad_amount"),
        (True, "x", "points.bad_amount"),
        (1.5, "x", "points.bad_amount"),
        (4611686018427387904, "x", "points.bad_amount"),
        (-(2**63), "x", "points.bad_amount"),
        (1_001, "x", "points.adjustment_too_large"),
        (-1_001, "x", "points.adjustment_too_large"),
        (-100, "x", "points.insufficient_balance"),
    ],
)
def test_bad_adjustments_are_refused_and_change_nothing(tree, amount, reason, code):
    pool = funded_pool(tree, "A1a", 2_000)
    person = worker(tree, "A1a")
    officer = staff(Role.STREET_ADMIN, tree["A1"])
    adjust(officer, person, 50)

    assert error_code(lambda: adjust(officer, person, amount, reason=reason)) == code
    assert balances(pool, services.worker_account(person)) == [1_950, 50]
    assert Adjustment.objects.count() == 1


def test_a_large_debit_beyond_the_balance_fails_at_approval_and_stays_pending(tree):
    funded_pool(tree, "A1a", 500)
    person = worker(tree, "A1a")
    officer = staff(Role.STREET_ADMIN, tree["A1"])
    adjust(officer, person, 50)
    pending = adjust(officer, person, -300)
    county = staff(Role.COUNTY_ADMIN, tree["A"])

    call = lambda: services.adjustment_approve(adjustment=pending, actor=county)  # noqa: E731

    assert error_code(call) == "points.insufficient_balance"
    pending.refresh_from_db()
    assert pending.status == AdjustmentStatus.PENDING
    assert balances(services.worker_account(person)) == [50]


def test_workers_outside_the_jurisdiction_are_unknown_and_workers_cannot_adjust(tree):
    funded_pool(tree, "A1b", 100)
    person = worker(tree, "A1b")
    officer = staff(Role.COMMUNITY_STAFF, tree["A1a"])

    assert error_code(lambda: adjust(officer, person, 5)) == "points.unknown_worker"
    assert error_code(lambda: adjust(worker(tree, "A1b"), person, 5)) == "auth.staff_only"
    assert error_code(lambda: adjust(staff(Role.STATION_KEEPER, tree["A1b"]), person, 5)) == (
        "auth.staff_only"
    )


def test_a_worker_outside_any_community_cannot_be_adjusted(tree):
    person = UserFactory(role=Role.WORKER, region=tree["A1"])

    call = lambda: adjust(staff(Role.STREET_ADMIN, tree["A1"]), person, 5)  # noqa: E731
    assert error_code(call) == "points.no_community_pool"


def test_a_retry_returns_the_first_adjustment_and_other_content_is_refused(tree):
    pool = funded_pool(tree, "A1a", 500)
    person = worker(tree, "A1a")
    officer = staff(Role.COMMUNITY_STAFF, tree["A1a"])

    first = adjust(officer, person, 50, transfer_id="form-1")
    again = adjust(officer, person, 50, transfer_id="form-1")
    other = lambda: adjust(officer, person, 51, transfer_id="form-1")  # noqa: E731

    assert again.pk == first.pk
    assert error_code(other) == "points.transfer_id_reused"
    assert balances(pool) == [450]


def test_the_monthly_total_per_staff_member_counts_credits_debits_and_pending(tree, settings):
    funded_pool(tree, "A1a", 5_000)
    person = worker(tree, "A1a")
    officer = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    adjust(officer, person, 900)  # pending: above the approval threshold
    adjust(officer, person, 100)
    adjust(officer, person, -100)

    assert error_code(lambda: adjust(officer, person, 401)) == "points.adjustment_monthly_limit"
    last = adjust(officer, person, 400)

    assert last.status == AdjustmentStatus.PENDING
    # another staff member has their own monthly total
    assert adjust(staff(Role.COMMUNITY_STAFF, tree["A1a"]), person, 50).status == "posted"


def test_a_rejected_adjustment_no_longer_counts_against_the_month(tree):
    funded_pool(tree, "A1a", 5_000)
    person = worker(tree, "A1a")
    officer = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    big = adjust(officer, person, 1_000)
    assert error_code(lambda: adjust(officer, person, 600)) == "points.adjustment_monthly_limit"

    services.adjustment_reject(
        adjustment=big, actor=staff(Role.STREET_ADMIN, tree["A1"]), note="证据不足"
    )

    assert adjust(officer, person, 600).status == AdjustmentStatus.PENDING


def test_a_large_adjustment_waits_for_a_more_senior_approver(tree):
    pool = funded_pool(tree, "A1a", 1_000)
    person = worker(tree, "A1a")
    officer = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    peer = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    other_street = staff(Role.STREET_ADMIN, tree["A2"])
    street = staff(Role.STREET_ADMIN, tree["A1"])

    pending = adjust(officer, person, 300, reason="暴雨天坚守补贴")
    account = services.worker_account(person)
    assert pending.status == AdjustmentStatus.PENDING and pending.entry is None
    assert balances(pool, account) == [1_000, 0]

    def approve(actor):
        return lambda: services.adjustment_approve(adjustment=pending, actor=actor)

    assert error_code(approve(officer)) == "points.approver_is_requester"
    assert error_code(approve(peer)) == "points.approver_not_senior"
    assert error_code(approve(other_street)) == "points.unknown_adjustment"
    assert error_code(approve(person)) == "auth.staff_only"
    done = services.adjustment_approve(adjustment=pending, actor=street, note="同意")

    assert done.status == AdjustmentStatus.POSTED and done.decided_by == street
    assert balances(pool, account) == [700, 300]
    assert done.entry.actor == street and done.entry.note == "暴雨天坚守补贴"
    assert error_code(approve(street)) == "points.adjustment_not_pending"
    actions = list(
        AuditLog.objects.filter(action__startswith="points.").values_list("action", "actor")
    )
    assert ("points.adjustment_request", officer.pk) in actions
    assert ("points.adjustment_approve", street.pk) in actions
    assert ("points.manual_adjust", street.pk) in actions
    assert_ledger_clean()


def test_a_rejection_needs_a_reason_and_moves_nothing(tree, django_capture_on_commit_callbacks):
    pool = funded_pool(tree, "A1a", 1_000)
    person = worker(tree, "A1a")
    officer = staff(Role.STREET_ADMIN, tree["A1"])
    pending = adjust(officer, person, 500)
    county = staff(Role.COUNTY_ADMIN, tree["A"])

    blank = lambda: services.adjustment_reject(adjustment=pending, actor=county, note=" ")  # noqa: E731
    assert error_code(blank) == "points.reason_required"
    with django_capture_on_commit_callbacks(execute=True):
        services.adjustment_reject(adjustment=pending, actor=county, note="金额过大")

    pending.refresh_from_db()
    assert pending.status == AdjustmentStatus.REJECTED and pending.decision_note == "金额过大"
    assert balances(pool) == [1_000]
    assert Notification.objects.filter(user=officer, title="积分调整申请被驳回").exists()


def test_city_admins_approve_each_other(tree):
    funded_pool(tree, "A1a", 1_000)
    person = worker(tree, "A1a")
    first, second = staff(Role.CITY_ADMIN, tree.city), staff(Role.CITY_ADMIN, tree.city)
    pending = adjust(first, person, 500)

    assert services.adjustment_approve(adjustment=pending, actor=second).status == "posted"


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_pass_the_monthly_total_together(settings):
    from tests.factories import build_tree

    settings.POINTS_ADJUSTMENT_MONTHLY_MAX = 500
    tree = build_tree()
    funded_pool(tree, "A1a", 5_000)
    person = worker(tree, "A1a")
    officer = staff(Role.COMMUNITY_STAFF, tree["A1a"])

    results = race([lambda: adjust(officer, person, 100) for _ in range(8)])

    refused = [r for r in results if r == "points.adjustment_monthly_limit"]
    assert len(refused) == 3, results
    assert services.worker_account(person).posted == 500
    assert_ledger_clean()


def test_the_database_refuses_balances_and_amounts_out_of_range(tree):
    from django.db import IntegrityError, transaction

    pool = funded_pool(tree, "A1a", 10)
    statements = [
        ("UPDATE points_account SET posted = %s WHERE id = %s", [2**62, pool.pk]),
        ("UPDATE points_account SET posted = %s WHERE id = %s", [-(2**62), pool.pk]),
    ]
    if connection.vendor == "sqlite":
        # SQLite keeps a float, or an integer beyond 64 bits, as REAL
        statements.append(("UPDATE points_account SET held = 0.5 WHERE id = %s", [pool.pk]))
        statements.append(
            ("UPDATE points_account SET posted = 9223372036854775808 WHERE id = %s", [pool.pk])
        )
    for sql, params in statements:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert balances(pool) == [10]
