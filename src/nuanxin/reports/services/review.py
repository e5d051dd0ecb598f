"""Review: accept (pays points once), reject with a reason, mark as a duplicate; and in bulk."""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.core import texts
from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.core.scoping import require_in_scope_or_404, scope_to_jurisdiction
from nuanxin.points.rules import shortfall_message
from nuanxin.reports.models import (
    EventKind,
    Report,
    ReportSupport,
    State,
)
from nuanxin.reports.selectors import original_missing, report_missing
from nuanxin.reports.services._common import (
    before_of,
    clean_text,
    lock,
    move,
    record,
    require_staff,
    require_state,
    tell_reporter,
)
from nuanxin.reports.services.award import award_points

ACCEPTABLE = (State.SUBMITTED, State.REOPENED)
REJECTABLE = (State.SUBMITTED,)
DUPLICABLE = (State.SUBMITTED,)
BULK_MAX = 100


def _not_own(report: Report, reviewer: Any) -> None:
    if report.reporter_id is not None and report.reporter_id == getattr(reviewer, "pk", None):
        raise ApplicationError("reports.own_report", _("不能审核自己提交的问题。"), status=403)


@transaction.atomic
def report_accept(*, report: Report, reviewer: Any, note: str = "") -> Report:
    """Accept a report and pay the category's points, once per report.

    A reopened report that was accepted before goes back to accepted without paying again. If
    the community's pool cannot pay, ``points.budget_exhausted`` leaves everything as it was.
    """
    report = lock(report)
    require_staff(reviewer, report)
    require_state(report, ACCEPTABLE, "accept")
    _not_own(report, reviewer)
    text = clean_text(note, field="note", required=False)
    before = before_of(report)
    first_time = report.accepted_at is None
    award: dict[str, Any] = {}
    if first_time:
        points, limited_by = award_points(report=report, reviewer=reviewer)
        award = {"points_awarded": points, "points_limited_by": limited_by}
        award["accepted_at"] = timezone.now()
    from_state = move(report, State.ACCEPTED, **award)
    record(
        report,
        kind=EventKind.ACCEPTED,
        actor=reviewer,
        before=before,
        from_state=from_state,
        public_note=text,
        data={"points": report.points_awarded if first_time else 0},
    )
    if first_time and report.points_awarded:
        body = [
            texts.text(gettext_noop("感谢您的随手拍，获得 %(n)d 积分。"), n=report.points_awarded)
        ]
        if report.points_limited_by:
            body.append(shortfall_message(report.points_limited_by) or "")
    elif first_time and report.points_requested and report.points_limited_by:
        body = texts.text(
            gettext_noop("感谢您的随手拍。本次未获得积分：%(why)s"),
            why=shortfall_message(report.points_limited_by) or "",
        )
    else:
        body = text or texts.text(gettext_noop("问题已受理，正在处置。"))
    tell_reporter(
        report,
        kind="accepted",
        title=texts.text(gettext_noop("随手拍 #%(id)d 已受理"), id=report.pk),
        body=body,
    )
    return report


@transaction.atomic
def report_reject(*, report: Report, reviewer: Any, reason: str) -> Report:
    """Reject a report; the reason is shown to the reporter. No points."""
    report = lock(report)
    require_staff(reviewer, report)
    require_state(report, REJECTABLE, "reject")
    _not_own(report, reviewer)
    reason = clean_text(reason, field="reason", required=True)
    before = before_of(report)
    from_state = move(report, State.REJECTED, reject_reason=reason)
    record(
        report,
        kind=EventKind.REJECTED,
        actor=reviewer,
        before=before,
        from_state=from_state,
        public_note=reason,
    )
    tell_reporter(
        report,
        kind="rejected",
        title=texts.text(gettext_noop("随手拍 #%(id)d 未通过审核"), id=report.pk),
        body=reason,
    )
    return report


def _root(original: Report) -> Report:
    """The report a chain of duplicates ends at, read fresh from the database."""
    current = Report.objects.get(pk=original.pk)
    seen = {current.pk}
    while current.duplicate_of_id is not None and current.duplicate_of_id not in seen:
        seen.add(current.duplicate_of_id)
        current = Report.objects.get(pk=current.duplicate_of_id)
    return current


