"""Periodic jobs of accounts: forget login data once it is no longer needed."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from nuanxin.core.scheduler import Job

# SMS codes and wrong-code counts are only needed for a while after they were sent.
SMS_CODE_RETENTION_DAYS = 7


def forget_old_codes() -> int:
    """SMS codes and wrong-code counts are only needed for a while after they were sent."""
    from nuanxin.accounts.models import SmsCode, SmsLoginFailure

    cutoff = timezone.now() - dt.timedelta(days=SMS_CODE_RETENTION_DAYS)
    codes, _ = SmsCode.objects.filter(created_at__lt=cutoff).delete()
    failures, _ = SmsLoginFailure.objects.filter(created_at__lt=cutoff).delete()
    return codes + failures


def forget_old_logins() -> int:
    """Login records hold phones and addresses: kept LOGIN_LOG_RETENTION_DAYS, then gone."""
    from axes.models import AccessFailureLog, AccessLog

    from nuanxin.accounts.models import LoginEvent

    cutoff = timezone.now() - dt.timedelta(days=settings.LOGIN_LOG_RETENTION_DAYS)
    logins, _ = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()
    failures, _ = AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
    history, _ = LoginEvent.objects.filter(at__lt=cutoff).delete()
    return logins + failures + history


JOBS = [
    Job("accounts.forget_old_codes", dt.timedelta(hours=6), forget_old_codes),
    Job("accounts.forget_old_logins", dt.timedelta(hours=6), forget_old_logins),
]
