from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "nuanxin.geo"
    label = "geo"
    verbose_name = _("行政区域")
