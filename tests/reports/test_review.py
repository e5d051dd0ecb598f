"""accept / reject / duplicate / bulk: state, history, points, errors, jurisdiction."""

import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.errors import ApplicationError
from nuanxin.core.models import AuditLog, Notification
from nuanxin.points.models import Entry
from nuanxin.points.selectors import balance_of
from nuanxin.reports.models import EventKind, Report, ReportSupport, State
from nuanxin.reports.services import (
    accept_transfer_id,
    report_accept,
    report_close,
    report_mark_duplicate,
    report_reject,
    report_reopen,
    report_resolve,
    reports_bulk_accept,
    reports_bulk_reject,
)
from tests.factories import staff
from tests.points.factories import city_admin, funded_pool
from tests.reports import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(tree):
    return funded_pool(tree, "A1a", 1_000)


def test_accept__pays_the_category_points_once_and_records_them(
    tree, pool, reviewer, django_capture_on_commit_callbacks
):
    report = f.submitted(tree, cat=f.category(points=8))

    with django_capture_on_commit_callbacks(execute=True):
        report_accept(report=report, reviewer=reviewer, note="属实")

    report.refresh_from_db()
    assert report.state == State.ACCEPTED
    assert report.points_awarded == 8 and report.accepted_at is not None
    assert balance_of(report.reporter).available == 8
    entry = Entry.objects.get(transfer_id=accept_transfer_id(report))
    assert entry.amount == 8 and entry.reference == f"report:{report.pk}"
    event = report.events.get(kind=EventKind.ACCEPTED)
    assert (event.from_state, event.to_state, event.public_note) == (
        "submitted",
        "accepted",
        "属实",
    )
    assert event.actor == reviewer
    assert AuditLog.objects.filter(action="reports.accepted", actor=reviewer).exists()
    note = Notification.objects.get(user=report.reporter, kind="reports.accepted")
    assert "8" in note.body


def test_accept__again_after_reopen_does_not_pay_twice(tree, pool, reviewer):
    report = f.submitted(tree, cat=f.category(points=8))
    report_accept(report=report, reviewer=reviewer)
    report_resolve(report=report, reviewer=reviewer, note="已修好")
    report_reopen(report=report, reporter=report.reporter, reason="还是没修")

    report_accept(report=report, reviewer=reviewer)

    report.refresh_from_db()
    assert report.state == State.ACCEPTED
    assert balance_of(report.reporter).available == 8
    assert Entry.objects.filter(reference=f"report:{report.pk}").count() == 1


def test_accept__when_the_pool_cannot_pay_fails_cleanly(tree, reviewer):
    funded_pool(tree, "A1a", 5)
    report = f.submitted(tree, cat=f.category(points=8))

    with pytest.raises(ApplicationError) as err:
        report_accept(report=report, reviewer=reviewer)

    assert err.value.code == "points.budget_exhausted"
    report.refresh_from_db()
    assert report.state == State.SUBMITTED and report.points_awarded == 0
    assert report.events.count() == 1
    assert not AuditLog.objects.filter(action="reports.accepted").exists()


def test_accept__daily_cap_grants_less_and_the_report_records_what_was_granted(
    tree, pool, reviewer
):
    from nuanxin.points.services import policy_update

    policy_update(actor=city_admin(tree), daily_cap=5, monthly_cap=None)
    report = f.submitted(tree, cat=f.category(points=8))

    report_accept(report=report, reviewer=reviewer)

    report.refresh_from_db()
    assert report.points_awarded == 5 and report.points_requested == 8


def test_accept__by_staff_of_the_next_community_finds_no_such_report(tree, pool):
    report = f.submitted(tree)
    next_door = f.community_staff(tree, "A1b")

    with pytest.raises(ApplicationError) as err:
        report_accept(report=report, reviewer=next_door)

    assert (err.value.code, err.value.status) == ("reports.not_found", 404)
    report.refresh_from_db()
    assert report.state == State.SUBMITTED


