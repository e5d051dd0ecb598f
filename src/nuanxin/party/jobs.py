"""Periodic jobs of the party app: remind members of branch meetings about to start."""

import datetime as dt

from nuanxin.core.scheduler import Job


def remind() -> int:
    from nuanxin.party.services.meetings import meetings_remind_due

    return meetings_remind_due()


JOBS = [Job("party.remind_meetings", dt.timedelta(minutes=10), remind)]
