"""People: 亮身份 badges chosen by members, party-work staff, part-time grid members."""

import datetime as dt
from typing import Any

from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nuanxin.accounts.models import Role
from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError, conflict, forbidden, not_found
from nuanxin.core.scoping import in_jurisdiction
from nuanxin.geo.models import RegionLevel
from nuanxin.party.access import require_party_staff
from nuanxin.party.models import PARTY_MEMBER_KINDS, Badge, GridMember, Membership


def open_membership_of_user(user: Any) -> Membership | None:
    """The member's current organisation period, found through their registry record."""
    if getattr(user, "pk", None) is None:
        return None
    return (
        Membership.objects.filter(
            worker__user=user, left_on__isnull=True, kind__in=PARTY_MEMBER_KINDS
        )
        .select_related("organisation")
        .first()
    )


@transaction.atomic
def badge_set(*, user: Any, shown: bool) -> Badge:
    """The member's own choice to show the pioneer badge (先锋) or to withdraw it; nobody else
    makes it. Withdrawing is always possible; showing needs a current party membership."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.WORKER:
        raise forbidden("party.badge_not_allowed", _("只有党员本人可以选择是否亮明身份。"))
    if shown and open_membership_of_user(user) is None:
        raise forbidden("party.badge_not_member", _("您目前不在党组织中，不能亮明党员身份。"))
    badge, _created = Badge.objects.select_for_update().get_or_create(user=user)
    before = badge.shown
    badge.shown = bool(shown)
    badge.save(update_fields=["shown", "changed_at"])
    audit_record(
        actor=user, action="party.badge_show" if shown else "party.badge_withdraw", obj=badge,
        before={"shown": before}, after={"shown": badge.shown},
    )  # fmt: skip
    return badge


def staff_missing() -> ApplicationError:
    return not_found("party.staff_not_found", _("工作人员不存在。"))


@transaction.atomic
def party_work_grant(*, actor: Any, user: Any, granted: bool = True) -> Any:
    """Give (or take back) the party-work permission (党务工作者) to a staff member bound to a
    region: they then see party data inside that region. Only party staff above them, or the
    system, may do it."""
    if actor is not None:
        require_party_staff(actor)
        if not in_jurisdiction(actor, user.region) or actor.pk == user.pk:
            raise staff_missing()
        if user.region_id == actor.region_id:
            raise forbidden(
                "party.grant_below_only",
                _("只能为下级区域的工作人员授予或收回党务工作者权限。"),
            )
    if not user.is_region_staff or user.region_id is None:
        raise ApplicationError(
            "party.not_region_staff", _("只有绑定区域的工作人员可以担任党务工作者。")
        )
    permission = Permission.objects.get(content_type__app_label="party", codename="party_work")
    had = user.user_permissions.filter(pk=permission.pk).exists()
    if granted:
        user.user_permissions.add(permission)
    else:
        user.user_permissions.remove(permission)
    audit_record(
        actor=actor, action="party.work_grant" if granted else "party.work_revoke", obj=user,
        before={"party_work": had}, after={"party_work": granted},
        region_path=user.region.path,
    )  # fmt: skip
    return user


def grid_member_missing() -> ApplicationError:
    return not_found("party.grid_member_not_found", _("网格员记录不存在。"))


@transaction.atomic
def grid_member_enrol(*, actor: Any, user: Any, grid: Any, on: dt.date) -> GridMember:
    """Enrol a worker as a part-time grid member (兼职网格员) of a grid."""
    if actor is not None and not in_jurisdiction(actor, grid):
        raise forbidden("auth.out_of_jurisdiction", _("该对象不在您的管辖范围内。"))
    if actor is not None and not actor.is_region_staff:
        raise forbidden("party.not_region_staff", _("只有区域工作人员可以登记网格员。"))
    if grid.level != RegionLevel.GRID:
        raise ApplicationError("party.not_a_grid", _("请选择一个网格。"), extra={"field": "grid"})
    if user.role != Role.WORKER:
        raise ApplicationError("party.not_a_worker", _("兼职网格员须是劳动者本人的账号。"))
    try:
        with transaction.atomic():
            row = GridMember.objects.create(user=user, grid=grid, joined_on=on)
    except IntegrityError:
        raise conflict("party.already_grid_member", _("该人员已是本网格的网格员。")) from None
    audit_record(
        actor=actor, action="party.grid_member_enrol", obj=row,
        after={"user": user.pk, "grid": grid.pk, "on": on.isoformat()}, region_path=grid.path,
    )  # fmt: skip
    return row


@transaction.atomic
def grid_member_leave(*, actor: Any, member: GridMember, on: dt.date) -> GridMember:
    if actor is not None and not in_jurisdiction(actor, member.grid):
        raise grid_member_missing()
    row = GridMember.objects.select_for_update().get(pk=member.pk)
    if row.left_on is not None:
        raise conflict("party.grid_member_left", _("该网格员已经退出。"))
    row.left_on = max(on, row.joined_on)
    row.save(update_fields=["left_on"])
    audit_record(
        actor=actor, action="party.grid_member_leave", obj=row,
        after={"left_on": row.left_on.isoformat()}, region_path=row.grid.path,
    )  # fmt: skip
    return row
