"""dispatch / resolve / close / reopen / reassign / assign / support / moderation."""

import datetime as dt

import pytest
from django.utils import timezone

from nuanxin.accounts.models import Role
from nuanxin.core.errors import ApplicationError
from nuanxin.core.models import AuditLog, Notification
from nuanxin.reports.models import EventKind, PhotoKind, Report, ReportSupport, State
from nuanxin.reports.selectors import (
    QueueFilter,
    events_for_reporter,
    is_overdue,
    reports_queue,
)
from nuanxin.reports.services import (
    photo_set_hidden,
    report_accept,
    report_assign,
    report_close,
    report_dispatch,
    report_edit_description,
    report_reassign,
    report_reject,
    report_reopen,
    report_resolve,
    report_support,
    reporter_reveal,
)
from tests.factories import staff
from tests.points.factories import funded_pool
from tests.reports import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(tree, reviewer):
    funded_pool(tree, "A1a", 1_000)
    report = f.submitted(tree, photos=[f.jpeg_bytes()])
    return report_accept(report=report, reviewer=reviewer)


def test_dispatch__records_the_department_and_tells_the_reporter(
    tree, accepted, reviewer, django_capture_on_commit_callbacks
):
    dept = f.department(name="消防救援大队")

    with django_capture_on_commit_callbacks(execute=True):
        report_dispatch(report=accepted, reviewer=reviewer, department=dept, note="请尽快处理")

    accepted.refresh_from_db()
    assert accepted.state == State.DISPATCHED and accepted.department == dept
    event = accepted.events.get(kind=EventKind.DISPATCHED)
    assert event.data == {"department": dept.code}
    note = Notification.objects.get(user=accepted.reporter, kind="reports.dispatched")
    assert "消防救援大队" in note.title


def test_dispatch__before_acceptance_is_an_invalid_transition(tree, reviewer):
    report = f.submitted(tree)

    with pytest.raises(ApplicationError) as err:
        report_dispatch(report=report, reviewer=reviewer, department=f.department())

    assert err.value.code == "reports.invalid_transition"


def test_dispatch__to_an_inactive_department_is_refused(tree, accepted, reviewer):
    with pytest.raises(ApplicationError) as err:
        report_dispatch(
            report=accepted, reviewer=reviewer, department=f.department(is_active=False)
        )

    assert err.value.code == "reports.department_inactive"


def test_resolve__needs_a_note_and_keeps_an_optional_cleaned_photo(tree, accepted, reviewer):
    with pytest.raises(ApplicationError) as err:
        report_resolve(report=accepted, reviewer=reviewer, note="")
    report_resolve(report=accepted, reviewer=reviewer, note="已清理", photo=f.jpeg_bytes())

    assert err.value.code == "reports.note_required"
    accepted.refresh_from_db()
    assert accepted.state == State.RESOLVED and accepted.resolution_note == "已清理"
    assert accepted.resolved_at is not None
    assert accepted.photos.filter(kind=PhotoKind.RESOLUTION, uploaded_by=reviewer).count() == 1


def test_resolve__with_a_bad_photo_changes_nothing(tree, accepted, reviewer):
    with pytest.raises(ApplicationError) as err:
        report_resolve(report=accepted, reviewer=reviewer, note="好了", photo=b"nope")

    assert err.value.code == "images.unsupported_format"
    accepted.refresh_from_db()
    assert accepted.state == State.ACCEPTED


def test_close__from_resolved(tree, accepted, reviewer):
    report_resolve(report=accepted, reviewer=reviewer, note="好了")

    report_close(report=accepted, reviewer=reviewer, note="办结")

    accepted.refresh_from_db()
    assert accepted.state == State.CLOSED


def test_close__a_submitted_report_is_an_invalid_transition(tree, reviewer):
    with pytest.raises(ApplicationError) as err:
        report_close(report=f.submitted(tree), reviewer=reviewer)

    assert err.value.code == "reports.invalid_transition"


def test_reopen__by_the_reporter_within_the_window_resets_the_deadline(tree, accepted, reviewer):
    report_resolve(report=accepted, reviewer=reviewer, note="好了")

    report_reopen(report=accepted, reporter=accepted.reporter, reason="井盖还是没有")

    accepted.refresh_from_db()
    assert accepted.state == State.REOPENED and accepted.reopen_count == 1
    assert accepted.due_at > timezone.now() + dt.timedelta(hours=47)
    assert list(reports_queue(reviewer, QueueFilter(waiting=True))) == [accepted]


def test_reopen__by_someone_else_finds_no_such_report(tree, accepted, reviewer):
    report_resolve(report=accepted, reviewer=reviewer, note="好了")

    with pytest.raises(ApplicationError) as err:
        report_reopen(report=accepted, reporter=f.worker(tree), reason="x")

    assert (err.value.code, err.value.status) == ("reports.not_found", 404)


