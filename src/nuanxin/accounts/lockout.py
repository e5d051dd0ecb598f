"""Password-login lockout: django-axes, told about phones, client addresses and two limits.

django-axes (``AxesStandaloneBackend`` first in AUTHENTICATION_BACKENDS, its middleware, its
database handler) records every failed ``authenticate()`` and refuses the next ones while the
account or the client address has failed too often within ``LOGIN_LOCKOUT_MINUTES``. The API,
the login page and the Django admin login all authenticate through it. What this module adds:

- the account is the normalised phone, whatever field and spelling the form used
  (``login_username``), so "139 1234 5678" and "13912345678" count as one; with
  PII_SEAL_PHONES on, its masked form and keyed hash (``models.login_account``), in the
  attempts and in the login records alike, so none of django-axes' rows holds a phone in clear;
- two limits: ``LOGIN_FAILURE_LIMIT`` per account, ``LOGIN_ADDRESS_FAILURE_LIMIT`` per address
  (``LoginAttemptHandler``), because many honest people can share an address;
- the lockout answer: ``accounts.locked_out`` (429) with when to try again, as the API's JSON
  error or a Chinese page, always with ``Retry-After`` (``lockout_response``);
- lifting a lockout from the admin, audited (``login_lockout_lift``).
"""

import datetime as dt
import math
from collections.abc import Callable, Iterable
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.accounts.limits import format_wait
from nuanxin.accounts.models import (
    Role,
    User,
    is_login_account_key,
    login_account,
    login_account_label,
    normalize_phone,
)
from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError, forbidden
from nuanxin.core.fields import phones_sealed


