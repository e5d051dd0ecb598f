"""Root URLs. Each app with a ``urls.py`` is mounted at ``/<URL_PREFIX or label>/``."""

import importlib
import importlib.util

from django.apps import apps
from django.contrib import admin
from django.urls import include, path, re_path

from nuanxin.api import api
from nuanxin.core import pwa
from nuanxin.core import views as core_views

handler400 = "nuanxin.core.views.bad_request"
handler403 = "nuanxin.core.views.permission_denied"
handler404 = "nuanxin.core.views.page_not_found"
handler500 = "nuanxin.core.views.server_error"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("manifest.webmanifest", pwa.manifest, name="pwa_manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("app-icons/icon-<int:size>.png", pwa.icon, name="pwa_icon"),
    path(
        "app-icons/maskable-<int:size>.png",
        pwa.icon,
        {"maskable": True},
        name="pwa_icon_maskable",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^media/(?P<path>.*)$", core_views.public_media, name="public_media"),
]

for config in apps.get_app_configs():
    module_name = f"{config.name}.urls"
    if not config.name.startswith("nuanxin.") or importlib.util.find_spec(module_name) is None:
        continue
    module = importlib.import_module(module_name)
    prefix = getattr(module, "URL_PREFIX", config.label)
    urlpatterns.append(path(f"{prefix}/", include(module_name)))
