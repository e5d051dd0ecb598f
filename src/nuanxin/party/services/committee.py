"""The city committee (两新工委): member departments over time, meetings and action items.

The committee is the city's: its records are kept by city-level party staff."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError, conflict, forbidden, not_found
from nuanxin.core.scoping import jurisdiction_path
from nuanxin.party.access import require_party_staff
from nuanxin.party.models import (
    ActionItem,
    ActionStatus,
    CommitteeDepartment,
    CommitteeMeeting,
    CommitteeMeetingKind,
    CommitteeSeat,
)
from nuanxin.party.selectors.committee import departments_on


def require_city_party_staff(actor: Any) -> None:
    if actor is None:
        return
    require_party_staff(actor)
    path = jurisdiction_path(actor)
    if path is None or path.count("/") > 1:
        raise forbidden("party.city_only", _("工委成员单位和会议由市级党务工作者管理。"))


def _invalid(code: str, message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(f"party.{code}", message, extra=extra)


def action_item_missing() -> ApplicationError:
    return not_found("party.action_item_not_found", _("督办事项不存在。"))


def department_missing() -> ApplicationError:
    return not_found("party.department_not_found", _("成员单位不存在。"))


def committee_meeting_missing() -> ApplicationError:
    return not_found("party.committee_meeting_not_found", _("工委会议不存在。"))


@transaction.atomic
def department_join(
    *, actor: Any, name: str, on: dt.date, responsibilities: str = ""
) -> CommitteeSeat:
    """A department becomes a member unit on ``on`` (created the first time it joins)."""
    require_city_party_staff(actor)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise _invalid("invalid_name", _("请填写成员单位名称（100 字以内）。"), field="name")
    department, _created = CommitteeDepartment.objects.get_or_create(
        name=name, defaults={"responsibilities": responsibilities}
    )
    if responsibilities and department.responsibilities != responsibilities:
        department.responsibilities = responsibilities
        department.save(update_fields=["responsibilities"])
    last = department.seats.order_by("-joined_on").first()
    if last is not None and (last.left_on is None or last.left_on > on):
        raise conflict("party.already_member_unit", _("该单位已是工委成员单位。"))
    try:
        with transaction.atomic():
            seat = CommitteeSeat.objects.create(department=department, joined_on=on)
    except IntegrityError:
        raise conflict("party.already_member_unit", _("该单位已是工委成员单位。")) from None
    audit_record(
        actor=actor, action="party.department_join", obj=seat,
        after={"department": department.pk, "joined_on": on.isoformat()},
    )  # fmt: skip
    return seat


@transaction.atomic
def department_leave(*, actor: Any, department: CommitteeDepartment, on: dt.date) -> CommitteeSeat:
    require_city_party_staff(actor)
    seat = (
        CommitteeSeat.objects.select_for_update()
        .filter(department=department, left_on__isnull=True)
        .first()
    )
    if seat is None:
        raise conflict("party.not_member_unit", _("该单位目前不是工委成员单位。"))
    if on <= seat.joined_on:
        raise _invalid("invalid_date", _("退出日期须晚于加入日期。"), field="on")
    seat.left_on = on
    seat.save(update_fields=["left_on"])
    audit_record(
        actor=actor, action="party.department_leave", obj=seat,
        before={"left_on": None}, after={"left_on": on.isoformat()},
    )  # fmt: skip
    return seat


@transaction.atomic
def committee_meeting_record(
    *,
    actor: Any,
    kind: str,
    title: str,
    held_on: dt.date,
    attendees: Sequence[CommitteeDepartment] = (),
    minutes: str = "",
) -> CommitteeMeeting:
    """Record a coordination, progress or reporting (述职) meeting; attendees must have been
    member units on the day."""
    require_city_party_staff(actor)
    if kind not in CommitteeMeetingKind.values:
        raise _invalid("invalid_kind", _("会议类型无效。"), field="kind")
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise _invalid("invalid_title", _("请填写会议主题（200 字以内）。"), field="title")
    members = {d.pk for d in departments_on(held_on)}
    outsiders = [d.name for d in attendees if d.pk not in members]
    if outsiders:
        raise _invalid(
            "not_member_unit_then", _("参会单位当日不是工委成员单位。"), departments=outsiders
        )
    meeting = CommitteeMeeting.objects.create(
        kind=kind, title=title, held_on=held_on, minutes=minutes
    )
    meeting.attendees.set(attendees)
    audit_record(
        actor=actor, action="party.committee_meeting", obj=meeting,
        after={"kind": kind, "title": title, "held_on": held_on.isoformat(),
               "attendees": sorted(d.pk for d in attendees)},
    )  # fmt: skip
    return meeting


@transaction.atomic
def action_item_add(
    *,
    actor: Any,
    meeting: CommitteeMeeting,
    title: str,
    owner: CommitteeDepartment,
    due_on: dt.date,
) -> ActionItem:
    require_city_party_staff(actor)
    title = (title or "").strip()
    if not title or len(title) > 300:
        raise _invalid("invalid_title", _("请填写督办事项（300 字以内）。"), field="title")
    if due_on < meeting.held_on:
        raise _invalid("invalid_date", _("完成时限早于会议日期。"), field="due_on")
    item = ActionItem.objects.create(meeting=meeting, title=title, owner=owner, due_on=due_on)
    audit_record(
        actor=actor, action="party.action_item_add", obj=item,
        after={"meeting": meeting.pk, "title": title, "owner": owner.pk,
               "due_on": due_on.isoformat()},
    )  # fmt: skip
    return item


@transaction.atomic
def action_item_set_status(*, actor: Any, item: ActionItem, status: str, on: dt.date) -> ActionItem:
    require_city_party_staff(actor)
    if status not in ActionStatus.values:
        raise _invalid("invalid_status", _("状态无效。"), field="status")
    row = ActionItem.objects.select_for_update().get(pk=item.pk)
    before = {"status": row.status, "done_on": row.done_on and row.done_on.isoformat()}
    row.status = status
    row.done_on = on if status == ActionStatus.DONE else None
    row.save(update_fields=["status", "done_on"])
    audit_record(
        actor=actor, action="party.action_item_status", obj=row, before=before,
        after={"status": status, "done_on": row.done_on and row.done_on.isoformat()},
    )  # fmt: skip
    return row
