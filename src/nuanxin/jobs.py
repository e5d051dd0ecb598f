"""The periodic jobs of every app, run by ``nuanxin jobs`` and by the servers' job thread."""

import datetime as dt

from django.utils import timezone

from nuanxin.core.jobs import Job


def _points_expire_holds() -> int:
    from nuanxin.points.services import expire_holds

    return expire_holds()


def _points_expire() -> int:
    from nuanxin.core.timeutil import local_date
    from nuanxin.points.services import expire_points

    return expire_points(today=local_date())


def _stations_purge_visits() -> str:
    from nuanxin.stations.services.visits import visits_purge

    return str(visits_purge())


def _volunteering_promote() -> int:
    from nuanxin.volunteering.services.claims import sessions_promote_due

    return sessions_promote_due()


def _store_expire_orders() -> int:
    from nuanxin.store.services import orders_expire

    return orders_expire()


def _core_forget_old_requests() -> int:
    """Idempotency records, SMS codes and wrong-code counts are only needed for a while."""
    from nuanxin.accounts.models import SmsCode, SmsLoginFailure
    from nuanxin.core.models import IdempotencyRecord

    cutoff = timezone.now() - dt.timedelta(days=7)
    records, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    codes, _ = SmsCode.objects.filter(created_at__lt=cutoff).delete()
    failures, _ = SmsLoginFailure.objects.filter(created_at__lt=cutoff).delete()
    return records + codes + failures


def _accounts_forget_old_logins() -> int:
    """Login records hold phones and addresses: kept LOGIN_LOG_RETENTION_DAYS, then gone."""
    from axes.models import AccessFailureLog, AccessLog
    from django.conf import settings

    cutoff = timezone.now() - dt.timedelta(days=settings.LOGIN_LOG_RETENTION_DAYS)
    logins, _ = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()
    failures, _ = AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
    return logins + failures


JOBS = [
    Job("points.expire_holds", dt.timedelta(minutes=1), _points_expire_holds),
    Job("store.expire_orders", dt.timedelta(minutes=5), _store_expire_orders),
    Job("volunteering.promote", dt.timedelta(minutes=5), _volunteering_promote),
    Job("points.expire", dt.timedelta(hours=6), _points_expire),
    Job("stations.purge_visits", dt.timedelta(hours=6), _stations_purge_visits),
    Job("core.forget_old_requests", dt.timedelta(hours=6), _core_forget_old_requests),
    Job("accounts.forget_old_logins", dt.timedelta(hours=6), _accounts_forget_old_logins),
]
