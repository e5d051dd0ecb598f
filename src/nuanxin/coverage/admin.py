"""The road network imports and the hot spots, read-only: both are written by their imports
(``nuanxin import-roads``, ``nuanxin import-hotspots``), which replace them as a whole."""

from django.contrib import admin

from nuanxin.core.admin import ScopedAdmin
from nuanxin.coverage.models import HotSpot, RoadNetworkImport


@admin.register(RoadNetworkImport)
class RoadNetworkImportAdmin(ScopedAdmin):
    city_wide = True
    list_display = ["created_at", "source", "is_generated", "nodes", "ride_edges", "walk_edges"]
    readonly_fields = [
        "source", "is_generated", "nodes", "ride_edges", "walk_edges", "summary", "imported_by",
        "created_at",
    ]  # fmt: skip


@admin.register(HotSpot)
class HotSpotAdmin(ScopedAdmin):
    city_wide = True
    list_display = ["name", "lon", "lat", "weight", "imported_at"]
    search_fields = ["name"]
