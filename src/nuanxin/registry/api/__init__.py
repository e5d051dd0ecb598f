"""台账 API: enterprises, workers, registrations, counts, imports and exports, campaigns.

Every list is scoped to the caller (jurisdiction, or a liaison's enterprises); phone and ID
numbers are masked except in ``POST /workers/{id}/reveal``, which is audited.
"""

from nuanxin.registry.api import campaigns, excel, ledger, registrations  # noqa: F401 - routes
from nuanxin.registry.api.common import router

__all__ = ["router"]
