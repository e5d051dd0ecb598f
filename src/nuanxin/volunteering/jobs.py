"""Periodic jobs of volunteering: seat waiting lists once the party members' hold ends,
remind workers of the sessions they hold a place in."""

import datetime as dt

from nuanxin.core.scheduler import Job


def promote() -> int:
    from nuanxin.volunteering.services.claims import sessions_promote_due

    return sessions_promote_due()


def remind() -> int:
    from nuanxin.volunteering.services.reminders import claims_remind_due

    return claims_remind_due()


JOBS = [
    Job("volunteering.promote", dt.timedelta(minutes=5), promote),
    Job("volunteering.remind", dt.timedelta(minutes=10), remind),
]
