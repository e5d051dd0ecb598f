"""Helpers shared by the volunteering services: locks, lookups, the party-membership hook."""

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.accounts.models import Role
from nuanxin.core.errors import ApplicationError, forbidden, not_found
from nuanxin.core.scoping import require_in_scope_or_404
from nuanxin.volunteering.models import Claim, Project, Session

PROJECT_AUDIT_FIELDS = [
    "title",
    "kind",
    "region",
    "pool_region",
    "place_name",
    "places",
    "award_rule",
    "points_per_hour",
    "points_per_task",
    "cap",
    "requirement",
    "quantity_target",
    "status",
]
CLAIM_AUDIT_FIELDS = ["status", "held_back", "seated_at", "ended_at"]
ATTENDANCE_AUDIT_FIELDS = [
    "status",
    "checked_in_at",
    "checked_out_at",
    "hours_recorded",
    "quantity_reported",
    "outcome",
    "hours_verified",
    "hours_beyond_scans",
    "quantity_verified",
    "points_awarded",
    "revision",
]

# Workers may check in this long before a session starts (they arrive early to get leaflets)
# and check out this long after it ends (a patrol that runs over, a phone that had no signal).
CHECKIN_EARLY = dt.timedelta(minutes=30)
CHECKOUT_LATE = dt.timedelta(hours=2)
MAX_QUANTITY = 100_000
HOURS_STEP = Decimal("0.01")


def now() -> dt.datetime:
    # Read through django.utils.timezone each call so tests that move the clock move it here.
    return timezone.now()


def _is_party_member(user: Any) -> bool:
    """Whether ``user`` is a party member, for "party members first" projects: the political
    status recorded in the registry (台账)."""
    from nuanxin.registry.selectors import is_party_member as registry_is_party_member

    return registry_is_party_member(user)


def is_party_member(user: Any) -> bool:
    return bool(_is_party_member(user))


# What a lookup of something the caller may not see answers: the same as for nothing at all.
def project_missing() -> ApplicationError:
    return not_found("volunteering.project_not_found", _("志愿服务项目不存在。"))


def session_missing() -> ApplicationError:
    return not_found("volunteering.session_not_found", _("活动场次不存在。"))


def claim_missing() -> ApplicationError:
    return not_found("volunteering.claim_not_found", _("认领记录不存在。"))


def attendance_missing() -> ApplicationError:
    return not_found("volunteering.attendance_not_found", _("签到记录不存在。"))


def award_missing() -> ApplicationError:
    return not_found("volunteering.award_not_found", _("积分发放记录不存在。"))


def lock_project(project_id: int) -> Project:
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("region", "pool_region")
        .filter(pk=project_id)
        .first()
    )
    if project is None:
        raise project_missing()
    return project


def lock_session(session_id: int) -> Session:
    session = Session.objects.select_for_update().filter(pk=session_id).first()
    if session is None:
        raise session_missing()
    return session


def lock_claim(claim_id: int) -> Claim:
    claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
    if claim is None:
        raise claim_missing()
    return claim


def lock_session_of(session_id: int) -> tuple[Project, Session]:
    """Lock a session and its project, always project first, so that every service that needs
    both takes them in the same order and two of them never wait on each other."""
    project_id = Session.objects.filter(pk=session_id).values_list("project_id", flat=True).first()
    if project_id is None:
        raise session_missing()
    project = lock_project(project_id)
    session = lock_session(session_id)
    session.project = project
    return project, session


def require_staff_for(user: Any, project: Project, missing: ApplicationError | None = None) -> None:
    """Staff act on a project only if it lies in their subtree (a street's staff see their
    communities' projects; a community's staff do not see the street's). To anyone else the
    object acted on (``missing``: the project, by default) does not exist."""
    require_in_scope_or_404(user, project.region, missing or project_missing())


def require_worker(user: Any) -> None:
    if not getattr(user, "is_authenticated", False) or user.role != Role.WORKER:
        raise forbidden("volunteering.workers_only", _("只有新就业群体劳动者可以认领志愿服务。"))


def hours_between(start: dt.datetime, end: dt.datetime) -> Decimal:
    """Whole hundredths of an hour from ``start`` to ``end``, rounded down, never negative."""
    seconds = max(0, int((end - start).total_seconds()))
    return (Decimal(seconds) / Decimal(3600)).quantize(HOURS_STEP, rounding=ROUND_DOWN)


def hours_in_session(session: Session, start: dt.datetime, end: dt.datetime) -> Decimal:
    """Hours between ``start`` and ``end`` that fall inside the session's time window."""
    return hours_between(max(start, session.starts_at), min(end, session.ends_at))


def check_quantity(quantity: Any) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ApplicationError("volunteering.bad_quantity", _("发放数量必须是整数。"))
    if not 0 <= quantity <= MAX_QUANTITY:
        raise ApplicationError(
            "volunteering.bad_quantity",
            _("发放数量必须在 0 到 %(max)s 之间。") % {"max": MAX_QUANTITY},
            extra={"quantity": quantity},
        )
    return quantity
