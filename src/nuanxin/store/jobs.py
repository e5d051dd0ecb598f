"""Periodic jobs of the shops: expire orders nobody picked up."""

import datetime as dt

from nuanxin.core.scheduler import Job


def expire_orders() -> int:
    from nuanxin.store.services import orders_expire

    return orders_expire()


JOBS = [Job("store.expire_orders", dt.timedelta(minutes=5), expire_orders)]
