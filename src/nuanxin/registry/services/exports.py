"""Exports of filtered lists: masked by default, full numbers only for those allowed; logged."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from nuanxin.accounts.models import User
from nuanxin.core.audit import audit_record
from nuanxin.core.errors import forbidden
from nuanxin.core.scoping import jurisdiction_path
from nuanxin.registry.access import may_see_full_numbers, may_use_registry
from nuanxin.registry.exporting import export_enterprises, export_workers
from nuanxin.registry.models import Enterprise, Worker


@transaction.atomic
def registry_export(
    *,
    actor: User,
    queryset: QuerySet[Enterprise] | QuerySet[Worker],
    full_numbers: bool,
    filters: dict[str, Any],
) -> bytes:
    """The .xlsx of ``queryset`` (already scoped to ``actor``); every export is audited."""
    if not may_use_registry(actor):
        raise forbidden("registry.not_allowed", _("您无权导出台账。"))
    if full_numbers and not may_see_full_numbers(actor):
        raise forbidden(
            "registry.full_numbers_not_allowed", _("您无权导出完整的手机号和身份证号。")
        )
    is_workers = queryset.model is Worker
    export = export_workers if is_workers else export_enterprises
    data = export(queryset, full_numbers=full_numbers)
    audit_record(
        actor=actor,
        action="registry.export_workers" if is_workers else "registry.export_enterprises",
        obj=actor,
        after={
            "count": queryset.count(),
            "full_numbers": full_numbers,
            "filters": {k: str(v) for k, v in filters.items() if v not in (None, "")},
        },
        region_path=jurisdiction_path(actor) or "",
    )
    return data