def _lock_pair(report: Report, original: Report | None) -> tuple[Report | None, Report | None]:
    """Both reports under row locks, taken in id order: two reviewers marking each report a
    duplicate of the other wait for one another instead of deadlocking. None for one that is
    gone."""
    ids = {report.pk} | ({original.pk} if original is not None else set())
    locked = {
        r.pk: r
        for r in Report.objects.select_for_update(of=("self",))
        .select_related("category", "region", "community", "reporter")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    return locked.get(report.pk), locked.get(original.pk) if original is not None else None


@transaction.atomic
def report_mark_duplicate(
    *, report: Report, reviewer: Any, original: Report, note: str = ""
) -> Report:
    """Mark a report as the same problem as ``original``: no points, the reporter is told which
    report carries on and follows it as a supporter, and the original's history says so.

    Both reports must lie in the reviewer's area (the original too: it is written to); one
    outside it answers like a missing one. Follows a chain of duplicates to the report that
    carries on. Raises reports.not_found, reports.invalid_transition, reports.own_report,
    reports.duplicate_of_itself, reports.bad_original.
    """
    named = Report.objects.select_related("region").filter(pk=original.pk).first()
    report, root = _lock_pair(report, _root(named) if named is not None else None)
    if report is None:
        raise report_missing()
    require_staff(reviewer, report)
    require_state(report, DUPLICABLE, "duplicate")
    _not_own(report, reviewer)
    # The original as named and the report its chain ends at (the one written to) must both
    # be the reviewer's to see; otherwise they answer like a report that does not exist.
    if named is None or root is None:
        raise original_missing()
    require_in_scope_or_404(reviewer, named.region, original_missing())
    require_in_scope_or_404(reviewer, root.region, original_missing())
    if root.pk == report.pk:
        raise ApplicationError("reports.duplicate_of_itself", _("不能标记为与自身重复。"))
    if root.state in (State.REJECTED, State.DUPLICATE):
        raise conflict("reports.bad_original", _("原问题未通过或已是重复问题。"), original=root.pk)
    text = clean_text(note, field="note", required=False)
    before = before_of(report)
    from_state = move(report, State.DUPLICATE, duplicate_of=root)
    reporter = report.reporter
    followed = (
        reporter is not None
        and reporter.pk != root.reporter_id
        and not ReportSupport.objects.filter(report=root, user=reporter).exists()
    )
    original_before = before_of(root)
    if followed:
        ReportSupport.objects.create(report=root, user=reporter, note=report.description[:500])
        Report.objects.filter(pk=root.pk).update(support_count=F("support_count") + 1)
        root.support_count += 1
    record(
        report,
        kind=EventKind.DUPLICATE,
        actor=reviewer,
        before=before,
        from_state=from_state,
        public_note=text,
        data={"original": root.pk},
    )
    record(
        root,
        kind=EventKind.DUPLICATE_MERGED,
        actor=reviewer,
        before=original_before,
        from_state=root.state,
        public_note=_("另一条相同问题的随手拍已合并到本问题。"),
        internal_note=text,
        data={"duplicate": report.pk, "supporter_added": followed,
              "support_count": root.support_count},
    )  # fmt: skip
    tell_reporter(
        report,
        kind="duplicate",
        title=texts.text(
            gettext_noop("随手拍 #%(id)d 与 #%(original)d 是同一问题"),
            id=report.pk,
            original=root.pk,
        ),
        body=text
        or texts.text(
            gettext_noop("该问题已有人上报，将在 #%(original)d 中跟进处理。"), original=root.pk
        ),
    )
    return report


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def _bulk(ids: list[int], reviewer: Any, action: Any) -> BulkResult:
    if len(ids) > BULK_MAX:
        raise ApplicationError(
            "reports.bulk_too_many",
            _("一次最多处理 %(n)d 条。") % {"n": BULK_MAX},
            extra={"max": BULK_MAX},
        )
    visible = scope_to_jurisdiction(Report.objects.filter(pk__in=ids), reviewer)
    by_id = {r.pk: r for r in visible}
    result = BulkResult()
    for report_id in dict.fromkeys(ids):
        report = by_id.get(report_id)
        if report is None:
            result.failed[report_id] = "reports.not_found"
            continue
        try:
            action(report)
        except ApplicationError as exc:
            result.failed[report_id] = exc.code
        else:
            result.done.append(report_id)
    return result


def reports_bulk_accept(*, ids: list[int], reviewer: Any, note: str = "") -> BulkResult:
    """Accept each report in its own transaction; one that fails leaves the others done."""
    return _bulk(ids, reviewer, lambda r: report_accept(report=r, reviewer=reviewer, note=note))


def reports_bulk_reject(*, ids: list[int], reviewer: Any, reason: str) -> BulkResult:
    clean_text(reason, field="reason", required=True)
    return _bulk(ids, reviewer, lambda r: report_reject(report=r, reviewer=reviewer, reason=reason))
