"""The dashboard's periodic job: the snapshot every region's dashboard reads."""

import datetime as dt

from django.conf import settings

from nuanxin.core.scheduler import Job


def take_snapshot() -> int:
    from nuanxin.dashboard.snapshots import snapshots_take

    return snapshots_take()


JOBS = [
    Job(
        "dashboard.snapshot",
        dt.timedelta(minutes=settings.DASHBOARD_REFRESH_MINUTES),
        take_snapshot,
    )
]
