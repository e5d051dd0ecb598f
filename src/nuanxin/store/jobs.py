"""Periodic jobs of the shops: remind of orders about to expire, expire those nobody picked up."""

import datetime as dt

from nuanxin.core.scheduler import Job


def expire_orders() -> int:
    from nuanxin.store.services import orders_expire

    return orders_expire()


def remind_expiring() -> int:
    from nuanxin.store.services import orders_remind_expiring

    return orders_remind_expiring()


JOBS = [
    Job("store.expire_orders", dt.timedelta(minutes=5), expire_orders),
    Job("store.remind_expiring", dt.timedelta(minutes=15), remind_expiring),
]
