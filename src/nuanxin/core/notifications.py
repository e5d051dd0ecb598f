"""In-app notifications: services queue them on commit, so a rolled-back change tells no one."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from nuanxin.core.models import Notification
from nuanxin.core.texts import Text, text_data, text_default

Content = str | Text | list[str | Text]


def notification_send(
    *, user: Any, kind: str, title: Content, body: Content = "", url: str = ""
) -> None:
    """Queue a notification to be written once the surrounding transaction commits.

    ``title`` and ``body`` given as ``core.texts.text(...)`` (or lists of texts and strings,
    one a line) are stored as catalogue keys with their parameters and shown in the reader's
    language; plain strings (what a person wrote) are shown as written. The row also keeps
    both in the site's language.
    """
    texts = {"title": text_data(title), "body": text_data(body)}
    plain_title, plain_body = text_default(title), text_default(body)

    def write() -> None:
        Notification.objects.create(
            user=user, kind=kind, title=plain_title[:120], body=plain_body, url=url, texts=texts
        )

    transaction.on_commit(write)


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
