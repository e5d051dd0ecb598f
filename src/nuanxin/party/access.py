"""Who may see party data: party-work staff (the ``party.party_work`` permission on a staff
account bound to a region, or a superuser), inside their jurisdiction; nobody else.

Everyone else sees only the badges members chose to show (``party.badges``).
"""

from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from nuanxin.core.errors import forbidden
from nuanxin.core.scoping import jurisdiction_path, scope_to_jurisdiction

PARTY_WORK_PERMISSION = "party.party_work"


def is_party_staff(user: Any) -> bool:
    """A party-work staff member with a jurisdiction (the whole city for a superuser)."""
    path = jurisdiction_path(user)
    if path is None:
        return False
    return path == "" or bool(user.has_perm(PARTY_WORK_PERMISSION))


def require_party_staff(user: Any) -> None:
    if not is_party_staff(user):
        raise forbidden("party.not_party_staff", _("只有党务工作人员可以查看和办理党建事务。"))


def scope_party(queryset: QuerySet[Any], user: Any, *, region_field: str = "region") -> QuerySet:
    """``queryset`` narrowed to the caller's jurisdiction; empty for anyone but party staff."""
    if not is_party_staff(user):
        return queryset.none()
    return scope_to_jurisdiction(queryset, user, region_field=region_field)


def in_party_reach(user: Any, obj: Model, *, region_field: str = "region") -> bool:
    return scope_party(
        type(obj)._default_manager.filter(pk=obj.pk), user, region_field=region_field
    ).exists()
