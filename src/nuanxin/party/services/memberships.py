"""Memberships: join, transfer (组织关系转接), change of kind, leaving with a reason.

A person has at most one open membership: the partial unique index holds it against any
writer, and each service locks the membership (or, to join, the worker's registry row) before
it reads, so two transfers of the same member, or a retried one, never open two periods.
"""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.party.models import (
    PARTY_MEMBER_KINDS,
    LeaveReason,
    Membership,
    MembershipKind,
    Organisation,
    OrgStatus,
)
from nuanxin.party.services._common import (
    MEMBERSHIP_FIELDS,
    membership_missing,
    organisation_missing,
    require_reach,
)


def _invalid(code: str, message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(f"party.{code}", message, extra=extra)


def _already() -> ApplicationError:
    return conflict("party.already_member", _("该人员已在一个党组织中，请办理组织关系转接。"))


def _check_kind(worker: Any, kind: str) -> None:
    if kind not in MembershipKind.values:
        raise _invalid("invalid_kind", _("类别无效。"), field="kind")
    # The registry's political status is the record of who is a party member.
    if kind in PARTY_MEMBER_KINDS and not worker.is_party_member:
        raise _invalid("not_a_party_member", _("台账中该人员不是党员，请先更新政治面貌。"))
    if kind == MembershipKind.ACTIVIST and worker.is_party_member:
        raise _invalid("already_a_party_member", _("该人员已是党员。"))


def _check_open_org(org: Organisation, on: dt.date) -> None:
    if org.status != OrgStatus.ACTIVE:
        raise _invalid("organisation_ended", _("该组织已合并或撤销。"))
    if on < org.founded_on:
        raise _invalid("invalid_date", _("日期早于组织成立日期。"), field="on")


def _create(**fields: Any) -> Membership:
    try:
        with transaction.atomic():
            return Membership.objects.create(**fields)
    except IntegrityError:
        raise _already() from None


@transaction.atomic
def membership_join(
    *,
    actor: Any,
    worker: Any,
    organisation: Organisation,
    kind: str,
    joined_on: dt.date,
    mobile: bool = False,
) -> Membership:
    """A worker joins an organisation: a member from elsewhere, a new member, an activist."""
    require_reach(actor, organisation, organisation_missing(), region_field="region")
    _check_kind(worker, kind)
    _check_open_org(organisation, joined_on)
    # Queue every write about this person behind one row lock (the registry's record).
    type(worker).objects.select_for_update().filter(pk=worker.pk).exists()
    if Membership.objects.filter(worker=worker, left_on__isnull=True).exists():
        raise _already()
    membership = _create(
        worker=worker, organisation=organisation, kind=kind, mobile=bool(mobile),
        joined_on=joined_on,
    )  # fmt: skip
    audit_record(
        actor=actor, action="party.membership_join", obj=membership,
        after=snapshot(membership, MEMBERSHIP_FIELDS), region_path=organisation.region.path,
    )  # fmt: skip
    return membership


def _lock_open(membership: Membership) -> Membership:
    locked = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if locked is None:
        raise membership_missing()
    if locked.left_on is not None:
        raise conflict(
            "party.membership_closed",
            _("该组织关系已转出或终止，请刷新后查看最新记录。"),
        )
    return locked


@transaction.atomic
def membership_transfer(
    *,
    actor: Any,
    membership: Membership,
    to_organisation: Organisation,
    on: dt.date,
    note: str = "",
) -> Membership:
    """Move a member to another organisation on ``on``: the old period ends that day with the
    reason "transfer" and links the new one, which starts the same day. A retry of a transfer
    that went through, or a second transfer racing it, finds the period closed and changes
    nothing (``party.membership_closed``)."""
    require_reach(actor, membership, membership_missing(), region_field="organisation__region")
    require_reach(actor, to_organisation, organisation_missing(), region_field="region")
    current = _lock_open(membership)
    if current.organisation_id == to_organisation.pk:
        raise _invalid("same_organisation", _("转入组织与当前组织相同。"))
    _check_open_org(to_organisation, on)
    if on < current.joined_on:
        raise _invalid("invalid_date", _("转接日期早于转入当前组织的日期。"), field="on")
    before = snapshot(current, MEMBERSHIP_FIELDS)
    current.left_on, current.leave_reason = on, LeaveReason.TRANSFER
    current.leave_note = (note or "")[:300]
    current.save(update_fields=["left_on", "leave_reason", "leave_note"])
    new = _create(
        worker_id=current.worker_id, organisation=to_organisation, kind=current.kind,
        mobile=current.mobile, joined_on=on,
    )  # fmt: skip
    current.next = new
    current.save(update_fields=["next"])
    audit_record(
        actor=actor, action="party.membership_transfer", obj=current, before=before,
        after=snapshot(current, MEMBERSHIP_FIELDS), note=note,
        region_path=current.organisation.region.path,
    )  # fmt: skip
    audit_record(
        actor=actor, action="party.membership_join", obj=new,
        after=snapshot(new, MEMBERSHIP_FIELDS) | {"previous": current.pk},
        region_path=to_organisation.region.path,
    )  # fmt: skip
    return new


@transaction.atomic
def membership_end(
    *, actor: Any, membership: Membership, on: dt.date, reason: str, note: str = ""
) -> Membership:
    """A member leaves the city's organisations: never without a recorded reason."""
    require_reach(actor, membership, membership_missing(), region_field="organisation__region")
    if reason not in LeaveReason.values or reason == "":
        raise _invalid("reason_required", _("请选择转出原因。"), field="reason")
    if reason == LeaveReason.TRANSFER:
        raise _invalid("use_transfer", _("组织关系转接请选择转入的组织。"), field="reason")
    if reason == LeaveReason.OTHER and not (note or "").strip():
        raise _invalid("reason_required", _("请说明转出原因。"), field="note")
    current = _lock_open(membership)
    if on < current.joined_on:
        raise _invalid("invalid_date", _("日期早于转入当前组织的日期。"), field="on")
    before = snapshot(current, MEMBERSHIP_FIELDS)
    current.left_on, current.leave_reason, current.leave_note = on, reason, (note or "")[:300]
    current.save(update_fields=["left_on", "leave_reason", "leave_note"])
    audit_record(
        actor=actor, action="party.membership_end", obj=current, before=before,
        after=snapshot(current, MEMBERSHIP_FIELDS), note=note,
        region_path=current.organisation.region.path,
    )  # fmt: skip
    return current


@transaction.atomic
def membership_set_kind(*, actor: Any, membership: Membership, kind: str) -> Membership:
    """An activist admitted as probationary member, a probationary member made formal."""
    require_reach(actor, membership, membership_missing(), region_field="organisation__region")
    current = _lock_open(membership)
    _check_kind(current.worker, kind)
    before = snapshot(current, MEMBERSHIP_FIELDS)
    current.kind = kind
    current.save(update_fields=["kind"])
    audit_record(
        actor=actor, action="party.membership_kind", obj=current, before=before,
        after=snapshot(current, MEMBERSHIP_FIELDS), region_path=current.organisation.region.path,
    )  # fmt: skip
    return current


@transaction.atomic
def membership_set_mobile(*, actor: Any, membership: Membership, mobile: bool) -> Membership:
    """Mark a member as mobile (流动党员): they may sign in to meetings online."""
    require_reach(actor, membership, membership_missing(), region_field="organisation__region")
    current = _lock_open(membership)
    before = snapshot(current, MEMBERSHIP_FIELDS)
    current.mobile = bool(mobile)
    current.save(update_fields=["mobile"])
    audit_record(
        actor=actor, action="party.membership_mobile", obj=current, before=before,
        after=snapshot(current, MEMBERSHIP_FIELDS), region_path=current.organisation.region.path,
    )  # fmt: skip
    return current
