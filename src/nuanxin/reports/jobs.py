"""The reports' periodic jobs: forgetting reporters' contact details after the retention period."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from nuanxin.core.scheduler import Job


def forget_reporter_contacts() -> int:
    """Clears the name, phone and e-mail an account-less reporter (Open311) left on reports
    submitted more than ``REPORT_CONTACT_RETENTION_DAYS`` ago; the reports themselves stay."""
    from nuanxin.reports.models import Report

    cutoff = timezone.now() - dt.timedelta(days=settings.REPORT_CONTACT_RETENTION_DAYS)
    return (
        Report.objects.filter(created_at__lt=cutoff)
        .exclude(contact_name="", contact_phone="", contact_email="")
        .update(contact_name="", contact_phone="", contact_email="")
    )


JOBS = [Job("reports.forget_contacts", dt.timedelta(hours=6), forget_reporter_contacts)]
