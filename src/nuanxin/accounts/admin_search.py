"""The admin's search by phone number, which works the same with phones sealed at rest."""

from django.db.models import QuerySet
from django.http import HttpRequest

from nuanxin.accounts.models import MOBILE_RE, normalize_phone
from nuanxin.core.fields import phones_sealed


class PhoneSearch:
    """Mixed into a model admin: the search box finds people by phone whether phones are sealed
    or not (``phone_path``: the phone's lookup path from the model, ``phone`` or ``user__phone``).

    In clear, ``search_fields`` does it (any part of the number). Sealed (PII_SEAL_PHONES), a
    part of a number cannot be compared: a whole number is found by its keyed hash, four
    digits by the tail column (the last four digits); other terms search the other fields.
    """

    phone_path = "phone"

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        fields = list(super().get_search_fields(request))
        if phones_sealed():
            return [f for f in fields if f.lstrip("=^@") != self.phone_path]
        return fields

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = normalize_phone(search_term.strip())
        if not phones_sealed() or not term.isdigit():
            return found, duplicates
        if MOBILE_RE.match(term):
            found = found | queryset.filter(**{self.phone_path: term})
        elif len(term) == 4:
            found = found | queryset.filter(**{self.phone_path + "_tail": term})
        return found, duplicates
