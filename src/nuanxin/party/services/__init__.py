"""Every write of the party app (one write path: API, pages, admin and demo call these)."""

from nuanxin.party.services.committee import (
    action_item_add,
    action_item_set_status,
    committee_meeting_record,
    department_join,
    department_leave,
)
from nuanxin.party.services.coverage import (
    instructor_assign,
    instructor_end,
    mass_member_add,
    mass_member_leave,
    mass_organisation_create,
    mass_organisation_end,
    union_sync_from_registry,
)
from nuanxin.party.services.industry import industry_figure_record
from nuanxin.party.services.industry_import import industry_figures_import_xlsx
from nuanxin.party.services.meetings import (
    meeting_absence,
    meeting_cancel,
    meeting_record_minutes,
    meeting_schedule,
    meeting_sign_in,
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
    officer_end,
    organisation_create,
    organisation_end,
    organisation_set_covered,
)
from nuanxin.party.services.people import (
    badge_set,
    grid_member_enrol,
    grid_member_leave,
    party_work_grant,
)

__all__ = [
    "action_item_add",
    "action_item_set_status",
    "badge_set",
    "committee_meeting_record",
    "department_join",
    "department_leave",
    "grid_member_enrol",
    "grid_member_leave",
    "industry_figure_record",
    "industry_figures_import_xlsx",
    "instructor_assign",
    "instructor_end",
    "mass_member_add",
    "mass_member_leave",
    "mass_organisation_create",
    "mass_organisation_end",
    "meeting_absence",
    "meeting_cancel",
    "meeting_record_minutes",
    "meeting_schedule",
    "meeting_sign_in",
    "membership_end",
    "membership_join",
    "membership_set_kind",
    "membership_set_mobile",
    "membership_transfer",
    "officer_appoint",
    "officer_end",
    "organisation_create",
    "organisation_end",
    "organisation_set_covered",
    "party_work_grant",
    "union_sync_from_registry",
]
