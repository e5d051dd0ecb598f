from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "nuanxin.accounts"
    label = "accounts"
    verbose_name = _("账号与角色")

    def ready(self) -> None:
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        from nuanxin.accounts.lockout import login_records_step
        from nuanxin.core.rotation import register_reseal_step

        # django-axes' records name accounts by phone: `nuanxin rotate-keys` converts them too
        # when PII_SEAL_PHONES is switched.
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            register_reseal_step(
                f"axes.{model._meta.model_name}.username", login_records_step(model)
            )
