"""Web Push (RFC 8030 with VAPID, RFC 8292) to the browsers of an installed app.

The browser subscribes with the server's public key and gives us its push service endpoint
and the keys to encrypt for it (``PushSubscription``, stored by ``push_subscription_save``).
A message is encrypted for that browser alone (aes128gcm, RFC 8291) and posted to the
endpoint with a VAPID token signed by ``VAPID_PRIVATE_KEY``; the service worker shows it and
opens the inbox (or the message's page) on a tap. Keys: ``nuanxin vapid-keys``.
"""

import base64
import json
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record
from nuanxin.core.delivery import Backend, DeliveryFailed, Message
from nuanxin.core.errors import ApplicationError
from nuanxin.core.models import PushSubscription

# Where the push service says the subscription has gone: remove it, do not retry.
GONE = {404, 410}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vapid_public_key() -> str:
    """The application server key a browser subscribes with ("" when push is not set up)."""
    private = getattr(settings, "VAPID_PRIVATE_KEY", "")
    if not private:
        return ""
    from py_vapid import Vapid

    key = Vapid.from_string(private).public_key
    return _b64(
        key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


def vapid_keys_generate() -> tuple[str, str]:
    """A new key pair: (private key as base64url raw scalar, public key as base64url point)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    raw = private.private_numbers().private_value.to_bytes(32, "big")
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64(raw), _b64(public)


def _check_key(value: str, length: int, field: str) -> None:
    try:
        decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        decoded = b""
    if len(decoded) != length:
        raise ApplicationError(
            "notifications.bad_subscription",
            _("推送订阅无效，请重新开启通知。"),
            extra={"field": field},
        )


def push_service_allowed(endpoint: str) -> bool:
    """Whether ``endpoint`` belongs to a push service we post to (``NOTIFICATION_PUSH_HOSTS``:
    a host, ".suffix" for its subdomains, or an exact origin such as a test's loopback
    server), so that nobody can make the server post to an address of their choosing."""
    url = urlsplit(endpoint)
    host = (url.hostname or "").lower()
    for entry in getattr(settings, "NOTIFICATION_PUSH_HOSTS", []):
        if "://" in entry:
            if endpoint.startswith(entry.rstrip("/") + "/"):
                return True
        elif url.scheme == "https" and (
            host == entry or (entry.startswith(".") and host.endswith(entry))
        ):
            return True
    return False


@transaction.atomic
def push_subscription_save(*, user: Any, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Store the browser's subscription for ``user``; the same endpoint again moves it to the
    account now logged in (a shared phone), so one browser never gets another's messages."""
    if not push_service_allowed(endpoint):
        raise ApplicationError(
            "notifications.push_service_unknown",
            _("该浏览器的推送服务不在允许范围内，无法开启通知。"),
        )
    _check_key(p256dh, 65, "p256dh")
    _check_key(auth, 16, "auth")
    before = PushSubscription.objects.filter(endpoint=endpoint).values("user_id").first()
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth}
    )
    audit_record(
        actor=user,
        action="notifications.push_subscribe",
        obj=subscription,
        before={"user": before["user_id"]} if before else None,
        after={"user": user.pk, "service": urlsplit(endpoint).hostname},
    )
    return subscription


@transaction.atomic
def push_subscription_remove(*, user: Any, endpoint: str) -> int:
    """Forget the browser's subscription (notifications switched off on this phone)."""
    found = PushSubscription.objects.filter(user=user, endpoint=endpoint).first()
    if found is None:
        return 0
    audit_record(
        actor=user, action="notifications.push_unsubscribe", obj=found, before={"user": user.pk}
    )
    found.delete()
    return 1


class WebPushBackend(Backend):
    name = "webpush"

    def targets(self, user: Any) -> list[str]:
        return [str(pk) for pk in user.push_subscriptions.values_list("pk", flat=True)]

    def send(self, *, message: Message, target: str) -> None:
        from pywebpush import WebPushException, webpush

        subscription = PushSubscription.objects.filter(pk=int(target or 0)).first()
        if subscription is None or subscription.user_id != message.user.pk:
            raise DeliveryFailed("subscription removed", permanent=True)
        if not getattr(settings, "VAPID_PRIVATE_KEY", ""):
            raise DeliveryFailed("VAPID_PRIVATE_KEY not set", permanent=True)
        payload = {
            "title": message.title,
            "body": message.body[:300],
            # Through the inbox, so that a tap on the push marks the message read.
            "url": reverse("core:notification_open", args=[message.notification_id]),
            "tag": f"n{message.notification_id}",
        }
        try:
            webpush(
                subscription_info={
                    "endpoint": subscription.endpoint,
                    "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                },
                data=json.dumps(payload, ensure_ascii=False),
                vapid_private_key=settings.VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                ttl=int(getattr(settings, "NOTIFICATION_PUSH_TTL_SECONDS", 86400)),
                timeout=float(getattr(settings, "NOTIFICATION_HTTP_TIMEOUT_SECONDS", 5)),
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in GONE:
                subscription.delete()
                raise DeliveryFailed(f"HTTP {status}: subscription gone", permanent=True) from exc
            raise DeliveryFailed(f"HTTP {status}: {exc.message}"[:500]) from exc
