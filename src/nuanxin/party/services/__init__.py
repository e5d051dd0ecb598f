"""Every write of the party app (one write path: API, pages, admin and demo call these)."""

from nuanxin.party.services.coverage import (
    instructor_assign,
    instructor_end,
    mass_member_add,
    mass_organisation_create,
    union_sync_from_registry,
)
from nuanxin.party.services.memberships import (
    membership_end,
    membership_join,
    membership_set_kind,
    membership_set_mobile,
    membership_transfer,
)
from nuanxin.party.services.organisations import (
    officer_appoint,
    organisation_create,
    organisation_end,
    organisation_set_covered,
)

__all__ = [
    "instructor_assign",
    "instructor_end",
    "mass_member_add",
    "mass_organisation_create",
    "membership_end",
    "membership_join",
    "membership_set_kind",
    "membership_set_mobile",
    "membership_transfer",
    "officer_appoint",
    "organisation_create",
    "organisation_end",
    "organisation_set_covered",
    "union_sync_from_registry",
]
