"""Handling after acceptance: dispatch, resolve, close, reopen by the reporter, reassign to the
right community, assign to a colleague."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.accounts.models import ROLE_REGION_LEVEL
from nuanxin.core import texts
from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.core.files import removed_unless_committed
from nuanxin.core.images import ImageSource
from nuanxin.core.scoping import in_jurisdiction
from nuanxin.geo.models import Region
from nuanxin.reports.models import (
    OPEN_STATES,
    Department,
    EventKind,
    PhotoKind,
    Report,
    State,
)
from nuanxin.reports.photos import photo_attach, photo_clean
from nuanxin.reports.routing import ROUTABLE_LEVELS, community_of, route_department
from nuanxin.reports.services._common import (
    assignee_refused,
    before_of,
    clean_text,
    lock,
    move,
    record,
    reopen_days,
    require_reporter,
    require_staff,
    require_state,
    tell_reporter,
)

DISPATCHABLE = (State.ACCEPTED, State.DISPATCHED, State.REOPENED)
RESOLVABLE = (State.ACCEPTED, State.DISPATCHED, State.REOPENED)
CLOSABLE = (State.ACCEPTED, State.DISPATCHED, State.RESOLVED, State.REOPENED)
REOPENABLE = (State.RESOLVED, State.CLOSED)
MAX_REOPENS = 3


@transaction.atomic
def report_dispatch(
    *, report: Report, reviewer: Any, department: Department, note: str = ""
) -> Report:
    """Hand an accepted report to a department to fix."""
    report = lock(report)
    require_staff(reviewer, report)
    require_state(report, DISPATCHABLE, "dispatch")
    if not department.is_active:
        raise ApplicationError("reports.department_inactive", _("该部门已停用。"))
    text = clean_text(note, field="note", required=False)
    before = before_of(report)
    from_state = move(report, State.DISPATCHED, department=department)
    record(
        report,
        kind=EventKind.DISPATCHED,
        actor=reviewer,
        before=before,
        from_state=from_state,
        public_note=text,
        data={"department": department.code},
    )
    tell_reporter(
        report,
        kind="dispatched",
        title=texts.text(
            gettext_noop("随手拍 #%(id)d 已派给%(dept)s"), id=report.pk, dept=department.name
        ),
        body=text,
    )
    return report


def report_resolve(
    *, report: Report, reviewer: Any, note: str, photo: ImageSource | None = None
) -> Report:
    """Mark a report resolved with a note (shown to the reporter) and an optional photo."""
    text = clean_text(note, field="note", required=True)
    clean = photo_clean(photo) if photo is not None else None
    with removed_unless_committed() as files, transaction.atomic():
        report = lock(report)
        require_staff(reviewer, report)
        require_state(report, RESOLVABLE, "resolve")
        before = before_of(report)
        from_state = move(report, State.RESOLVED, resolution_note=text, resolved_at=timezone.now())
        if clean is not None:
            photo_attach(report, clean, kind=PhotoKind.RESOLUTION, by=reviewer, files=files)
        record(
            report,
            kind=EventKind.RESOLVED,
            actor=reviewer,
            before=before,
            from_state=from_state,
            public_note=text,
            data={"photo": clean is not None},
        )
        tell_reporter(
            report,
            kind="resolved",
            title=texts.text(gettext_noop("随手拍 #%(id)d 已解决"), id=report.pk),
            body=[
                text,
                texts.text(
                    gettext_noop("如问题仍未解决，可在 %(n)d 天内重新打开。"), n=reopen_days()
                ),
            ],
        )
    return report


@transaction.atomic
def report_close(*, report: Report, reviewer: Any, note: str = "") -> Report:
    report = lock(report)
    require_staff(reviewer, report)
    require_state(report, CLOSABLE, "close")
    text = clean_text(note, field="note", required=False)
    before = before_of(report)
    from_state = move(report, State.CLOSED)
    record(
        report,
        kind=EventKind.CLOSED,
        actor=reviewer,
        before=before,
        from_state=from_state,
        public_note=text,
    )
    tell_reporter(
        report,
        kind="closed",
        title=texts.text(gettext_noop("随手拍 #%(id)d 已关闭"), id=report.pk),
        body=text,
    )
    return report


@transaction.atomic
def report_reopen(*, report: Report, reporter: Any, reason: str) -> Report:
    """The reporter reopens a resolved or closed report within ``REPORTS_REOPEN_DAYS``."""
    report = lock(report)
    require_reporter(reporter, report)
    require_state(report, REOPENABLE, "reopen")
    if timezone.now() - report.state_changed_at > dt.timedelta(days=reopen_days()):
        raise conflict(
            "reports.reopen_window_passed",
            _("已超过 %(n)d 天，不能重新打开，请重新上报。") % {"n": reopen_days()},
            days=reopen_days(),
        )
    if report.reopen_count >= MAX_REOPENS:
        raise conflict("reports.reopen_limit", _("该问题重新打开次数已达上限。"), max=MAX_REOPENS)
    text = clean_text(reason, field="reason", required=True)
    before = before_of(report)
    now = timezone.now()
    from_state = move(
        report,
        State.REOPENED,
        reopen_count=report.reopen_count + 1,
        due_at=now + dt.timedelta(hours=report.category.handling_hours),
    )
    record(
        report,
        kind=EventKind.REOPENED,
        actor=reporter,
        before=before,
        from_state=from_state,
        public_note=text,
    )
    tell_reporter(
        report,
        kind="reopened",
        title=texts.text(gettext_noop("随手拍 #%(id)d 已重新打开"), id=report.pk),
        body=texts.text(gettext_noop("工作人员会再次处理。")),
    )
    return report


@transaction.atomic
def report_reassign(*, report: Report, reviewer: Any, region: Region, note: str = "") -> Report:
    """Move a misrouted report to another community (or grid); the new area's staff see it."""
    report = lock(report)
    require_staff(reviewer, report)
    require_state(report, OPEN_STATES, "reassign")
    if region.level not in ROUTABLE_LEVELS:
        raise ApplicationError(
            "reports.bad_region", _("只能转交到社区或网格。"), extra={"region": region.code}
        )
    if region.pk == report.region_id:
        raise ApplicationError("reports.same_region", _("已在该区域。"))
    text = clean_text(note, field="note", required=False)
    before = before_of(report)
    old_region = report.region
    report.region = region
    report.community = community_of(region)
    report.department = route_department(report.category, region)
    report.assignee = None
    report.save(update_fields=["region", "community", "department", "assignee", "updated_at"])
    record(
        report,
        kind=EventKind.REASSIGNED,
        actor=reviewer,
        before=before,
        from_state=report.state,
        public_note=_("已转交至%(name)s") % {"name": region.full_name()},
        internal_note=text,
        data={"from": old_region.code, "to": region.code},
    )
    tell_reporter(
        report,
        kind="reassigned",
        title=texts.text(gettext_noop("随手拍 #%(id)d 已转交"), id=report.pk),
        body=texts.text(gettext_noop("已转交至%(name)s处理。"), name=region.full_name()),
    )
    return report


@transaction.atomic
def report_assign(*, report: Report, reviewer: Any, assignee: Any | None) -> Report:
    """Give a report to a colleague whose jurisdiction covers it (None takes it back)."""
    report = lock(report)
    require_staff(reviewer, report)
    require_state(report, OPEN_STATES, "assign")
    if assignee is not None and (
        getattr(assignee, "role", None) not in ROLE_REGION_LEVEL
        or not assignee.is_active
        or not in_jurisdiction(assignee, report.region)
    ):
        raise assignee_refused()
    before = before_of(report)
    report.assignee = assignee
    report.save(update_fields=["assignee", "updated_at"])
    record(
        report,
        kind=EventKind.ASSIGNED,
        actor=reviewer,
        before=before,
        from_state=report.state,
        internal_note=str(assignee) if assignee else "",
        data={"assignee": assignee.pk if assignee else None},
        visible=False,
    )
    return report
