"""Periodic jobs of stations: fold old visits (personal tracks) into counts."""

import datetime as dt

from nuanxin.core.scheduler import Job


def purge_visits() -> str:
    from nuanxin.stations.services.visits import visits_purge

    return str(visits_purge())


JOBS = [Job("stations.purge_visits", dt.timedelta(hours=6), purge_visits)]
