"""What every report service shares: locking, state checks, history, audit, notifications."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.core.notifications import Content, notification_send
from nuanxin.core.scoping import require_in_scope_or_404
from nuanxin.reports.models import Report, ReportEvent, State
from nuanxin.reports.selectors import report_missing

AUDIT_FIELDS = [
    "state",
    "region",
    "community",
    "department",
    "assignee",
    "duplicate_of",
    "points_awarded",
    "description",
    "public_hidden",
    "due_at",
]
MAX_NOTE = 2000


def move(report: Report, state: str, **fields: Any) -> str:
    """Put a (locked) report into ``state``, with the fields that go with the step; returns the
    state it left. Every transition goes through here, so ``state_changed_at`` is always kept."""
    from_state = report.state
    report.state = state
    report.state_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(report, name, value)
    report.save(update_fields=["state", "state_changed_at", "updated_at", *fields])
    return from_state


def reopen_days() -> int:
    return int(getattr(settings, "REPORTS_REOPEN_DAYS", 7))


def lock(report: Report) -> Report:
    """The report re-read under a row lock; every transition works on this copy.

    Must be called inside the service's transaction.
    """
    locked = (
        Report.objects.select_for_update(of=("self",))
        .select_related("category", "region", "community", "reporter")
        .filter(pk=report.pk)
        .first()
    )
    if locked is None:
        raise report_missing()
    return locked


def require_state(report: Report, allowed: Iterable[str], action: str) -> None:
    if report.state not in set(allowed):
        raise conflict(
            "reports.invalid_transition",
            _("当前状态（%(state)s）不能执行此操作。") % {"state": report.get_state_display()},
            state=report.state,
            action=action,
        )


def require_staff(user: Any, report: Report) -> None:
    """Staff may act on a report only inside their jurisdiction; to anyone else it does not
    exist (checked before the report's state, which must not leak either)."""
    require_in_scope_or_404(user, report.region, report_missing())


def assignee_refused() -> ApplicationError:
    """A colleague who cannot take a report, whether the id is unknown or the person does not
    cover the area: one answer for both."""
    return ApplicationError("reports.bad_assignee", _("该同事不负责这一区域。"))


def require_reporter(user: Any, report: Report) -> None:
    """Only the reporter acts on their report as its owner; to others it does not exist."""
    if report.reporter_id is None or report.reporter_id != getattr(user, "pk", None):
        raise report_missing()


def clean_text(value: str | None, *, field: str, required: bool, max_length: int = MAX_NOTE) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ApplicationError(
            f"reports.{field}_required", _("请填写说明。"), extra={"field": field}
        )
    if len(text) > max_length:
        raise ApplicationError(
            "reports.text_too_long",
            _("文字过长（最多 %(n)d 字）。") % {"n": max_length},
            extra={"field": field, "max_length": max_length},
        )
    return text


def record(
    report: Report,
    *,
    kind: str,
    actor: Any,
    before: dict[str, Any],
    from_state: str = "",
    public_note: str = "",
    internal_note: str = "",
    data: dict[str, Any] | None = None,
    visible: bool = True,
) -> ReportEvent:
    """The history row and the audit row of one step, written in the step's transaction."""
    event = ReportEvent.objects.create(
        report=report,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        from_state=from_state,
        to_state=report.state,
        public_note=public_note,
        internal_note=internal_note,
        data=data or {},
        visible_to_reporter=visible,
    )
    audit_record(
        actor=actor,
        action=f"reports.{kind}",
        obj=report,
        before=before,
        after=snapshot(report, AUDIT_FIELDS),
        note=internal_note or public_note,
        region_path=report.region.path,
    )
    return event


def before_of(report: Report) -> dict[str, Any]:
    return snapshot(report, AUDIT_FIELDS)


def tell_reporter(report: Report, *, kind: str, title: Content, body: Content = "") -> None:
    """A notification (on commit) to the reporter, if the report has a user behind it."""
    if report.reporter_id is None:
        return
    notification_send(
        user=report.reporter,
        kind=f"reports.{kind}",
        title=title,
        body=body,
        url=reverse("reports:mine_detail", args=[report.pk]),
    )


def state_label(state: str) -> str:
    return str(State(state).label)
