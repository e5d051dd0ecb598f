"""Base pieces of the stations admin: forms that write through services."""

from typing import Any

from django import forms
from django.db import transaction
from django.http import HttpRequest

from nuanxin.accounts.models import Role
from nuanxin.core.admin import ScopedAdmin, checked_form
from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import EdgeModelForm
from nuanxin.stations.permissions import stations_managed_by


class _Rehearsal(Exception):
    pass


class ServiceForm(EdgeModelForm):
    """A model form whose ``apply(actor)`` calls services; ``clean`` rehearses it."""

    actor: Any = None

    def apply(self, actor: Any) -> Any:
        raise NotImplementedError

    def _post_clean(self) -> None:
        """No model validation: the instance is never saved from the form, the services
        validate (and ``clean`` rehearses them)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            with transaction.atomic():
                self.apply(self.actor)
                raise _Rehearsal
        except _Rehearsal:
            pass
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return data


def form_for(form_class: type[ServiceForm], request: HttpRequest) -> type[ServiceForm]:
    return checked_form(request, type(form_class.__name__, (form_class,), {"actor": request.user}))


class KeeperAwareAdmin(ScopedAdmin):
    """Scoped to the jurisdiction, and open to station keepers for the stations they keep."""

    def _is_governing(self, request: HttpRequest) -> bool:
        return super()._is_governing(request) or (
            request.user.is_authenticated and request.user.role == Role.STATION_KEEPER
        )

    def managed(self, request: HttpRequest) -> Any:
        return stations_managed_by(request.user)
