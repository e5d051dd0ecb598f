"""In-app notifications: services queue them on commit, so a rolled-back change tells no one.

Delivery is pluggable: ``NOTIFICATION_DELIVERY`` names the function that delivers one message
(default ``inbox_deliver``, the in-app inbox); a deployment may point it at one that also
pushes to a phone or a chat group. ``region_notify`` tells everyone whom the apps count as the
audience of a region (each app's ``audiences.py`` with ``audience_of(region)``: a grid's
part-time grid members and its community staff, for instance).
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from nuanxin.core.discovery import app_modules
from nuanxin.core.models import Notification
from nuanxin.core.texts import Text, text_data, text_default

Content = str | Text | list[str | Text]

DEFAULT_DELIVERY = "nuanxin.core.notifications.inbox_deliver"


def inbox_deliver(
    *, user: Any, kind: str, title: str, body: str, url: str, texts: dict | None = None
) -> None:
    """The default delivery: the in-app inbox (``texts``: the title and body as catalogue keys
    with their parameters, for showing them in the reader's language)."""
    Notification.objects.create(
        user=user, kind=kind, title=str(title)[:120], body=str(body), url=url, texts=texts or {}
    )


def _deliver() -> Any:
    return import_string(getattr(settings, "NOTIFICATION_DELIVERY", DEFAULT_DELIVERY))


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
    deliver = _deliver()

    def write() -> None:
        deliver(user=user, kind=kind, title=plain_title, body=plain_body, url=url, texts=texts)

    transaction.on_commit(write)


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
