"""In-app notifications: services queue them on commit, so a rolled-back change tells no one.

Delivery is pluggable: ``NOTIFICATION_DELIVERY`` lists the inbox and the outside channels
(Web Push, SMS, WeChat template messages, the console: ``core.delivery``), each sent after the
commit so that no channel can slow or undo the write that caused the message.
``region_notify`` tells everyone whom the apps count as the audience of a region (each app's
``audiences.py`` with ``audience_of(region)``: a grid's part-time grid members and its
community staff, for instance).
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from nuanxin.core import delivery
from nuanxin.core.discovery import app_modules
from nuanxin.core.models import Notification
from nuanxin.core.texts import Text, text_data, text_default

Content = str | Text | list[str | Text]


def inbox_deliver(
    *,
    user: Any,
    kind: str,
    title: str,
    body: str,
    url: str,
    texts: dict | None = None,
    sent_at: dt.datetime | None = None,
) -> Notification:
    """The in-app inbox (``texts``: the title and body as catalogue keys with their
    parameters, for showing them in the reader's language; ``sent_at``: when the event was,
    which is the notification's time, not the later moment its transaction committed)."""
    return Notification.objects.create(
        user=user,
        kind=kind,
        title=str(title)[:120],
        body=str(body),
        url=url,
        texts=texts or {},
        created_at=sent_at or timezone.now(),
    )


def notification_send(
    *, user: Any, kind: str, title: Content, body: Content = "", url: str = ""
) -> None:
    """Queue a notification to be delivered once the surrounding transaction commits.

    ``title`` and ``body`` given as ``core.texts.text(...)`` (or lists of texts and strings,
    one a line) are stored as catalogue keys with their parameters and shown in the reader's
    language; plain strings (what a person wrote) are shown as written. The row also keeps
    both in the site's language.
    """
    texts = {"title": text_data(title), "body": text_data(body)}
    plain_title, plain_body = text_default(title), text_default(body)
    writers, backends = delivery.configured()
    sent_at = timezone.now()

    def write() -> None:
        # After the commit: what fails here is logged (robust) and leaves the write in place.
        for deliver in writers:
            row = deliver(
                user=user,
                kind=kind,
                title=plain_title,
                body=plain_body,
                url=url,
                texts=texts,
                sent_at=sent_at,
            )
            if backends and isinstance(row, Notification):
                delivery.dispatch(delivery.deliveries_queue(row, backends))

    transaction.on_commit(write, robust=True)


def region_notify(
    *, region: Any, kind: str, title: Content, body: Content = "", url: str = "",
    exclude: Iterable[int] = (),
) -> int:  # fmt: skip
    """Queue a notification to the audience of ``region``; returns how many it reaches."""
    skip = set(exclude)
    seen: dict[int, Any] = {}
    for _label, module in app_modules("audiences"):
        for user in module.audience_of(region):
            if user.pk not in skip and user.is_active:
                seen.setdefault(user.pk, user)
    for user in seen.values():
        notification_send(user=user, kind=kind, title=title, body=body, url=url)
    return len(seen)


def notifications_mark_read(*, user: Any, ids: list[int] | None = None) -> int:
    """Mark the user's notifications (all, or those in ``ids``) read; returns how many."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def notifications_of(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
