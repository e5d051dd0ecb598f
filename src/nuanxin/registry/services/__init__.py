"""Every write to the registry. Pages, API, admin, CLI and the demo call these."""

from nuanxin.registry.services.campaigns import (
    campaign_close,
    campaign_create,
    finding_record_enterprise,
    finding_record_member,
    finding_record_organisation,
)
from nuanxin.registry.services.enterprises import (
    enterprise_create,
    enterprise_set_liaisons,
    enterprise_update,
)
from nuanxin.registry.services.exports import registry_export
from nuanxin.registry.services.registrations import (
    registration_accept,
    registration_reject,
    registration_submit,
    registration_withdraw,
)
from nuanxin.registry.services.workers import (
    worker_create,
    worker_reveal,
    worker_self_register,
    worker_update,
)

__all__ = [
    "campaign_close",
    "campaign_create",
    "enterprise_create",
    "enterprise_set_liaisons",
    "enterprise_update",
    "finding_record_enterprise",
    "finding_record_member",
    "finding_record_organisation",
    "registration_accept",
    "registration_reject",
    "registration_submit",
    "registration_withdraw",
    "registry_export",
    "worker_create",
    "worker_reveal",
    "worker_self_register",
    "worker_update",
]
