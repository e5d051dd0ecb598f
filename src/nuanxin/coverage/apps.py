from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "nuanxin.coverage"
    label = "coverage"
    verbose_name = _("15分钟服务圈")