def test_reopen__after_the_window_is_refused(tree, accepted, reviewer, settings):
    settings.REPORTS_REOPEN_DAYS = 3
    report_resolve(report=accepted, reviewer=reviewer, note="好了")
    Report.objects.filter(pk=accepted.pk).update(
        state_changed_at=timezone.now() - dt.timedelta(days=4)
    )

    with pytest.raises(ApplicationError) as err:
        report_reopen(report=accepted, reporter=accepted.reporter, reason="没修")

    assert err.value.code == "reports.reopen_window_passed"


def test_reopen__an_open_report_is_an_invalid_transition(tree, accepted):
    with pytest.raises(ApplicationError) as err:
        report_reopen(report=accepted, reporter=accepted.reporter, reason="x")

    assert err.value.code == "reports.invalid_transition"


def test_reopen__limit(tree, accepted, reviewer):
    for _ in range(3):
        report_resolve(report=accepted, reviewer=reviewer, note="好了")
        report_reopen(report=accepted, reporter=accepted.reporter, reason="没修")
    report_resolve(report=accepted, reviewer=reviewer, note="好了")

    with pytest.raises(ApplicationError) as err:
        report_reopen(report=accepted, reporter=accepted.reporter, reason="没修")

    assert err.value.code == "reports.reopen_limit"


def test_reassign__moves_a_misrouted_report_to_the_next_communitys_queue(
    tree, reviewer, django_capture_on_commit_callbacks
):
    report = f.submitted(tree)
    next_door = f.community_staff(tree, "A1b")

    with django_capture_on_commit_callbacks(execute=True):
        report_reassign(report=report, reviewer=reviewer, region=tree["A1b"], note="在路对面")

    report.refresh_from_db()
    assert report.region == tree["A1b"] and report.community == tree["A1b"]
    assert list(reports_queue(next_door)) == [report]
    assert list(reports_queue(reviewer)) == []
    assert Notification.objects.filter(user=report.reporter, kind="reports.reassigned").exists()
    event = report.events.get(kind=EventKind.REASSIGNED)
    assert event.data == {"from": tree["A1a-1"].code, "to": tree["A1b"].code}


@pytest.mark.parametrize(
    "target,code", [("A1", "reports.bad_region"), ("A1a-1", "reports.same_region")]
)
def test_reassign__to_a_street_or_the_same_region_is_refused(tree, reviewer, target, code):
    report = f.submitted(tree)

    with pytest.raises(ApplicationError) as err:
        report_reassign(report=report, reviewer=reviewer, region=tree[target])

    assert err.value.code == code


def test_reassign__by_staff_of_another_community_finds_no_such_report(tree):
    report = f.submitted(tree)

    with pytest.raises(ApplicationError) as err:
        report_reassign(report=report, reviewer=f.community_staff(tree, "A1b"), region=tree["A1b"])

    assert (err.value.code, err.value.status) == ("reports.not_found", 404)


def test_assign__to_a_colleague_covering_the_area(tree, reviewer):
    report = f.submitted(tree)
    colleague = f.community_staff(tree, "A1a")
    street = staff(Role.STREET_ADMIN, tree["A1"])

    report_assign(report=report, reviewer=reviewer, assignee=colleague)
    assert list(reports_queue(colleague, QueueFilter(assignee="me"))) == [report]
    report_assign(report=report, reviewer=reviewer, assignee=street)

    report.refresh_from_db()
    assert report.assignee == street
    assert not events_for_reporter(report).filter(kind=EventKind.ASSIGNED).exists()


@pytest.mark.parametrize("who", ["next_door", "worker"])
def test_assign__to_someone_outside_the_area_is_refused(tree, reviewer, who):
    report = f.submitted(tree)
    other = f.community_staff(tree, "A1b") if who == "next_door" else f.worker(tree)

    with pytest.raises(ApplicationError) as err:
        report_assign(report=report, reviewer=reviewer, assignee=other)

    assert err.value.code == "reports.bad_assignee"


def test_support__adds_to_an_open_report_once(tree):
    report = f.submitted(tree)
    other = f.worker(tree)

    report_support(report=report, user=other, note="我也看到了")
    with pytest.raises(ApplicationError) as again:
        report_support(report=report, user=other)
    with pytest.raises(ApplicationError) as own:
        report_support(report=report, user=report.reporter)

    report.refresh_from_db()
    assert report.support_count == 1
    assert ReportSupport.objects.filter(report=report, user=other).exists()
    assert again.value.code == "reports.already_supported"
    assert own.value.code == "reports.own_report"