def test_accept__by_a_worker_is_refused(tree, pool):
    report = f.submitted(tree)

    with pytest.raises(ApplicationError) as err:
        report_accept(report=report, reviewer=f.worker(tree))

    assert (err.value.code, err.value.status) == ("reports.not_found", 404)


def test_accept__of_ones_own_report_is_refused(tree, pool, reviewer):
    report = f.submitted(tree, reporter=reviewer)

    with pytest.raises(ApplicationError) as err:
        report_accept(report=report, reviewer=reviewer)

    assert err.value.code == "reports.own_report"


def test_accept__twice_is_an_invalid_transition(tree, pool, reviewer):
    report = f.submitted(tree)
    report_accept(report=report, reviewer=reviewer)

    with pytest.raises(ApplicationError) as err:
        report_accept(report=report, reviewer=reviewer)

    assert err.value.code == "reports.invalid_transition"
    assert err.value.status == 409


def test_accept__report_outside_any_community_must_be_reassigned_first(tree, pool, reviewer):
    report = f.submitted(tree)
    Report.objects.filter(pk=report.pk).update(region=tree["A1"], community=None)
    street = f.community_staff(tree)
    street.role, street.region = "street_admin", tree["A1"]
    street.save()

    with pytest.raises(ApplicationError) as err:
        report_accept(report=report, reviewer=street)

    assert err.value.code == "reports.needs_community"


def test_accept__anonymous_client_report_pays_nothing(tree, pool, reviewer):
    from nuanxin.reports.models import Channel

    report = f.submitted(tree, reporter=None, channel=Channel.OPEN311)
    report = Report.objects.get(pk=report.pk)

    report_accept(report=report, reviewer=reviewer)

    report.refresh_from_db()
    assert report.state == State.ACCEPTED and report.points_awarded == 0


