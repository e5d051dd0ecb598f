"""The audit log's one writer, and the client address each row records.

``AuditContextMiddleware`` remembers the address of the request being served (``core.net``)
for as long as it runs, so a service deep inside it records where the change came from without
every caller passing the request down. Outside a request (commands, jobs, the demo) it is "".
"""

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse

from nuanxin.core.models import AuditLog
from nuanxin.core.net import client_ip

_client_ip: ContextVar[str] = ContextVar("audit_client_ip", default="")


def current_client_ip() -> str:
    """The client address of the request being served ("" outside a request)."""
    return _client_ip.get()


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _client_ip.set(client_ip(request) or "")
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)


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
        client_ip=current_client_ip(),
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
