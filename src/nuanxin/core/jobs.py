"""The core's periodic jobs."""

import datetime as dt

from django.utils import timezone

from nuanxin.core.scheduler import Job


def forget_old_requests() -> int:
    """Idempotency records are only needed for a while after the request."""
    from nuanxin.core.models import IdempotencyRecord

    cutoff = timezone.now() - dt.timedelta(days=7)
    records, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return records


def seal_audit() -> int:
    from nuanxin.core.audit_chain import audit_seal

    return audit_seal()


def deliver_notifications() -> dict[str, int]:
    from nuanxin.core.delivery import deliveries_send_due

    return deliveries_send_due()


JOBS = [
    Job("core.deliver_notifications", dt.timedelta(minutes=1), deliver_notifications),
    Job("core.forget_old_requests", dt.timedelta(hours=6), forget_old_requests),
    Job("core.seal_audit", dt.timedelta(minutes=5), seal_audit),
]
