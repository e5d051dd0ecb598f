"""The stations API: map data, nearest search, details, check-in, and staff management."""

from ninja import Router

router = Router(tags=["服务驿站"])

# The modules add their operations to ``router`` when imported.
from nuanxin.stations.api import public, staff, workers  # noqa: E402, F401
