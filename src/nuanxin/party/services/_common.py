"""What the party services share: the not-found errors, access checks for writes, audit fields."""

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError, not_found
from nuanxin.core.scoping import require_jurisdiction
from nuanxin.party.access import in_party_reach, require_party_staff

ORG_FIELDS = ["name", "kind", "branch_type", "parent", "attachment", "enterprise", "chain_name",
              "region", "founded_on", "status", "ended_on", "merged_into"]  # fmt: skip
MEMBERSHIP_FIELDS = ["worker", "organisation", "kind", "mobile", "joined_on", "left_on",
                     "leave_reason", "leave_note", "next"]  # fmt: skip


def organisation_missing() -> ApplicationError:
    return not_found("party.organisation_not_found", _("党组织不存在。"))


def membership_missing() -> ApplicationError:
    return not_found("party.membership_not_found", _("组织关系记录不存在。"))


def meeting_missing() -> ApplicationError:
    return not_found("party.meeting_not_found", _("会议不存在。"))


def require_staff_in(actor: Any, region: Any) -> None:
    """A write by staff in a region they name (None is the system: demo, imports, jobs)."""
    if actor is None:
        return
    require_party_staff(actor)
    require_jurisdiction(actor, region)


def require_reach(actor: Any, obj: Model, missing: ApplicationError, *, region_field: str) -> None:
    """A write by staff to an object they were handed: outside their reach it is missing."""
    if actor is None:
        return
    require_party_staff(actor)
    if not in_party_reach(actor, obj, region_field=region_field):
        raise missing
