"""Periodic jobs of volunteering: seat waiting lists once the party members' hold ends."""

import datetime as dt

from nuanxin.core.scheduler import Job


def promote() -> int:
    from nuanxin.volunteering.services.claims import sessions_promote_due

    return sessions_promote_due()


JOBS = [Job("volunteering.promote", dt.timedelta(minutes=5), promote)]
