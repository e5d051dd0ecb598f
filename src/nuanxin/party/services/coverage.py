"""Party work coverage without an organisation: instructors (党建指导员); mass organisations."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError, conflict, not_found
from nuanxin.party.models import InstructorAssignment, MassKind, MassMembership, MassOrganisation
from nuanxin.party.services._common import require_reach, require_staff_in
from nuanxin.registry.selectors import workers_of_enterprise


def _invalid(code: str, message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(f"party.{code}", message, extra=extra)


def instructor_missing() -> ApplicationError:
    return not_found("party.instructor_not_found", _("党建指导员记录不存在。"))


def mass_missing() -> ApplicationError:
    return not_found("party.mass_organisation_not_found", _("群团组织不存在。"))


@transaction.atomic
def instructor_assign(
    *, actor: Any, enterprise: Any, name: str, on: dt.date
) -> InstructorAssignment:
    require_staff_in(actor, enterprise.region)
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise _invalid("invalid_name", _("请填写指导员姓名（50 字以内）。"), field="name")
    open_rows = InstructorAssignment.objects.filter(enterprise=enterprise, ended_on__isnull=True)
    if open_rows.filter(name=name).exists():
        raise conflict("party.instructor_already_assigned", _("该指导员已派驻这家企业。"))
    assignment = InstructorAssignment.objects.create(
        enterprise=enterprise, name=name, started_on=on
    )
    audit_record(
        actor=actor, action="party.instructor_assign", obj=assignment,
        after={"enterprise": enterprise.pk, "name": name, "on": on.isoformat()},
        region_path=enterprise.region.path,
    )  # fmt: skip
    return assignment


@transaction.atomic
def instructor_end(
    *, actor: Any, assignment: InstructorAssignment, on: dt.date
) -> InstructorAssignment:
    require_reach(actor, assignment, instructor_missing(), region_field="enterprise__region")
    row = InstructorAssignment.objects.select_for_update().get(pk=assignment.pk)
    if row.ended_on is not None:
        raise conflict("party.instructor_ended", _("该指导员的派驻已经结束。"))
    if on < row.started_on:
        raise _invalid("invalid_date", _("结束日期早于派驻日期。"), field="on")
    row.ended_on = on
    row.save(update_fields=["ended_on"])
    audit_record(
        actor=actor, action="party.instructor_end", obj=row, before={"ended_on": None},
        after={"ended_on": on.isoformat()}, region_path=row.enterprise.region.path,
    )  # fmt: skip
    return row


@transaction.atomic
def mass_organisation_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    region: Any,
    founded_on: dt.date,
    enterprise: Any = None,
    station_name: str = "",
) -> MassOrganisation:
    """A trade union, Youth League or Women's Federation body."""
    require_staff_in(actor, region)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise _invalid("invalid_name", _("请填写组织名称（200 字以内）。"), field="name")
    if kind not in MassKind.values:
        raise _invalid("invalid_kind", _("类别无效。"), field="kind")
    try:
        with transaction.atomic():
            body = MassOrganisation.objects.create(
                name=name, kind=kind, region=region, founded_on=founded_on,
                enterprise=enterprise, station_name=(station_name or "").strip()[:200],
            )  # fmt: skip
    except IntegrityError:
        raise conflict("party.duplicate_name", _("已有同名的群团组织。"), field="name") from None
    audit_record(
        actor=actor, action="party.mass_organisation_create", obj=body,
        after={"name": name, "kind": kind, "region": region.pk,
               "enterprise": getattr(enterprise, "pk", None)},
        region_path=region.path,
    )  # fmt: skip
    return body


@transaction.atomic
def mass_member_add(
    *, actor: Any, organisation: MassOrganisation, worker: Any, on: dt.date
) -> MassMembership:
    require_reach(actor, organisation, mass_missing(), region_field="region")
    if organisation.ended_on is not None:
        raise conflict("party.mass_organisation_ended", _("该群团组织已经撤销。"))
    try:
        with transaction.atomic():
            row = MassMembership.objects.create(
                organisation=organisation, worker=worker, joined_on=on
            )
    except IntegrityError:
        raise conflict("party.already_mass_member", _("该人员已是本组织成员。")) from None
    audit_record(
        actor=actor, action="party.mass_member_add", obj=row,
        after={"organisation": organisation.pk, "worker": worker.pk},
        region_path=organisation.region.path,
    )  # fmt: skip
    return row


@transaction.atomic
def union_sync_from_registry(*, actor: Any, organisation: MassOrganisation, on: dt.date) -> int:
    """The registry's 工会会员 column feeds an enterprise's union: its active workers marked as
    union members join it (once); returns how many joined."""
    require_reach(actor, organisation, mass_missing(), region_field="region")
    if organisation.kind != MassKind.UNION or organisation.enterprise_id is None:
        raise _invalid("not_an_enterprise_union", _("只有依托企业的工会可以从台账同步会员。"))
    body = MassOrganisation.objects.select_for_update().get(pk=organisation.pk)
    present = set(
        MassMembership.objects.filter(organisation=body, left_on__isnull=True).values_list(
            "worker_id", flat=True
        )
    )
    workers = workers_of_enterprise(body.enterprise_id, union_member=True)
    new = [
        MassMembership(organisation=body, worker_id=pk, joined_on=on)
        for pk in workers.values_list("pk", flat=True)
        if pk not in present
    ]
    MassMembership.objects.bulk_create(new)
    audit_record(
        actor=actor, action="party.union_sync", obj=body, after={"joined": len(new)},
        region_path=body.region.path,
    )  # fmt: skip
    return len(new)


def mass_membership_missing() -> ApplicationError:
    return not_found("party.mass_member_not_found", _("群团组织成员记录不存在。"))


@transaction.atomic
def mass_member_leave(*, actor: Any, membership: MassMembership, on: dt.date) -> MassMembership:
    """A member leaves a mass organisation (the row stays, with its leaving date)."""
    require_reach(actor, membership, mass_membership_missing(), region_field="organisation__region")
    row = MassMembership.objects.select_for_update().get(pk=membership.pk)
    if row.left_on is not None:
        raise conflict("party.mass_member_left", _("该成员已经退出。"))
    if on < row.joined_on:
        raise _invalid("invalid_date", _("退出日期早于加入日期。"), field="on")
    row.left_on = on
    row.save(update_fields=["left_on"])
    audit_record(
        actor=actor, action="party.mass_member_leave", obj=row, before={"left_on": None},
        after={"left_on": on.isoformat()}, region_path=row.organisation.region.path,
    )  # fmt: skip
    return row


@transaction.atomic
def mass_organisation_end(
    *, actor: Any, organisation: MassOrganisation, on: dt.date, note: str = ""
) -> MassOrganisation:
    """Dissolve a mass organisation: its members leave it the same day."""
    require_reach(actor, organisation, mass_missing(), region_field="region")
    body = MassOrganisation.objects.select_for_update().get(pk=organisation.pk)
    if body.ended_on is not None:
        raise conflict("party.mass_organisation_ended", _("该群团组织已经撤销。"))
    if on < body.founded_on:
        raise _invalid("invalid_date", _("日期早于组织成立日期。"), field="on")
    left = MassMembership.objects.filter(organisation=body, left_on__isnull=True).update(left_on=on)
    body.ended_on = on
    body.save(update_fields=["ended_on"])
    audit_record(
        actor=actor, action="party.mass_organisation_end", obj=body, before={"ended_on": None},
        after={"ended_on": on.isoformat(), "members_left": left}, note=note[:300],
        region_path=body.region.path,
    )  # fmt: skip
    return body
