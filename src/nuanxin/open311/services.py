"""Writes of the Open311 adapter: client applications and their keys, and new service requests.

A service request becomes a report through ``reports.services.report_submit``; this module only
adds what Open311 needs around it (the client, the retry key, the token).
"""

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, forbidden
from nuanxin.core.scoping import jurisdiction_path
from nuanxin.open311.models import ClientApplication, RequestToken
from nuanxin.open311.params import Submission
from nuanxin.reports.models import Channel, Report
from nuanxin.reports.services import report_submit

KEY_PREFIX = "nx311_"
CLIENT_FIELDS = [
    "code",
    "name",
    "contact_name",
    "contact_phone",
    "contact_email",
    "note",
    "key_prefix",
    "is_active",
    "can_submit",
]
EDITABLE_FIELDS = ("name", "contact_name", "contact_phone", "contact_email", "note")


def key_digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def _new_key() -> tuple[str, str, str]:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    return key, key[: len(KEY_PREFIX) + 6], key_digest(key)


def require_city_admin(actor: Any) -> None:
    """Client applications speak for the whole city: only city-level staff manage them."""
    path = jurisdiction_path(actor)
    if path is None or (path != "" and path.count("/") != 1):
        raise forbidden("open311.city_admin_only", _("只有市级管理员可以管理接入应用。"))


def _audit(actor: Any, action: str, client: ClientApplication, before: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=client,
        before=before,
        after=snapshot(client, CLIENT_FIELDS),
    )


@transaction.atomic
def client_create(
    *,
    actor: Any,
    code: str,
    name: str,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    note: str = "",
    can_submit: bool = True,
) -> tuple[ClientApplication, str]:
    """Register a client application; returns it and its API key, which is never shown again.

    ``actor`` None is the demo loader.
    """
    if actor is not None:
        require_city_admin(actor)
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise ApplicationError("open311.bad_client", _("应用代码和名称不能为空。"))
    if ClientApplication.objects.filter(code=code).exists():
        raise ApplicationError(
            "open311.client_exists", _("应用代码已被使用。"), extra={"code": code}, status=409
        )
    key, prefix, digest = _new_key()
    client = ClientApplication.objects.create(
        code=code,
        name=name,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        contact_email=contact_email.strip(),
        note=note.strip(),
        can_submit=can_submit,
        key_prefix=prefix,
        key_digest=digest,
        key_issued_at=timezone.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _audit(actor, "open311.client_create", client, None)
    return client, key


@transaction.atomic
def client_update(
    *,
    actor: Any,
    client: ClientApplication,
    is_active: bool | None = None,
    can_submit: bool | None = None,
    **fields: str,
) -> ClientApplication:
    """Change a client's name, contact, note, or switch it (or its right to submit) off."""
    require_city_admin(actor)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            "open311.bad_client", _("未知字段。"), extra={"fields": sorted(unknown)}
        )
    client = ClientApplication.objects.select_for_update().get(pk=client.pk)
    before = snapshot(client, CLIENT_FIELDS)
    for name, value in fields.items():
        setattr(client, name, (value or "").strip())
    if not client.name:
        raise ApplicationError("open311.bad_client", _("应用代码和名称不能为空。"))
    if is_active is not None:
        client.is_active = is_active
    if can_submit is not None:
        client.can_submit = can_submit
    client.save()
    _audit(actor, "open311.client_update", client, before)
    return client


@transaction.atomic
def client_key_rotate(*, actor: Any, client: ClientApplication) -> str:
    """Issue a new API key (the old one stops working at once); returns the key, shown once."""
    require_city_admin(actor)
    client = ClientApplication.objects.select_for_update().get(pk=client.pk)
    before = snapshot(client, CLIENT_FIELDS)
    key, client.key_prefix, client.key_digest = _new_key()
    client.key_issued_at = timezone.now()
    client.save(update_fields=["key_prefix", "key_digest", "key_issued_at"])
    _audit(actor, "open311.client_key_rotate", client, before)
    return key


@dataclass(frozen=True)
class Created:
    report: Report
    token: RequestToken


def service_request_create(*, client: ClientApplication, submission: Submission) -> Created:
    """File a service request for ``client``: a report (channel open311, no user behind it,
    the citizen's contact kept on the report) and its token.

    A retry is safe: the same client sending the same content from the same ``device_id`` gets
    the first request back. The retry key is kept on the token, unique per client, and requests
    of one client are serialised on the client's row. (The reports app's own ``submit_key`` is
    not used: its uniqueness includes the reporter, which is NULL here, so it would let two
    simultaneous retries through, and its lookup cannot use an index for a NULL reporter.)
    """
    if not client.is_active or not client.can_submit:
        raise forbidden("open311.client_cannot_submit", _("该接入应用无权提交问题。"))
    key = submission.submit_key() or None
    with transaction.atomic():
        locked = ClientApplication.objects.select_for_update().get(pk=client.pk)
        if key is not None:
            prior = (
                RequestToken.objects.select_related("report__category")
                .filter(client=locked, submit_key=key)
                .first()
            )
            if prior is not None:
                return Created(report=prior.report, token=prior)
        report = report_submit(
            reporter=None,
            category=submission.category,
            lon=submission.lon,
            lat=submission.lat,
            coord_system=submission.coord_system,
            description=submission.description,
            answers=submission.answers,
            address=submission.address,
            media_url=submission.media_url,
            contact=submission.contact,
            channel=Channel.OPEN311,
            client_id=locked.client_id,
        )
        token = RequestToken.objects.create(
            token=secrets.token_urlsafe(16), report=report, client=locked, submit_key=key
        )
        locked.last_used_at = timezone.now()
        locked.save(update_fields=["last_used_at"])
    return Created(report=report, token=token)
