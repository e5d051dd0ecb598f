"""Model fields for personal data kept encrypted at rest (``core.crypto``)."""

from typing import Any

from django.db import models

from nuanxin.core.crypto import blind_index, seal, unseal


class SealedTextField(models.TextField):
    """Text stored sealed (``core.crypto.seal``) and read back in clear.

    ``purpose`` names the column inside each value. ``hash_field`` names the column that keeps
    the value's ``blind_index``: it is filled whenever this field is saved, and it is what
    filters and unique constraints use. Only ``isnull`` can be looked up here: comparing with
    a sealed value can never match, so a query that tries is an error, not an empty answer.
    """

    def __init__(self, *args: Any, purpose: str, hash_field: str = "", **kwargs: Any) -> None:
        self.purpose = purpose
        self.hash_field = hash_field
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        return name, path, args, kwargs

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return unseal(value, purpose=self.purpose)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return seal(value, purpose=self.purpose)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        if self.hash_field:
            setattr(model_instance, self.hash_field, self.hash_of(value))
        return value

    def hash_of(self, value: str | None) -> str | None:
        return blind_index(value, purpose=self.purpose)
