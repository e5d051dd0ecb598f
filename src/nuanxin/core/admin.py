"""Admin base classes: jurisdiction-scoped lists, writes only through services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nuanxin.core.models import AuditLog
from nuanxin.core.scoping import jurisdiction_path, scope_to_jurisdiction


class ScopedAdmin(admin.ModelAdmin):
    """A model admin whose rows are limited to the user's region subtree.

    ``region_field`` is the lookup from the model to its region (None: the rows are regions);
    ``city_wide`` rows belong to no region. Staff roles get view access to what they govern;
    ``staff_can_change``/``staff_can_add`` open writes, which subclasses route through services
    in ``save_model``. Deletion is off: records are closed or reversed through services, never
    removed.
    """

    region_field: str | None = "region"
    # Rows of the whole city (the shop's catalogue, categories): every governing user sees all.
    city_wide = False
    staff_can_add = False
    staff_can_change = False

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request)
        if self.city_wide:
            return qs if self._is_governing(request) else qs.none()
        return scope_to_jurisdiction(qs, request.user, region_field=self.region_field)

    def _is_governing(self, request: HttpRequest) -> bool:
        return jurisdiction_path(request.user) is not None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_governing(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_governing(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.staff_can_add and self._is_governing(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.staff_can_change and self._is_governing(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ScopedAdmin):
    region_field = None
    list_display = ["at", "actor", "action", "object_type", "object_id", "note"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "action", "note"]
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = admin.ModelAdmin.get_queryset(self, request).select_related("actor")
        path = jurisdiction_path(request.user)
        if path is None:
            return qs.none()
        return qs if path == "" else qs.filter(region_path__startswith=path)
