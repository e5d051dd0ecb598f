"""Jurisdiction: staff see and act only inside their region subtree.

Regions carry a materialised ``path`` ("440800/440802/440802005/"), so a subtree is a prefix and
scoping any queryset is one indexed ``startswith`` filter on the path of the region it points to.
Every staff selector and admin goes through ``scope_to_jurisdiction``.
"""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from nuanxin.core.errors import forbidden

M = TypeVar("M", bound=Model)


def jurisdiction_path(user: Any) -> str | None:
    """The region path a user governs, "" for the whole system, None for no jurisdiction."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    return getattr(user, "jurisdiction_path", None)


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
    """Raise ``auth.out_of_jurisdiction`` unless ``region`` is inside the user's subtree."""
    if not in_jurisdiction(user, region):
        raise forbidden(
            "auth.out_of_jurisdiction",
            _("该对象不在您的管辖范围内。"),
            region=getattr(region, "code", None),
        )
