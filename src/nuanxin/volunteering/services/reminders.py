"""Reminders before a session: each worker with a place hears of it once,
``VOLUNTEER_REMINDER_HOURS`` before it starts (the periodic job ``volunteering.remind``)."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_noop

from nuanxin.core.notifications import notification_send
from nuanxin.core.texts import text
from nuanxin.volunteering.models import Claim, ClaimStatus, ProjectStatus
from nuanxin.volunteering.services._common import now
from nuanxin.volunteering.services.claims import MY_CLAIMS_URL, _local


def reminder_window() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "VOLUNTEER_REMINDER_HOURS", 3)))


def claims_remind_due(*, at: dt.datetime | None = None) -> int:
    """Remind every seated claim whose session starts within the window (and has not started),
    once; returns how many were reminded. A project that was cancelled reminds no one."""
    at = at or now()
    due = Claim.objects.filter(
        status=ClaimStatus.CLAIMED,
        reminded_at__isnull=True,
        session__starts_at__gt=at,
        session__starts_at__lte=at + reminder_window(),
        project__status__in=[ProjectStatus.PUBLISHED, ProjectStatus.CLOSED],
    ).order_by("pk")
    count = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            claim = (
                Claim.objects.select_for_update()
                .select_related("session", "project", "worker")
                .get(pk=pk)
            )
            if claim.status != ClaimStatus.CLAIMED or claim.reminded_at is not None:
                continue
            claim.reminded_at = at
            claim.save(update_fields=["reminded_at"])
            notification_send(
                user=claim.worker,
                kind="volunteer.reminder",
                title=text(gettext_noop("志愿服务即将开始：%(title)s"), title=claim.project.title),
                body=text(
                    gettext_noop("%(when)s 在%(place)s，请准时到场扫码签到。认领码 %(code)s。"),
                    when=_local(claim.session.starts_at),
                    place=claim.project.place_name,
                    code=claim.code,
                ),
                url=MY_CLAIMS_URL,
            )
            count += 1
    return count
