"""How many login codes may go out, and how many wrong codes a client may type.

SMS cost the city money and reach a person's phone, so sending is limited per phone (one code a
minute, a few a day), per client address (a few a minute, more an hour) and in all (per minute,
a ceiling on the bill whatever the number of addresses). Each limit is a sliding window counted
over the ``SmsCode`` rows, which are the record of what was sent; the count and the new row are
written in one transaction that holds ``core.locks.serialise`` (an advisory lock on PostgreSQL,
SQLite's write lock), so the limits hold exactly with several app servers and threads racing.

A refused request writes nothing, so refusals do not use up anybody's allowance.
"""

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from nuanxin.accounts.models import SmsCode, SmsLoginFailure
from nuanxin.core.errors import ApplicationError

SEND_LOCK = "accounts.sms_send"


def format_wait(seconds: int) -> str:
    """A wait for a message: seconds below two minutes, whole minutes (rounded up) above."""
    if seconds < 120:
        return _("%(n)s 秒") % {"n": seconds}
    return _("%(n)s 分钟") % {"n": math.ceil(seconds / 60)}


def too_many(code: str, message: str, seconds: int, **extra: Any) -> ApplicationError:
    """A 429 whose ``retry_after_seconds`` becomes the HTTP answer's Retry-After header."""
    return ApplicationError(
        code,
        message % {"wait": format_wait(seconds)},
        extra={"retry_after_seconds": seconds, **extra},
        status=429,
    )


def retry_after(rows: QuerySet, *, limit: int, seconds: int, now: dt.datetime) -> int | None:
    """Seconds until one more row fits: None while fewer than ``limit`` rows are younger than
    ``seconds``; otherwise until the ``limit``-th newest of them leaves the window."""
    if limit <= 0 or seconds <= 0:
        return None
    window_start = now - dt.timedelta(seconds=seconds)
    edge = (
        rows.filter(created_at__gt=window_start)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[limit - 1 : limit]
    )
    for created_at in edge:
        left = created_at + dt.timedelta(seconds=seconds) - now
        return max(1, math.ceil(left.total_seconds()))
    return None


@dataclass(frozen=True)
class SendLimit:
    code: str
    limit: int
    seconds: int
    scope: str  # "phone", "client" or "all"

    def message(self) -> str:
        return {
            "accounts.sms_too_soon": _("该手机号获取验证码过于频繁，请 %(wait)s后再试。"),
            "accounts.sms_phone_limit": _(
                "该手机号 24 小时内获取的验证码已达上限，请 %(wait)s后再试。"
            ),
            "accounts.sms_client_limit": _("您所在的网络获取验证码过于频繁，请 %(wait)s后再试。"),
            "accounts.sms_global_limit": _("当前获取验证码的人数过多，请 %(wait)s后再试。"),
        }[self.code]


def send_limits() -> list[SendLimit]:
    """The sending limits in the order they are checked: the most specific first."""
    return [
        SendLimit("accounts.sms_too_soon", 1, settings.SMS_CODE_RESEND_SECONDS, "phone"),
        SendLimit("accounts.sms_phone_limit", settings.SMS_PHONE_LIMIT_PER_DAY, 86400, "phone"),
        SendLimit("accounts.sms_client_limit", settings.SMS_CLIENT_LIMIT_PER_MINUTE, 60, "client"),
        SendLimit("accounts.sms_client_limit", settings.SMS_CLIENT_LIMIT_PER_HOUR, 3600, "client"),
        SendLimit("accounts.sms_global_limit", settings.SMS_GLOBAL_LIMIT_PER_MINUTE, 60, "all"),
    ]


def sms_send_check(*, phone: str, client_ip: str | None, now: dt.datetime) -> None:
    """Raise the first sending limit that one more code to ``phone`` from ``client_ip`` would
    break. The caller holds ``serialise(SEND_LOCK)`` and inserts the code in the same
    transaction; a request without an address counts under the empty address, with the others
    that have none, never under no limit."""
    scopes = {
        "phone": SmsCode.objects.filter(phone=phone),
        "client": SmsCode.objects.filter(client_ip=client_ip),
        "all": SmsCode.objects.all(),
    }
    for rule in send_limits():
        wait = retry_after(scopes[rule.scope], limit=rule.limit, seconds=rule.seconds, now=now)
        if wait is not None:
            raise too_many(rule.code, rule.message(), wait)


def login_lock_name(client_ip: str | None) -> str:
    return f"accounts.sms_login:{client_ip or '-'}"


def sms_login_check(*, client_ip: str | None, now: dt.datetime) -> None:
    """Refuse SMS login from an address that typed too many wrong codes lately. The caller holds
    ``serialise(login_lock_name(client_ip))`` and records a wrong code in the same transaction."""
    wait = retry_after(
        SmsLoginFailure.objects.filter(client_ip=client_ip),
        limit=settings.SMS_LOGIN_CLIENT_FAILURE_LIMIT,
        seconds=settings.LOGIN_LOCKOUT_MINUTES * 60,
        now=now,
    )
    if wait is not None:
        raise too_many(
            "accounts.sms_login_client_limit",
            _("验证码输错次数过多，请 %(wait)s后再试。"),
            wait,
        )
