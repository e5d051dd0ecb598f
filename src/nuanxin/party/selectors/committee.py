"""The committee's member units at any date; overdue action items."""

import datetime as dt

from django.db.models import Q, QuerySet

from nuanxin.core.timeutil import local_date
from nuanxin.party.models import ActionItem, ActionStatus, CommitteeDepartment


def departments_on(on: dt.date) -> QuerySet[CommitteeDepartment]:
    """The member units of the committee on ``on``: a seat opened by then and not yet left."""
    return (
        CommitteeDepartment.objects.filter(
            Q(seats__joined_on__lte=on)
            & (Q(seats__left_on__isnull=True) | Q(seats__left_on__gt=on))
        )
        .distinct()
        .order_by("name")
    )


def overdue_items(today: dt.date | None = None) -> QuerySet[ActionItem]:
    today = today or local_date()
    return ActionItem.objects.filter(status=ActionStatus.OPEN, due_on__lt=today).select_related(
        "owner", "meeting"
    )


def is_overdue(item: ActionItem, today: dt.date | None = None) -> bool:
    return item.status == ActionStatus.OPEN and item.due_on < (today or local_date())
