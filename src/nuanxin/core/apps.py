from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "nuanxin.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        # Registers the map settings and key checks.
        from nuanxin.core import crypto, maps  # noqa: F401
