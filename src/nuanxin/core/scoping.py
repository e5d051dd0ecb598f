"""Jurisdiction: staff see and act only inside their region subtree.

Regions carry a materialised ``path`` ("440800/440802/440802005/"), so a subtree is a prefix and
scoping any queryset is one indexed ``startswith`` filter on the path of the region it points to.
Every staff selector and admin goes through ``scope_to_jurisdiction``.

Refusals reveal nothing: an object outside the caller's scope answers exactly like one that does
not exist. So a single object named by id or code is fetched from the caller's scoped queryset
with ``get_in_scope_or_404`` (or, when a service is handed an object it did not look up, checked
with ``require_in_scope_or_404``), and both cases raise the same not-found error. Only a region
the caller names itself (a filter, the target of a move) is refused with 403
``auth.out_of_jurisdiction``: regions are public, so that refusal tells nothing new.
"""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError, forbidden

M = TypeVar("M", bound=Model)


def jurisdiction_path(user: Any) -> str | None:
    """The region path a user governs, "" for the whole system, None for no jurisdiction."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    return getattr(user, "jurisdiction_path", None)


STAFF_ONLY = "auth.staff_only"


def is_governing(user: Any) -> bool:
    """Region staff (and superusers): they govern a region subtree."""
    return jurisdiction_path(user) is not None


def require_staff(user: Any, *, governing: bool = False) -> None:
    """The one staff guard: any staff role, or (``governing``) staff bound to a jurisdiction.

    Everyone else is refused with ``auth.staff_only`` (403), whatever they asked for, so a
    refusal says nothing about the object behind it.
    """
    if governing:
        if not is_governing(user):
            raise forbidden(STAFF_ONLY, _("仅限辖区工作人员。"))
    elif not getattr(user, "is_staff", False):
        raise forbidden(STAFF_ONLY, _("只有工作人员可以进行此操作。"))


def scope_to_jurisdiction(
    queryset: QuerySet[M], user: Any, *, region_field: str | None = "region"
) -> QuerySet[M]:
    """Restrict ``queryset`` to rows whose region lies in the user's subtree.

    ``region_field`` is the lookup path from the model to its region (``"region"``,
    ``"station__region"``); ``None`` when the queryset is of regions itself.
    """
    path = jurisdiction_path(user)
    if path is None:
        return queryset.none()
    if path == "":
        return queryset
    lookup = f"{region_field}__path__startswith" if region_field else "path__startswith"
    return queryset.filter(**{lookup: path})


def in_jurisdiction(user: Any, region: Any) -> bool:
    path = jurisdiction_path(user)
    if path is None or region is None:
        return path == ""
    return region.path.startswith(path)


def require_jurisdiction(user: Any, region: Any) -> None:
    """Raise ``auth.out_of_jurisdiction`` unless ``region`` is inside the user's subtree.

    For regions the caller names (where to create, what to filter by). An object the caller
    wants to read or change is looked up with ``get_in_scope_or_404`` instead.
    """
    if not in_jurisdiction(user, region):
        raise forbidden("auth.out_of_jurisdiction", _("该对象不在您的管辖范围内。"))


def get_in_scope_or_404(queryset: QuerySet[M], missing: ApplicationError, /, **lookup: Any) -> M:
    """The one row of ``queryset`` that ``lookup`` names, else ``missing`` (a 404).

    ``queryset`` is already narrowed to what the caller may see (``scope_to_jurisdiction``,
    a worker's own rows, a keeper's stations), so an object that exists outside that scope and
    one that does not exist at all raise the very same error: status, code, message and extra.
    """
    found = queryset.filter(**lookup).first()
    if found is None:
        raise missing
    return found


def require_in_scope_or_404(user: Any, region: Any, missing: ApplicationError, /) -> None:
    """Raise ``missing`` (the not-found error of the object at ``region``) unless the region
    lies in the user's subtree: for services handed an object instead of looking it up."""
    if not in_jurisdiction(user, region):
        raise missing
