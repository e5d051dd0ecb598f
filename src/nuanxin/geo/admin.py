from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nuanxin.core.admin import ScopedAdmin
from nuanxin.core.scoping import jurisdiction_path
from nuanxin.geo.models import Region
from nuanxin.geo.services import region_save


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    region_field = None
    list_display = ["name", "code", "level", "parent", "is_demo_boundary"]
    list_filter = ["level", "is_demo_boundary"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    fields = ["code", "name", "level", "parent", "centre_lon", "centre_lat", "boundary", "path"]
    readonly_fields = ["path"]
    autocomplete_fields = ["parent"]

    def _is_city_wide(self, request: HttpRequest) -> bool:
        return jurisdiction_path(request.user) == "" or (
            request.user.is_authenticated and request.user.role == "city_admin"
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_city_wide(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_city_wide(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["path", "code", "parent", "level"] if obj else ["path"]

    def save_model(self, request: HttpRequest, obj: Region, form: Any, change: bool) -> None:
        centre = (obj.centre_lon, obj.centre_lat) if obj.centre_lon is not None else None
        saved, _ = region_save(
            code=obj.code,
            name=obj.name,
            level=obj.level,
            parent=obj.parent,
            boundary=obj.boundary,
            centre=centre,
            is_demo_boundary=obj.is_demo_boundary,
            actor=request.user,
        )
        obj.pk = saved.pk
