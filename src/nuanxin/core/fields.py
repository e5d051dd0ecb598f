"""Model fields for personal data kept encrypted at rest (``core.crypto``)."""

from typing import Any

from django.conf import settings
from django.core.exceptions import FieldError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In, Lookup

from nuanxin.core.crypto import blind_index, is_sealed, seal, unseal


class _OpenedOnRead:
    """Values read from the column are opened (``unseal``) under the field's ``purpose``; the
    columns kept beside it (``companions``) are filled whenever the field is saved."""

    purpose: str
    hash_field: str

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return unseal(value, purpose=self.purpose)

    def hash_of(self, value: str | None) -> str | None:
        return blind_index(value, purpose=self.purpose)

    def companions(self, value: str | None) -> dict[str, Any]:
        """The values of the columns kept beside this one for ``value`` (its keyed hash), by
        attribute name: what ``save()`` writes with it and a bulk write must write too."""
        return {self.hash_field: self.hash_of(value)} if self.hash_field else {}

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)  # type: ignore[misc]
        for name, derived in self.companions(value).items():
            setattr(model_instance, name, derived)
        return value


class SealedTextField(_OpenedOnRead, models.TextField):
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

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return seal(value, purpose=self.purpose)


def phones_sealed() -> bool:
    """Whether phone numbers are kept sealed at rest (``PII_SEAL_PHONES``)."""
    return bool(getattr(settings, "PII_SEAL_PHONES", False))


# A sealed phone: "nx1:a:" + a key id of up to 16 characters + ":" + 52 characters of base64.
PHONE_COLUMN_LENGTH = 128
_PHONE_LOOKUPS = "exact, iexact, in, isnull"


def _sealed_phone_error(what: str) -> FieldError:
    return FieldError(
        f"Phone numbers are sealed at rest (PII_SEAL_PHONES): {what}. Only {_PHONE_LOOKUPS} "
        "work on a sealed phone (through its keyed hash), and the tail column finds its last "
        "four digits."
    )


class PhoneField(_OpenedOnRead, models.CharField):
    """A phone number, sealed at rest where ``PII_SEAL_PHONES`` is on, in clear where it is off.

    The column is wide enough for a sealed value either way, so the schema does not depend on
    the setting; ``input_length`` caps what a form or ``full_clean`` accepts. ``hash_field``
    (optional) names the column that keeps the number's ``blind_index`` and ``tail_field``
    (optional) the one that keeps its last four digits: both are filled whenever this field is
    saved, whatever the setting, so switching it on later needs only the rows re-sealed
    (``nuanxin rotate-keys``). Save with ``update_fields`` naming them too.

    Setting off: a plain character column with the usual lookups. Setting on: the value is
    sealed on its way in and opened on its way out; ``exact``, ``iexact`` and ``in`` compare
    the hash column with the value's keyed hash (a field without one can only be compared with
    ""), ``isnull`` stays; any other lookup (contains, startswith, gt...) and ordering by the
    number are errors, not an empty answer. A sealed value is opened even with the setting off,
    so rows not yet turned back read correctly.
    """

    def __init__(
        self,
        *args: Any,
        purpose: str,
        hash_field: str = "",
        tail_field: str = "",
        input_length: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.purpose = purpose
        self.hash_field = hash_field
        self.tail_field = tail_field
        self.input_length = input_length
        kwargs.setdefault("max_length", PHONE_COLUMN_LENGTH)
        super().__init__(*args, **kwargs)
        if input_length is not None:
            self.validators.append(MaxLengthValidator(input_length))

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        for key in ("hash_field", "tail_field", "input_length"):
            if getattr(self, key):
                kwargs[key] = getattr(self, key)
        return name, path, args, kwargs

    def formfield(self, **kwargs: Any) -> Any:
        if self.input_length is not None:
            kwargs.setdefault("max_length", self.input_length)
        return super().formfield(**kwargs)

    def get_lookup(self, lookup_name: str) -> Any:
        if not phones_sealed():
            return super().get_lookup(lookup_name)
        if lookup_name in _SEALED_LOOKUPS:
            return _SEALED_LOOKUPS[lookup_name]
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise _sealed_phone_error(f"the lookup '{lookup_name}' cannot compare a sealed value")

    def get_transform(self, lookup_name: str) -> Any:
        if phones_sealed():
            raise _sealed_phone_error(f"'{lookup_name}' cannot apply to a sealed value")
        return super().get_transform(lookup_name)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value or not phones_sealed() or is_sealed(value):
            return value
        return seal(value, purpose=self.purpose)

    def companions(self, value: str | None) -> dict[str, Any]:
        out = super().companions(value)
        if self.tail_field:
            out[self.tail_field] = self.tail_of(value)
        return out

    @staticmethod
    def tail_of(value: str | None) -> str:
        return (value or "")[-4:]

    def hash_col(self, lhs: Any) -> Col:
        """The hash column beside the phone column ``lhs`` refers to, in the same table."""
        if not isinstance(lhs, Col) or lhs.target is not self:
            raise _sealed_phone_error("only the phone column itself can be compared")
        if not self.hash_field:
            raise _sealed_phone_error(f"{self.model.__name__}.{self.name} keeps no keyed hash")
        return Col(lhs.alias, self.model._meta.get_field(self.hash_field))

    def digest(self, value: Any) -> str | None:
        if hasattr(value, "resolve_expression"):
            raise _sealed_phone_error("a sealed phone is compared with a value, not an expression")
        return self.hash_of(str(value))


class SealedPhoneExact(Exact):
    """``phone=value`` as ``phone_hash = blind_index(value)``."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs is not None and rhs != "":
            field = lhs.output_field
            lhs, rhs = field.hash_col(lhs), field.digest(rhs)
        super().__init__(lhs, rhs)


class SealedPhoneIExact(SealedPhoneExact):
    lookup_name = "iexact"  # digits have no case: the same comparison as exact


class SealedPhoneIn(In):
    """``phone__in=values`` as ``phone_hash IN (blind_index(v) for v in values)``."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        field = lhs.output_field
        if hasattr(rhs, "resolve_expression") or isinstance(rhs, str):
            raise _sealed_phone_error("phone__in takes a list of numbers, not a query")
        digests = [field.digest(value) for value in rhs if value is not None and value != ""]
        super().__init__(field.hash_col(lhs), digests)


_SEALED_LOOKUPS: dict[str, type[Lookup]] = {
    "exact": SealedPhoneExact,
    "iexact": SealedPhoneIExact,
    "in": SealedPhoneIn,
}


class PhoneQuerySet(models.QuerySet):
    """Refuses ordering by a sealed phone, which would follow the ciphertext, not the number."""

    def order_by(self, *field_names: Any) -> "PhoneQuerySet":
        if phones_sealed():
            phones = {f.name for f in self.model._meta.concrete_fields if isinstance(f, PhoneField)}
            for name in field_names:
                if isinstance(name, str) and name.lstrip("-?") in phones:
                    raise _sealed_phone_error(f"ordering by '{name}' would follow the ciphertext")
        return super().order_by(*field_names)


SealedColumn = SealedTextField | PhoneField


def sealed_fields(model: type[models.Model]) -> list[SealedColumn]:
    """The model's columns kept sealed at rest (always, or where the deployment asks)."""
    return [f for f in model._meta.concrete_fields if isinstance(f, SealedTextField | PhoneField)]
