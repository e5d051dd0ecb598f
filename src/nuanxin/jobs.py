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
    """Idempotency records and SMS codes are only needed for a while after the request."""
    from nuanxin.accounts.models import SmsCode
    from nuanxin.core.models import IdempotencyRecord

    cutoff = timezone.now() - dt.timedelta(days=7)
    records, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    codes, _ = SmsCode.objects.filter(created_at__lt=cutoff).delete()
    return records + codes


JOBS = [
    Job("points.expire_holds", dt.timedelta(minutes=1), _points_expire_holds),
    Job("store.expire_orders", dt.timedelta(minutes=5), _store_expire_orders),
    Job("volunteering.promote", dt.timedelta(minutes=5), _volunteering_promote),
    Job("points.expire", dt.timedelta(hours=6), _points_expire),
    Job("stations.purge_visits", dt.timedelta(hours=6), _stations_purge_visits),
    Job("core.forget_old_requests", dt.timedelta(hours=6), _core_forget_old_requests),
]
