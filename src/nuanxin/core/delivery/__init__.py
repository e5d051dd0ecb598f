"""Delivering notifications outside the app, behind one interface.

``NOTIFICATION_DELIVERY`` lists where a notification goes, comma-separated: ``inbox`` (the
in-app inbox, always the record), the outside channels ``console``, ``webpush``, ``sms`` and
``wechat``, or the dotted path of a ``Backend`` subclass (or of a function called like
``inbox_deliver``, which then stands in for the inbox). An outside channel never runs inside
the write that caused the notification: the inbox row is written after the commit, with one
``NotificationDelivery`` row per channel and target; those are sent by a background thread
at once (``NOTIFICATION_DISPATCH=thread``) and in any case by the periodic job
``core.deliver_notifications``, which retries a failure after a pause and gives up after
``NOTIFICATION_DELIVERY_ATTEMPTS`` tries, keeping the last error on the row.
"""

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from nuanxin.core.models import DeliveryStatus, Notification, NotificationDelivery

logger = logging.getLogger("nuanxin.notifications")

INBOX = "inbox"
BACKENDS = {
    "console": "nuanxin.core.delivery.backends.ConsoleBackend",
    "sms": "nuanxin.core.delivery.backends.SmsBackend",
    "wechat": "nuanxin.core.delivery.backends.WechatTemplateBackend",
    "webpush": "nuanxin.core.delivery.webpush.WebPushBackend",
}
# Pauses before the second, third, ... try; the last one repeats.
RETRY_PAUSES = [dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30)]
# A delivery being tried is held this long, so a crashed sender's row is tried again later.
LEASE = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class Message:
    """What an outside channel sends: the notification in the site's language."""

    notification_id: int
    user: Any
    kind: str
    title: str
    body: str
    url: str

    def absolute_url(self) -> str:
        base = (getattr(settings, "NUANXIN_PUBLIC_URL", "") or "").rstrip("/")
        return base + (self.url or "/notifications/")


class DeliveryFailed(Exception):
    """A send that failed; ``permanent`` when trying again cannot help (the subscription is
    gone, the user has no address on the channel)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Backend:
    """One outside channel. ``targets`` names where a user is reached on it (a push
    subscription each, or one ``""`` for the user's own address); ``send`` delivers one
    message to one target or raises (``DeliveryFailed`` or any error: both are recorded)."""

    name = ""

    def wants(self, kind: str) -> bool:
        """Whether messages of ``kind`` go out on this channel (``NOTIFICATION_<NAME>_KINDS``:
        kinds or kind prefixes ending in "."; empty: every kind)."""
        setting = getattr(settings, f"NOTIFICATION_{self.name.upper()}_KINDS", []) or []
        return not setting or any(
            kind == k or (k.endswith(".") and kind.startswith(k)) for k in setting
        )

    def targets(self, user: Any) -> list[str]:
        return [""]

    def send(self, *, message: Message, target: str) -> None:
        raise NotImplementedError


def _entries() -> list[str]:
    value = getattr(settings, "NOTIFICATION_DELIVERY", INBOX) or INBOX
    items = value if isinstance(value, list | tuple) else value.split(",")
    return [item.strip() for item in items if item.strip()]


def configured() -> tuple[list[Any], dict[str, Backend]]:
    """The inbox writers (functions) and the outside backends by name, as configured."""
    writers: list[Any] = []
    backends: dict[str, Backend] = {}
    for entry in _entries():
        if entry == INBOX:
            writers.append(import_string("nuanxin.core.notifications.inbox_deliver"))
            continue
        found = import_string(BACKENDS.get(entry, entry))
        if isinstance(found, type) and issubclass(found, Backend):
            backend = found()
            backends[backend.name or entry] = backend
        else:
            writers.append(found)
    if backends and INBOX not in _entries():
        raise ImproperlyConfigured("NOTIFICATION_DELIVERY: outside channels need 'inbox'.")
    return writers, backends


def backend_named(name: str) -> Backend | None:
    return configured()[1].get(name)


def deliveries_queue(notification: Notification, backends: dict[str, Backend]) -> list[int]:
    """One pending delivery per backend and target of the notification's user."""
    rows = [
        NotificationDelivery(
            notification=notification, channel=name, target=target, next_try_at=timezone.now()
        )
        for name, backend in backends.items()
        if backend.wants(notification.kind)
        for target in backend.targets(notification.user)
    ]
    return [row.pk for row in NotificationDelivery.objects.bulk_create(rows)]


def _message(delivery: NotificationDelivery) -> Message:
    note = delivery.notification
    return Message(note.pk, note.user, note.kind, note.title, note.body, note.url)


def _claim(delivery: NotificationDelivery, now: dt.datetime) -> bool:
    """Take the delivery for one try; another sender that took it first wins."""
    return bool(
        NotificationDelivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts
        ).update(attempts=delivery.attempts + 1, next_try_at=now + LEASE)
    )


def delivery_attempt(delivery: NotificationDelivery, *, now: dt.datetime | None = None) -> str:
    """Try one delivery once; returns its status afterwards. Never raises."""
    now = now or timezone.now()
    if not _claim(delivery, now):
        return "taken"
    attempts = delivery.attempts + 1
    backend = backend_named(delivery.channel)
    try:
        if backend is None:
            raise DeliveryFailed("channel no longer configured", permanent=True)
        backend.send(message=_message(delivery), target=delivery.target)
    except Exception as exc:  # a channel's failure is recorded, never passed on
        permanent = isinstance(exc, DeliveryFailed) and exc.permanent
        limit = int(getattr(settings, "NOTIFICATION_DELIVERY_ATTEMPTS", 5))
        give_up = permanent or attempts >= limit
        pause = RETRY_PAUSES[min(attempts, len(RETRY_PAUSES)) - 1]
        error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning(
            "notification delivery %s (%s) failed, try %s%s: %s",
            delivery.pk, delivery.channel, attempts, ", given up" if give_up else "", error,
        )  # fmt: skip
        NotificationDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.DROPPED if give_up else DeliveryStatus.PENDING,
            next_try_at=None if give_up else now + pause,
            last_error=error,
        )
        return DeliveryStatus.DROPPED if give_up else DeliveryStatus.PENDING
    NotificationDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), next_try_at=None, last_error=""
    )
    return DeliveryStatus.SENT


def deliveries_send(ids: list[int]) -> dict[str, int]:
    """Try the named deliveries that are due; counts by outcome."""
    counts: dict[str, int] = {}
    due = NotificationDelivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING)
    for delivery in due.select_related("notification__user").order_by("pk"):
        outcome = delivery_attempt(delivery)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def deliveries_send_due(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """The periodic job: every pending delivery whose time has come (at most ``limit``)."""
    now = now or timezone.now()
    ids = list(
        NotificationDelivery.objects.filter(status=DeliveryStatus.PENDING, next_try_at__lte=now)
        .order_by("next_try_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return deliveries_send(ids)


_executor: ThreadPoolExecutor | None = None


def _send_in_background(ids: list[int]) -> None:
    try:
        deliveries_send(ids)
    except Exception:
        logger.exception("background notification delivery failed; the job will retry")
    finally:
        connection.close()


def dispatch(ids: list[int]) -> None:
    """Start sending new deliveries without making the request wait for them."""
    global _executor
    if not ids or getattr(settings, "NOTIFICATION_DISPATCH", "thread") != "thread":
        return
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="nuanxin-notify")
    _executor.submit(_send_in_background, ids)
