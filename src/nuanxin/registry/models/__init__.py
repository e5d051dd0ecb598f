"""台账: new-economy enterprises, their workers, registrations with communities, surveys.

Phone and ID numbers are stored in full (they are the keys offices match their sheets on) and
shown masked everywhere; the full numbers appear only in the audited detail view and in exports
by users allowed to see them.
"""

from nuanxin.registry.models.campaigns import (
    FindingKind,
    FindingOutcome,
    OrganisationKind,
    SurveyCampaign,
    SurveyFinding,
)
from nuanxin.registry.models.imports import (
    ImportJob,
    ImportMode,
    ImportStatus,
)
from nuanxin.registry.models.ledger import (
    PARTY_STATUSES,
    PLATFORM_BRANDS,
    Enterprise,
    EnterpriseKind,
    EnterpriseStatus,
    Gender,
    Industry,
    Occupation,
    PoliticalStatus,
    Worker,
    WorkerStatus,
    id_number_key,
)
from nuanxin.registry.models.registrations import (
    OPEN_REGISTRATION_STATUSES,
    Registration,
    RegistrationChannel,
    RegistrationStatus,
)

__all__ = [
    "OPEN_REGISTRATION_STATUSES",
    "PARTY_STATUSES",
    "PLATFORM_BRANDS",
    "Enterprise",
    "EnterpriseKind",
    "EnterpriseStatus",
    "FindingKind",
    "FindingOutcome",
    "Gender",
    "ImportJob",
    "ImportMode",
    "ImportStatus",
    "Industry",
    "Occupation",
    "OrganisationKind",
    "PoliticalStatus",
    "Registration",
    "RegistrationChannel",
    "RegistrationStatus",
    "SurveyCampaign",
    "SurveyFinding",
    "Worker",
    "WorkerStatus",
    "id_number_key",
]
