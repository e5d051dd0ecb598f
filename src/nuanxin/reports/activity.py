"""Reports a person filed that were accepted (受理) and are not rejected or duplicates."""

from django.db.models import Count

from nuanxin.reports.models import FINAL_STATES, Report


def activity_of(user_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = (
        Report.objects.filter(reporter_id__in=user_ids, accepted_at__isnull=False)
        .exclude(state__in=FINAL_STATES)
        .values_list("reporter_id")
        .annotate(n=Count("pk"))
    )
    return {pk: {"reports_accepted": n} for pk, n in rows}
