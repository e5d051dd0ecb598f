"""The earning policy: one current row, changed only by city admins through ``policy_update``."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.accounts.models import Role
from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, forbidden
from nuanxin.points.models import EarningPolicy

POLICY_PK = 1
INT_FIELDS = {"volunteer_points_per_hour", "checkin_points"}
OPTIONAL_INT_FIELDS = {"volunteer_cap_per_activity", "daily_cap", "monthly_cap", "expiry_years"}
EDITABLE_FIELDS = [*sorted(INT_FIELDS), *sorted(OPTIONAL_INT_FIELDS)]
MAX_POINTS = 1_000_000


def current_policy() -> EarningPolicy:
    policy = EarningPolicy.objects.filter(pk=POLICY_PK).first()
    if policy is None:
        policy, _created = EarningPolicy.objects.get_or_create(pk=POLICY_PK)
    return policy


def can_edit_policy(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or (user.role == Role.CITY_ADMIN and user.region_id is not None))
    )


def _bad(field: str, value: Any) -> ApplicationError:
    return ApplicationError(
        "points.bad_policy_value",
        _("积分规则的取值无效。"),
        extra={"field": field, "value": str(value)[:100]},
    )


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_POINTS


def _clean(field: str, value: Any) -> Any:
    if field in INT_FIELDS:
        if not _is_count(value):
            raise _bad(field, value)
        return value
    if field in OPTIONAL_INT_FIELDS:
        if value is None:
            return None
        if not _is_count(value) or (field == "expiry_years" and not 1 <= value <= 10):
            raise _bad(field, value)
        return value
    raise ApplicationError(
        "points.unknown_policy_field", _("积分规则没有该项。"), extra={"field": field}
    )


@transaction.atomic
def policy_update(*, actor: Any, **fields: Any) -> EarningPolicy:
    """Change the earning rules (city admins only); audited with the values before and after."""
    if not can_edit_policy(actor):
        raise forbidden("points.policy_forbidden", _("只有市级管理员可以修改积分规则。"))
    cleaned = {field: _clean(field, value) for field, value in fields.items()}
    current_policy()
    policy = EarningPolicy.objects.select_for_update().get(pk=POLICY_PK)
    before = snapshot(policy, EDITABLE_FIELDS)
    for field, value in cleaned.items():
        setattr(policy, field, value)
    policy.updated_by = actor
    policy.save()
    after = snapshot(policy, EDITABLE_FIELDS)
    if before != after:
        audit_record(
            actor=actor,
            action="points.policy_update",
            obj=policy,
            before=before,
            after=after,
            region_path=actor.region.path if getattr(actor, "region_id", None) else "",
        )
    return policy
