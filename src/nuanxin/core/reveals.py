"""Showing a person's full phone or ID number: a stated purpose, an hourly budget, the log.

Lists, exports and pages show masked numbers; the one detail view that shows them in full is
audited. Each such reveal must say why (the purpose goes into its audit row), and a staff
member may reveal at most ``REVEALS_PER_HOUR`` numbers in any hour, so nobody can harvest a
ledger one detail view at a time.

The budget is counted from the audit rows themselves, inside the reveal's transaction, after
locking the acting user's row (``core.limits.lock_user``). The audit row is what the budget is
about and is written in the same transaction, and the database is shared by every app server:
so the count holds across servers and under concurrency without a shared cache, and no reveal
can happen without its row. (A cache counter would hold only with a shared Redis, and could
drift from the log.)
"""

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.core.limits import lock_user
from nuanxin.core.models import AuditLog

# Every audit action that showed someone's full numbers; each counts against the budget. An app
# that adds a reveal adds its action here and calls ``reveal_allow`` before writing the row.
REVEAL_ACTIONS = ("worker.reveal", "reports.reporter_viewed")
WINDOW = dt.timedelta(hours=1)
MAX_PURPOSE = 200


def reveals_per_hour() -> int:
    return int(getattr(settings, "REVEALS_PER_HOUR", 20))


def reveal_purpose(purpose: Any, *, code: str) -> str:
    """The stated purpose, stripped; ``code`` (400) when it is missing or too long."""
    text = str(purpose or "").strip()
    if not text:
        raise ApplicationError(code, _("请说明查看完整号码的用途。"), extra={"field": "purpose"})
    if len(text) > MAX_PURPOSE:
        raise ApplicationError(
            code,
            _("用途说明过长（最多 %(n)d 字）。") % {"n": MAX_PURPOSE},
            extra={"field": "purpose", "max_length": MAX_PURPOSE},
        )
    return text


def reveal_allow(*, actor: Any) -> None:
    """Raise ``reveal.rate_limited`` (429, with ``retry_after_seconds``) when ``actor`` has used
    up the hour's reveals. Must run inside the reveal's transaction, before its audit row is
    written: the lock on the actor's row makes a second reveal by the same person wait until
    the first one's row is committed, so the count it reads includes it."""
    if getattr(actor, "pk", None) is None:
        return
    lock_user(actor)
    now = timezone.now()
    recent = AuditLog.objects.filter(
        actor_id=actor.pk, action__in=REVEAL_ACTIONS, at__gt=now - WINDOW
    )
    count, limit = recent.count(), reveals_per_hour()
    if count < limit:
        return
    # A reveal becomes possible again when enough of the counted ones have left the window.
    counted = recent.order_by("at").values_list("at", flat=True)
    frees = (counted[count - limit] if limit > 0 else now) + WINDOW
    wait = max(1, math.ceil((frees - now).total_seconds()))
    raise ApplicationError(
        "reveal.rate_limited",
        _("查看完整号码过于频繁（每小时最多 %(n)d 次），请稍后再试。") % {"n": limit},
        extra={"limit": limit, "retry_after_seconds": wait},
        status=429,
    )
