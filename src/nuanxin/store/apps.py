from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoreConfig(AppConfig):
    name = "nuanxin.store"
    label = "store"
    verbose_name = _("积分兑换超市")
