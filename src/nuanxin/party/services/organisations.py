"""Organisations: set up, appoint officers, cover enterprises, merge and dissolve."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, conflict, not_found
from nuanxin.core.timeutil import local_date
from nuanxin.party.models import (
    Attachment,
    BranchType,
    Membership,
    Officer,
    OfficerPost,
    Organisation,
    OrgKind,
    OrgStatus,
    OrgStatusChange,
)
from nuanxin.party.services._common import (
    ORG_FIELDS,
    organisation_missing,
    require_reach,
    require_staff_in,
)
from nuanxin.party.services.memberships import membership_transfer


def _invalid(code: str, message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(f"party.{code}", message, extra=extra)


def _check_shape(
    *,
    kind: str,
    branch_type: str,
    attachment: str,
    enterprise: Any,
    chain_name: str,
    parent: Organisation | None,
    founded_on: dt.date,
) -> None:
    if kind not in OrgKind.values:
        raise _invalid("invalid_kind", _("组织类别无效。"), field="kind")
    if branch_type not in BranchType.values:
        raise _invalid("invalid_branch_type", _("支部类型无效。"), field="branch_type")
    if branch_type != BranchType.REGULAR and kind != OrgKind.BRANCH:
        raise _invalid("invalid_branch_type", _("只有党支部可以是功能型或流动党支部。"))
    if attachment not in Attachment.values:
        raise _invalid("invalid_attachment", _("依托类型无效。"), field="attachment")
    if attachment in (Attachment.ENTERPRISE, Attachment.PARK) and enterprise is None:
        raise _invalid("attachment_missing", _("请选择依托的企业或园区。"), field="enterprise")
    if attachment == Attachment.CHAIN and not chain_name.strip():
        raise _invalid("attachment_missing", _("请填写依托的产业链。"), field="chain_name")
    if parent is not None:
        if parent.kind == OrgKind.BRANCH:
            raise _invalid("invalid_parent", _("党支部下不能再设组织。"), field="parent")
        if parent.status != OrgStatus.ACTIVE:
            raise _invalid("invalid_parent", _("上级组织已合并或撤销。"), field="parent")
    if founded_on > local_date() + dt.timedelta(days=366):
        raise _invalid("invalid_date", _("成立日期无效。"), field="founded_on")


@transaction.atomic
def organisation_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    attachment: str,
    region: Any,
    founded_on: dt.date,
    branch_type: str = BranchType.REGULAR,
    parent: Organisation | None = None,
    enterprise: Any = None,
    chain_name: str = "",
    covered_enterprises: Sequence[Any] = (),
) -> Organisation:
    """Record a newly set-up organisation (and the first step of its status history)."""
    require_staff_in(actor, region)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise _invalid("invalid_name", _("请填写组织名称（200 字以内）。"), field="name")
    _check_shape(
        kind=kind, branch_type=branch_type, attachment=attachment, enterprise=enterprise,
        chain_name=chain_name, parent=parent, founded_on=founded_on,
    )  # fmt: skip
    if Organisation.objects.filter(name=name).exists():
        raise conflict("party.duplicate_name", _("已有同名的党组织。"), field="name")
    try:
        with transaction.atomic():
            org = Organisation.objects.create(
                name=name, kind=kind, branch_type=branch_type, parent=parent,
                attachment=attachment, enterprise=enterprise, chain_name=chain_name.strip(),
                region=region, founded_on=founded_on,
            )  # fmt: skip
    except IntegrityError:
        raise conflict("party.duplicate_name", _("已有同名的党组织。"), field="name") from None
    if covered_enterprises:
        org.covered_enterprises.set(covered_enterprises)
    OrgStatusChange.objects.create(
        organisation=org, status=OrgStatus.ACTIVE, on=founded_on, note=_("成立"), actor=actor
    )
    audit_record(
        actor=actor,
        action="party.organisation_create",
        obj=org,
        after=snapshot(org, ORG_FIELDS) | {"covered": sorted(e.pk for e in covered_enterprises)},
        region_path=region.path,
    )
    return org


def _lock(org: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=org.pk)


@transaction.atomic
def organisation_set_covered(
    *, actor: Any, organisation: Organisation, enterprises: Sequence[Any]
) -> Organisation:
    """The enterprises a joint or regional organisation covers besides its own."""
    require_reach(actor, organisation, organisation_missing(), region_field="region")
    org = _lock(organisation)
    if org.status != OrgStatus.ACTIVE:
        raise conflict("party.organisation_ended", _("该组织已合并或撤销。"))
    before = sorted(org.covered_enterprises.values_list("pk", flat=True))
    org.covered_enterprises.set(enterprises)
    after = sorted(e.pk for e in enterprises)
    audit_record(
        actor=actor, action="party.organisation_cover", obj=org,
        before={"covered": before}, after={"covered": after}, region_path=org.region.path,
    )  # fmt: skip
    return org


@transaction.atomic
def officer_appoint(
    *,
    actor: Any,
    organisation: Organisation,
    post: str,
    name: str,
    on: dt.date,
    worker: Any = None,
) -> Officer:
    """Appoint a secretary, deputy or committee member; a new secretary ends the previous one."""
    require_reach(actor, organisation, organisation_missing(), region_field="region")
    if post not in OfficerPost.values:
        raise _invalid("invalid_post", _("职务无效。"), field="post")
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise _invalid("invalid_name", _("请填写姓名（50 字以内）。"), field="name")
    org = _lock(organisation)
    if post == OfficerPost.SECRETARY:
        Officer.objects.filter(
            organisation=org, post=OfficerPost.SECRETARY, ended_on__isnull=True
        ).update(ended_on=on)
    officer = Officer.objects.create(
        organisation=org, post=post, name=name, worker=worker, started_on=on
    )
    audit_record(
        actor=actor, action="party.officer_appoint", obj=officer,
        after={"organisation": org.pk, "post": post, "name": name, "on": on.isoformat()},
        region_path=org.region.path,
    )  # fmt: skip
    return officer


def officer_missing() -> ApplicationError:
    return not_found("party.officer_not_found", _("组织委员记录不存在。"))


@transaction.atomic
def officer_end(*, actor: Any, officer: Officer, on: dt.date) -> Officer:
    """An officer leaves their post (the row stays, with the day they left)."""
    require_reach(actor, officer, officer_missing(), region_field="organisation__region")
    row = Officer.objects.select_for_update().get(pk=officer.pk)
    if row.ended_on is not None:
        raise conflict("party.officer_ended", _("该委员已经离任。"))
    if on < row.started_on:
        raise _invalid("invalid_date", _("离任日期早于任职日期。"), field="on")
    row.ended_on = on
    row.save(update_fields=["ended_on"])
    audit_record(
        actor=actor, action="party.officer_end", obj=row, before={"ended_on": None},
        after={"ended_on": on.isoformat()}, region_path=row.organisation.region.path,
    )  # fmt: skip
    return row


@transaction.atomic
def organisation_end(
    *,
    actor: Any,
    organisation: Organisation,
    status: str,
    on: dt.date,
    note: str = "",
    merged_into: Organisation | None = None,
) -> Organisation:
    """Merge an organisation into another (its members are transferred there the same day) or
    dissolve it (only once no member is left in it: each is transferred or leaves with a
    reason first, so nobody is left in no organisation without one)."""
    require_reach(actor, organisation, organisation_missing(), region_field="region")
    org = _lock(organisation)
    if org.status != OrgStatus.ACTIVE:
        raise conflict("party.organisation_ended", _("该组织已合并或撤销。"))
    if on < org.founded_on:
        raise _invalid("invalid_date", _("日期早于组织成立日期。"), field="on")
    if status == OrgStatus.MERGED:
        if merged_into is None or merged_into.pk == org.pk:
            raise _invalid("merge_target_missing", _("请选择并入的组织。"), field="merged_into")
        require_reach(actor, merged_into, organisation_missing(), region_field="region")
        if merged_into.status != OrgStatus.ACTIVE:
            raise _invalid("merge_target_ended", _("并入的组织已合并或撤销。"))
    elif status == OrgStatus.DISSOLVED:
        if Membership.objects.filter(organisation=org, left_on__isnull=True).exists():
            raise conflict(
                "party.organisation_has_members",
                _("该组织仍有党员，请先办理组织关系转接。"),
            )
    else:
        raise _invalid("invalid_status", _("状态无效。"), field="status")
    if org.children.filter(status=OrgStatus.ACTIVE).exists():
        raise conflict("party.organisation_has_children", _("该组织仍有下级组织。"))
    before = snapshot(org, ORG_FIELDS)
    if status == OrgStatus.MERGED:
        for membership in Membership.objects.filter(organisation=org, left_on__isnull=True):
            membership_transfer(
                actor=actor, membership=membership, to_organisation=merged_into, on=on,
                note=_("组织合并"),
            )  # fmt: skip
    org.status, org.ended_on, org.merged_into = status, on, merged_into
    org.save(update_fields=["status", "ended_on", "merged_into"])
    OrgStatusChange.objects.create(
        organisation=org, status=status, on=on, note=note[:300], actor=actor
    )
    audit_record(
        actor=actor, action=f"party.organisation_{status}", obj=org, before=before,
        after=snapshot(org, ORG_FIELDS), note=note, region_path=org.region.path,
    )  # fmt: skip
    return org


__all__ = [
    "officer_appoint",
    "officer_end",
    "organisation_create",
    "organisation_end",
    "organisation_set_covered",
]
