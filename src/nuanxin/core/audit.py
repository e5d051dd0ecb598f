from typing import Any

from django.db import models

from nuanxin.core.models import AuditLog


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    region_path: str = "",
) -> AuditLog:
    """Write the audit row for a state change; call it inside the service's transaction."""
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        region_path=region_path,
        before=before,
        after=after,
        note=note,
    )


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The JSON-safe values of ``fields`` of ``obj``, for the before/after of an audit row."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif value is not None and not isinstance(value, str | int | float | bool | list | dict):
            value = str(value)
        out[name] = value
    return out
