"""Who plans: county and city staff see their county or the city, street staff their street."""

from typing import Any

from django.utils.translation import gettext as _

from nuanxin.accounts.models import Role
from nuanxin.core.errors import forbidden

PLANNER_ROLES = frozenset({Role.CITY_ADMIN, Role.COUNTY_ADMIN, Role.STREET_ADMIN})


def is_planner(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.role in PLANNER_ROLES and user.jurisdiction_path is not None


def require_planner(user: Any) -> None:
    """``coverage.forbidden`` (403) for anyone but planning staff; the same for every query."""
    if not is_planner(user):
        raise forbidden(
            "coverage.forbidden", _("只有县（市、区）、市级和街道的规划人员可以查看服务圈。")
        )
