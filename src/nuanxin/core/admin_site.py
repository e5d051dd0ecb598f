from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class NuanxinAdminSite(admin.AdminSite):
    site_header = _("暖新 · 管理后台")
    site_title = _("暖新管理后台")
    index_title = _("新就业群体服务与治理")

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff


class NuanxinAdminConfig(AdminConfig):
    default_site = "nuanxin.core.admin_site.NuanxinAdminSite"