def test_reject__needs_a_reason_which_the_reporter_is_shown(
    tree, reviewer, django_capture_on_commit_callbacks
):
    report = f.submitted(tree)

    with pytest.raises(ApplicationError) as err:
        report_reject(report=report, reviewer=reviewer, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        report_reject(report=report, reviewer=reviewer, reason="照片看不清")

    assert err.value.code == "reports.reason_required"
    report.refresh_from_db()
    assert report.state == State.REJECTED and report.reject_reason == "照片看不清"
    assert report.points_awarded == 0
    assert (
        Notification.objects.get(user=report.reporter, kind="reports.rejected").body == "照片看不清"
    )


def test_reject__accepted_report_is_an_invalid_transition(tree, pool, reviewer):
    report = f.submitted(tree)
    report_accept(report=report, reviewer=reviewer)

    with pytest.raises(ApplicationError) as err:
        report_reject(report=report, reviewer=reviewer, reason="x")

    assert err.value.code == "reports.invalid_transition"


def test_duplicate__no_points_reporter_told_which_and_follows_the_original(
    tree, pool, reviewer, django_capture_on_commit_callbacks
):
    original = f.submitted(tree)
    dup = f.submitted(tree)

    with django_capture_on_commit_callbacks(execute=True):
        report_mark_duplicate(report=dup, reviewer=reviewer, original=original)

    dup.refresh_from_db()
    original.refresh_from_db()
    assert dup.state == State.DUPLICATE and dup.duplicate_of == original
    assert dup.points_awarded == 0 and balance_of(dup.reporter).available == 0
    assert ReportSupport.objects.filter(report=original, user=dup.reporter).exists()
    assert original.support_count == 1
    note = Notification.objects.get(user=dup.reporter, kind="reports.duplicate")
    assert f"#{original.pk}" in note.title


def test_duplicate__of_a_duplicate_points_at_the_root(tree, reviewer):
    root = f.submitted(tree)
    middle = f.submitted(tree)
    report_mark_duplicate(report=middle, reviewer=reviewer, original=root)
    last = f.submitted(tree)

    report_mark_duplicate(report=last, reviewer=reviewer, original=middle)

    last.refresh_from_db()
    assert last.duplicate_of == root


def test_duplicate__records_the_merge_on_the_original_with_its_audit_row(tree, reviewer):
    original = f.submitted(tree)
    dup = f.submitted(tree)

    report_mark_duplicate(report=dup, reviewer=reviewer, original=original, note="同一井盖")

    event = original.events.get(kind=EventKind.DUPLICATE_MERGED)
    assert event.actor == reviewer and event.internal_note == "同一井盖"
    assert event.data == {"duplicate": dup.pk, "supporter_added": True, "support_count": 1}
    audit = AuditLog.objects.get(action="reports.duplicate_merged")
    assert audit.object_id == str(original.pk) and audit.actor == reviewer


@pytest.mark.parametrize("where", ["original", "root"])
def test_duplicate__an_original_outside_the_area_answers_like_a_missing_one(tree, where):
    """The original is written to (support count, history): it must be the reviewer's too,
    and so must the report a chain of duplicates leads to."""
    reviewer = f.community_staff(tree, "A1a")
    outside = f.submitted(tree, point=f.IN_A1B_1)
    original = outside
    if where == "root":
        original = f.submitted(tree)
        street = staff(Role.STREET_ADMIN, tree["A1"])
        report_mark_duplicate(report=original, reviewer=street, original=outside)
    dup = f.submitted(tree)

    with pytest.raises(ApplicationError) as err:
        report_mark_duplicate(report=dup, reviewer=reviewer, original=original)

    missing = Report(pk=10**9)
    with pytest.raises(ApplicationError) as gone:
        report_mark_duplicate(report=dup, reviewer=reviewer, original=missing)
    assert err.value.as_dict() == gone.value.as_dict()
    assert (err.value.code, err.value.status) == ("reports.not_found", 404)
    dup.refresh_from_db()
    outside.refresh_from_db()
    assert dup.state == State.SUBMITTED
    assert outside.support_count == (0 if where == "original" else 1)
    assert not outside.events.filter(kind=EventKind.DUPLICATE_MERGED, data__duplicate=dup.pk)


@pytest.mark.parametrize("case", ["itself", "rejected"])
def test_duplicate__of_itself_or_of_a_rejected_report_is_refused(tree, reviewer, case):
    report = f.submitted(tree)
    original = report
    if case == "rejected":
        original = f.submitted(tree)
        report_reject(report=original, reviewer=reviewer, reason="不属实")

    with pytest.raises(ApplicationError) as err:
        report_mark_duplicate(report=report, reviewer=reviewer, original=original)

    expected = "reports.duplicate_of_itself" if case == "itself" else "reports.bad_original"
    assert err.value.code == expected
    report.refresh_from_db()
    assert report.state == State.SUBMITTED


def test_bulk_accept__does_what_it_can_and_names_the_failures(tree, pool, reviewer):
    mine = [f.submitted(tree) for _ in range(3)]
    elsewhere = f.submitted(tree, point=f.IN_A1B_1)
    report_reject(report=mine[2], reviewer=reviewer, reason="x")

    result = reports_bulk_accept(
        ids=[mine[0].pk, mine[1].pk, mine[2].pk, elsewhere.pk, 999999], reviewer=reviewer
    )

    assert result.done == [mine[0].pk, mine[1].pk]
    assert result.failed == {
        mine[2].pk: "reports.invalid_transition",
        elsewhere.pk: "reports.not_found",
        999999: "reports.not_found",
    }
    assert Report.objects.filter(state=State.ACCEPTED).count() == 2


def test_bulk_reject__needs_a_reason(tree, reviewer):
    report = f.submitted(tree)

    with pytest.raises(ApplicationError) as err:
        reports_bulk_reject(ids=[report.pk], reviewer=reviewer, reason="")
    result = reports_bulk_reject(ids=[report.pk], reviewer=reviewer, reason="非公共区域")

    assert err.value.code == "reports.reason_required"
    assert result.done == [report.pk]


def test_close_then_reject_is_refused(tree, pool, reviewer):
    report = f.submitted(tree)
    report_accept(report=report, reviewer=reviewer)
    report_close(report=report, reviewer=reviewer)

    with pytest.raises(ApplicationError) as err:
        report_reject(report=report, reviewer=reviewer, reason="x")

    assert err.value.code == "reports.invalid_transition"