def test_support__closed_report_is_refused(tree, accepted, reviewer):
    report_close(report=accepted, reviewer=reviewer)

    with pytest.raises(ApplicationError) as err:
        report_support(report=accepted, user=f.worker(tree))

    assert err.value.code == "reports.not_open"


def test_support__a_rejected_report_answers_like_a_missing_one(tree, reviewer):
    """The public never sees rejected reports or duplicates: supporting one tells nothing of
    its state, and the reporter's own closed report is refused as their own first."""
    rejected = f.submitted(tree)
    report_reject(report=rejected, reviewer=reviewer, reason="不属实")

    with pytest.raises(ApplicationError) as hidden:
        report_support(report=rejected, user=f.worker(tree))
    with pytest.raises(ApplicationError) as own:
        report_support(report=rejected, user=rejected.reporter)

    assert hidden.value.as_dict() == {"code": "reports.not_found", "message": "问题不存在。",
                                      "extra": {}}  # fmt: skip
    assert own.value.code == "reports.not_found"
    rejected.refresh_from_db()
    assert rejected.support_count == 0


def test_support__ones_own_report_is_refused_before_its_state(tree, accepted, reviewer):
    report_close(report=accepted, reviewer=reviewer)

    with pytest.raises(ApplicationError) as own:
        report_support(report=accepted, user=accepted.reporter)

    assert own.value.code == "reports.own_report"


def test_overdue__open_report_past_its_handling_time_is_flagged(tree, reviewer):
    late = f.submitted(tree)
    on_time = f.submitted(tree)
    Report.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    late.refresh_from_db()

    assert is_overdue(late) and not is_overdue(on_time)
    assert list(reports_queue(reviewer, QueueFilter(overdue=True))) == [late]
    assert list(reports_queue(reviewer, QueueFilter(overdue=False))) == [on_time]


def test_moderation__hide_photo_and_edit_text_keep_the_original_in_history(
    tree, accepted, reviewer
):
    photo = accepted.photos.get()

    with pytest.raises(ApplicationError) as err:
        photo_set_hidden(photo=photo, moderator=reviewer, hidden=True, reason="")
    photo_set_hidden(photo=photo, moderator=reviewer, hidden=True, reason="有人脸")
    report_edit_description(
        report=accepted, moderator=reviewer, description="消防通道被堵", reason="删除电话号码"
    )

    assert err.value.code == "reports.reason_required"
    photo.refresh_from_db()
    accepted.refresh_from_db()
    assert photo.hidden and photo.hidden_reason == "有人脸"
    assert accepted.description == "消防通道被堵"
    assert accepted.original_description == "消防通道被电动车堵住了"
    edit = accepted.events.get(kind=EventKind.TEXT_EDITED)
    assert edit.data == {"before": "消防通道被电动车堵住了", "after": "消防通道被堵"}
    assert not events_for_reporter(accepted).filter(kind=EventKind.PHOTO_HIDDEN).exists()


def test_moderation__by_staff_of_another_community_finds_no_such_report(tree, accepted):
    with pytest.raises(ApplicationError) as err:
        report_edit_description(
            report=accepted,
            moderator=f.community_staff(tree, "A1b"),
            description="x",
            reason="y",
        )

    assert (err.value.code, err.value.status) == ("reports.not_found", 404)


def test_reporter_reveal__is_audited_with_its_purpose(tree, accepted, reviewer):
    with pytest.raises(ApplicationError) as err:
        reporter_reveal(report=accepted, viewer=reviewer, purpose="")
    contact = reporter_reveal(report=accepted, viewer=reviewer, purpose="回访核实")

    assert err.value.code == "reports.purpose_required"
    assert contact["phone"] == accepted.reporter.phone
    log = AuditLog.objects.get(action="reports.reporter_viewed")
    assert log.actor == reviewer and log.note == "回访核实"


def test_each_change_is_recorded_under_its_own_kind(tree, reviewer):
    from nuanxin.reports.services import report_photo_add, report_set_public_hidden

    report = f.submitted(tree)
    report_photo_add(report=report, user=report.reporter, photo=f.jpeg_bytes())
    report_set_public_hidden(report=report, moderator=reviewer, hidden=True, reason="涉及隐私")
    report_set_public_hidden(report=report, moderator=reviewer, hidden=False)

    kinds = list(report.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        EventKind.SUBMITTED,
        EventKind.PHOTO_ADDED,
        EventKind.PUBLIC_HIDDEN,
        EventKind.PUBLIC_SHOWN,
    ]
    hidden = AuditLog.objects.filter(object_id=str(report.pk)).order_by("pk")
    assert [a.after.get("public_hidden") for a in hidden][-2:] == [True, False]
