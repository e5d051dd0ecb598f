"""Periodic jobs of the ledger: release overdue holds, expire points."""

import datetime as dt

from nuanxin.core.scheduler import Job


def expire_holds() -> int:
    from nuanxin.points.services import expire_holds

    return expire_holds()


def expire() -> int:
    from nuanxin.core.timeutil import local_date
    from nuanxin.points.services import expire_points

    return expire_points(today=local_date())


JOBS = [
    Job("points.expire_holds", dt.timedelta(minutes=1), expire_holds),
    Job("points.expire", dt.timedelta(hours=6), expire),
]
