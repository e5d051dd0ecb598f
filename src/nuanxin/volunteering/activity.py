"""Verified volunteer hours of each person."""

from decimal import Decimal

from django.db.models import Q, Sum

from nuanxin.volunteering.models import Attendance, Outcome


def activity_of(user_ids: list[int]) -> dict[int, dict[str, Decimal]]:
    rows = (
        Attendance.objects.filter(
            Q(outcome__in=[Outcome.FULL, Outcome.PARTIAL]), worker_id__in=user_ids
        )
        .values_list("worker_id")
        .annotate(hours=Sum("hours_verified"))
    )
    return {pk: {"volunteer_hours": Decimal(hours or 0)} for pk, hours in rows}
