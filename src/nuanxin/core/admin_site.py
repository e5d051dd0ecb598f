from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _


class HistoryRefusedAsMissing:
    """The history page of a row the user may not look at answers like a missing row's.

    Django's ``history_view`` finds the row before it checks the permission, so a row that
    exists answered 403 and a missing one the redirect to the index: the answers told rows
    apart. Every model admin of the site gets this (``NuanxinAdminSite.register``), the
    libraries' too."""

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is not None and not self.has_view_or_change_permission(request, obj):  # type: ignore[attr-defined]
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]


class NuanxinAdminSite(admin.AdminSite):
    site_header = _("暖新 · 管理后台")
    site_title = _("暖新管理后台")
    index_title = _("新就业群体服务与治理")

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, HistoryRefusedAsMissing):
            admin_class = type(admin_class.__name__, (HistoryRefusedAsMissing, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)


class NuanxinAdminConfig(AdminConfig):
    default_site = "nuanxin.core.admin_site.NuanxinAdminSite"
