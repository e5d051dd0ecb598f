"""党建: party organisations and memberships, 亮身份 badges, branch meetings, mass organisations,
party-work instructors, grid members and the city committee (两新工委) with its departments.

Political status is sensitive personal information: everything here but the badges members chose
to show is read by party-work staff alone, inside their jurisdiction (``party.access``).
"""

from nuanxin.party.models.committee import (
    ActionItem,
    ActionStatus,
    CommitteeDepartment,
    CommitteeMeeting,
    CommitteeMeetingKind,
    CommitteeSeat,
)
from nuanxin.party.models.industry import (
    FIGURE_FIELDS,
    MAX_FIGURE,
    IndustryFigure,
    IndustryScope,
    IndustryTheme,
)
from nuanxin.party.models.meetings import (
    Attendance,
    AttendanceMethod,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from nuanxin.party.models.organisations import (
    PARTY_MEMBER_KINDS,
    Attachment,
    Badge,
    BranchType,
    GridMember,
    InstructorAssignment,
    LeaveReason,
    MassKind,
    MassMembership,
    MassOrganisation,
    Membership,
    MembershipKind,
    Officer,
    OfficerPost,
    Organisation,
    OrgKind,
    OrgStatus,
    OrgStatusChange,
)

__all__ = [
    "FIGURE_FIELDS",
    "MAX_FIGURE",
    "PARTY_MEMBER_KINDS",
    "ActionItem",
    "ActionStatus",
    "Attachment",
    "Attendance",
    "AttendanceMethod",
    "Badge",
    "BranchType",
    "CommitteeDepartment",
    "CommitteeMeeting",
    "CommitteeMeetingKind",
    "CommitteeSeat",
    "GridMember",
    "IndustryFigure",
    "IndustryScope",
    "IndustryTheme",
    "InstructorAssignment",
    "LeaveReason",
    "MassKind",
    "MassMembership",
    "MassOrganisation",
    "Meeting",
    "MeetingKind",
    "MeetingStatus",
    "Membership",
    "MembershipKind",
    "Officer",
    "OfficerPost",
    "OrgKind",
    "OrgStatus",
    "OrgStatusChange",
    "Organisation",
]
