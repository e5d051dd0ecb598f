"""Moderation: hide a photo, edit the text (the original stays in the history), keep a report
off the public map, and the audited look at who reported it."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core.masking import mask_phone
from nuanxin.core.reveals import reveal_allow
from nuanxin.reports.models import EventKind, Report, ReportPhoto
from nuanxin.reports.services._common import before_of, clean_text, lock, record, require_staff
from nuanxin.reports.services.submit import MAX_DESCRIPTION


@transaction.atomic
def photo_set_hidden(
    *, photo: ReportPhoto, moderator: Any, hidden: bool, reason: str = ""
) -> ReportPhoto:
    """Hide a photo (a face, a plate, something improper) or show it again."""
    report = lock(photo.report)
    require_staff(moderator, report)
    text = clean_text(reason, field="reason", required=hidden, max_length=200)
    photo = ReportPhoto.objects.select_for_update().get(pk=photo.pk)
    before = before_of(report)
    photo.hidden = hidden
    photo.hidden_reason = text if hidden else ""
    photo.save(update_fields=["hidden", "hidden_reason"])
    record(
        report,
        kind=EventKind.PHOTO_HIDDEN if hidden else EventKind.PHOTO_SHOWN,
        actor=moderator,
        before=before,
        from_state=report.state,
        internal_note=text,
        data={"photo": photo.pk},
        visible=False,
    )
    return photo


@transaction.atomic
def report_edit_description(
    *, report: Report, moderator: Any, description: str, reason: str
) -> Report:
    """Replace the description (e.g. remove a phone number); the history keeps both texts."""
    report = lock(report)
    require_staff(moderator, report)
    text = clean_text(description, field="description", required=True, max_length=MAX_DESCRIPTION)
    why = clean_text(reason, field="reason", required=True, max_length=200)
    before = before_of(report)
    old = report.description
    if not report.original_description:
        report.original_description = old
    report.description = text
    report.save(update_fields=["description", "original_description", "updated_at"])
    record(
        report,
        kind=EventKind.TEXT_EDITED,
        actor=moderator,
        before=before,
        from_state=report.state,
        public_note=_("工作人员编辑了问题描述。"),
        internal_note=why,
        data={"before": old, "after": text},
    )
    return report


@transaction.atomic
def report_set_public_hidden(
    *, report: Report, moderator: Any, hidden: bool, reason: str = ""
) -> Report:
    report = lock(report)
    require_staff(moderator, report)
    text = clean_text(reason, field="reason", required=hidden, max_length=200)
    before = before_of(report)
    report.public_hidden = hidden
    report.save(update_fields=["public_hidden", "updated_at"])
    record(
        report,
        kind=EventKind.PUBLIC_HIDDEN if hidden else EventKind.PUBLIC_SHOWN,
        actor=moderator,
        before=before,
        from_state=report.state,
        internal_note=text,
        data={"public_hidden": hidden},
        visible=False,
    )
    return report


@transaction.atomic
def reporter_reveal(*, report: Report, viewer: Any, purpose: str) -> dict[str, str]:
    """The reporter's full contact details for staff who must call back; every look is
    recorded with its purpose (PIPL) and counted against the viewer's hourly budget of reveals
    (``core.reveals``); lists only ever show the masked number.

    Raises reports.not_found, reports.purpose_required, reveal.rate_limited.
    """
    report = lock(report)
    require_staff(viewer, report)
    why = clean_text(purpose, field="purpose", required=True, max_length=200)
    reveal_allow(actor=viewer)
    record(
        report,
        kind=EventKind.REPORTER_VIEWED,
        actor=viewer,
        before=before_of(report),
        from_state=report.state,
        internal_note=why,
        visible=False,
    )
    person = report.reporter
    return {
        "name": (person.name if person else report.contact_name) or "",
        "phone": (person.phone if person else report.contact_phone) or "",
        "email": report.contact_email,
        "masked_phone": mask_phone(person.phone if person else report.contact_phone),
    }