def login_username(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """The account an attempt is counted against: the normalised phone.

    Our services pass ``phone=``; Django's admin login form passes ``username=``.
    """
    credentials = credentials or {}
    raw = credentials.get("phone") or credentials.get("username")
    if raw is None and request is not None:
        data = getattr(request, "POST", None) or {}
        raw = data.get("phone") or data.get("username")
    if not raw:
        return None
    if is_login_account_key(str(raw)):
        return str(raw)  # our handler's own call after a login (user_logged_in)
    return login_account(normalize_phone(str(raw))[:255])


class _Account:
    """A user as django-axes' login and logout handlers see it: only its account name."""

    def __init__(self, user: Any) -> None:
        self.username = login_account(user.get_username())

    def get_username(self) -> str:
        return self.username


def _limit_of(parameter: Any) -> int:
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT if parameter == "ip_address" else None
    return max(1, limit or settings.AXES_FAILURE_LIMIT)


class LoginAttemptHandler(AxesDatabaseHandler):
    """The database handler with a limit of its own for each lockout parameter.

    django-axes compares one number (``get_failures``) with one limit (``AXES_FAILURE_LIMIT``,
    the per-account limit). So each parameter's failures are reported in units of that limit:
    ``failures * account_limit // own_limit`` reaches ``account_limit`` exactly when
    ``failures`` reaches the parameter's own limit.
    """

    def user_logged_in(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        # django-axes names the login record by ``user.get_username()``, the phone: hand it
        # the account's name in our form instead.
        super().user_logged_in(sender, request, _Account(user), **kwargs)

    def user_logged_out(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        super().user_logged_out(sender, request, _Account(user) if user else None, **kwargs)

    def _attempts(self, request: HttpRequest, credentials: dict | None) -> list[tuple[int, Any]]:
        parameters = get_lockout_parameters(request, credentials)
        querysets = self.get_user_attempts(request, credentials)
        return [(_limit_of(p), qs) for p, qs in zip(parameters, querysets, strict=True)]

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        account_limit = max(1, settings.AXES_FAILURE_LIMIT)
        worst = 0
        for limit, attempts in self._attempts(request, credentials):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            worst = max(worst, failures * account_limit // limit)
        return worst

    def locked_until(self, request: HttpRequest, credentials: dict | None) -> dt.datetime | None:
        """When the lockout ends if nobody fails again: for each parameter over its limit, the
        newest attempts that make up the limit must age out of the cool-off window."""
        cool_off = get_cool_off(request)
        ends = []
        for limit, attempts in self._attempts(request, credentials):
            total = 0
            rows = attempts.order_by("-attempt_time").values_list(
                "attempt_time", "failures_since_start"
            )
            for attempt_time, failures in rows[:limit]:
                total += failures
                if total >= limit:
                    ends.append(attempt_time + cool_off)
                    break
        return max(ends, default=None)


def lockout_seconds(request: HttpRequest, credentials: dict | None) -> int:
    """Seconds until ``request`` may log in again (the whole cool-off when it cannot tell)."""
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    until = handler.locked_until(request, credentials) if hasattr(handler, "locked_until") else None
    if until is None:
        return int(get_cool_off(request).total_seconds())
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def locked_out_error(seconds: int) -> ApplicationError:
    until = timezone.localtime(timezone.now() + dt.timedelta(seconds=seconds))
    return ApplicationError(
        "accounts.locked_out",
        _(
            "密码错误次数过多，登录已暂时锁定。请 %(wait)s后（%(time)s 以后）再试，"
            "或使用短信验证码登录。"
        )
        % {"wait": format_wait(seconds), "time": until.strftime("%H:%M")},
        extra={"retry_after_seconds": seconds, "locked_until": until.isoformat()},
        status=429,
    )


def login_locked_out(*, request: HttpRequest, phone: str) -> ApplicationError:
    return locked_out_error(lockout_seconds(request, {"phone": phone}))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer to a login it refused (AXES_LOCKOUT_CALLABLE).

    Our API and login page answer a lockout themselves (429 with the error); that answer
    stands. Any other login view (the Django admin's) gets ours instead of its form.
    """
    if original_response is not None and original_response.status_code == 429:
        return original_response
    error = locked_out_error(lockout_seconds(request, credentials))
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            error.as_dict(), status=429, json_dumps_params={"ensure_ascii": False}
        )
    else:
        response = render(request, "accounts/locked_out.html", {"error": error}, status=429)
    response["Retry-After"] = str(error.extra["retry_after_seconds"])
    return response


def can_manage_logins(user: Any) -> bool:
    """Lockouts concern accounts and addresses anywhere in the city: city admins lift them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.role == Role.CITY_ADMIN


def annotate_locked(attempts: QuerySet, now: dt.datetime | None = None) -> QuerySet:
    """Mark each attempt with whether its account (``account_locked``) and its address
    (``address_locked``) are locked out now."""
    recent = AccessAttempt.objects.filter(
        attempt_time__gte=(now or timezone.now()) - settings.AXES_COOLOFF_TIME
    )

    def over(field: str) -> Exists:
        totals = recent.filter(**{field: OuterRef(field)}).values(field)
        totals = totals.annotate(total=Sum("failures_since_start"))
        return Exists(totals.filter(total__gte=_limit_of(field)))

    return attempts.annotate(account_locked=over("username"), address_locked=over("ip_address"))


@transaction.atomic
def login_lockout_lift(
    *, actor: User, usernames: Iterable[str] = (), ip_addresses: Iterable[str] = ()
) -> int:
    """Forget the failed attempts of these accounts and addresses, so they may log in again.

    Each forgotten attempt is audited (masked phone, address, failures). Returns how many.
    """
    if not can_manage_logins(actor):
        raise forbidden("auth.forbidden", _("只有市级管理员可以解除登录锁定。"))
    usernames, ip_addresses = set(usernames), set(ip_addresses)
    if not usernames and not ip_addresses:
        return 0
    attempts: QuerySet = AccessAttempt.objects.select_for_update().filter(
        Q(username__in=usernames) | Q(ip_address__in=ip_addresses)
    )
    lifted = 0
    for attempt in attempts:
        audit_record(
            actor=actor,
            action="accounts.lockout_lift",
            obj=attempt,
            before={
                "username": login_account_label(attempt.username),
                "ip_address": attempt.ip_address,
                "failures": attempt.failures_since_start,
            },
            note=_("解除登录锁定"),
        )
        attempt.delete()
        lifted += 1
    return lifted


def login_records_step(model: type[models.Model]) -> Callable[[int, int], tuple[int, int, Any]]:
    """A ``nuanxin rotate-keys`` step for one of django-axes' tables: after PII_SEAL_PHONES is
    switched on, each ``username`` in clear becomes ``login_account``'s sealed form; switched
    off, each sealed form whose account still exists becomes its phone again (a try for a phone
    with no account cannot be turned back and keeps its masked form)."""

    def step(after_pk: int, batch: int) -> tuple[int, int, Any]:
        with transaction.atomic():
            rows = list(
                model.objects.select_for_update()
                .filter(pk__gt=after_pk)
                .order_by("pk")
                .values_list("pk", "username")[:batch]
            )
            if not rows:
                return 0, 0, None
            names: dict[int, str] = {}
            if phones_sealed():
                names = {
                    pk: login_account(name)
                    for pk, name in rows
                    if name and not is_login_account_key(name)
                }
            else:
                keyed = {pk: name for pk, name in rows if is_login_account_key(name)}
                hashes = {name.rsplit("#", 1)[1] for name in keyed.values()}
                phones = dict(
                    User.objects.filter(phone_hash__in=hashes).values_list("phone_hash", "phone")
                )
                for pk, name in keyed.items():
                    if (phone := phones.get(name.rsplit("#", 1)[1])) is not None:
                        names[pk] = phone
            for pk, name in names.items():
                model.objects.filter(pk=pk).update(username=name)
            if names:
                audit_record(
                    actor=None,
                    action="crypto.reseal",
                    obj=model.objects.only("pk").get(pk=rows[-1][0]),
                    after={
                        "column": f"{model._meta.label_lower}.username",
                        "rows": len(names),
                        "sealed": phones_sealed(),
                    },
                    note=f"{rows[0][0]}..{rows[-1][0]}",
                )
            return len(rows), len(names), rows[-1][0]

    return step
