"""Login history: every login step, successful or not, with when, where from and how.

The user sees their own on the profile page; admins see it in the back office (scoped to their
jurisdiction). Rows hold addresses, so they are kept LOGIN_LOG_RETENTION_DAYS (accounts.jobs).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from nuanxin.accounts.models import LoginEvent, User
from nuanxin.core.net import client_ip

USER_AGENT_MAX = 255
PROFILE_ROWS = 10


def login_event_record(
    *,
    request: HttpRequest | None,
    user: User | None,
    method: str,
    succeeded: bool,
    reason: str = "",
) -> LoginEvent:
    """Write one row of the history. Called outside the login's own transaction on failure, so
    a refused try is recorded although the login changed nothing else."""
    agent = request.headers.get("User-Agent", "") if request is not None else ""
    return LoginEvent.objects.create(
        user=user if getattr(user, "pk", None) else None,
        method=method,
        succeeded=succeeded,
        reason=reason[:64],
        client_ip=client_ip(request) if request is not None else None,
        user_agent="".join(ch for ch in agent if ch.isprintable())[:USER_AGENT_MAX],
    )


def login_history(*, user: Any, limit: int = PROFILE_ROWS) -> QuerySet[LoginEvent]:
    """A user's newest login steps, newest first."""
    return LoginEvent.objects.filter(user_id=user.pk).order_by("-at", "-pk")[:limit]
