"""Cleaning of values typed by people: one set of rules for forms, the API and Excel imports.

Every function takes what a cell or a form field may hold (text with full-width characters and
stray spaces, numbers Excel made of digits, dates) and returns the canonical value, or raises
``FieldProblem`` with a stable code and a Chinese message that names the problem.
"""

from nuanxin.registry.cleaning.choices import CHOICE_ALIASES, clean_choice
from nuanxin.registry.cleaning.numbers import (
    IdNumber,
    clean_contact_phone,
    clean_credit_code,
    clean_id_number,
    clean_mobile,
)
from nuanxin.registry.cleaning.text import (
    FieldProblem,
    clean_birth_year,
    clean_bool,
    clean_coord_system,
    clean_count,
    clean_enterprise_name,
    clean_location,
    clean_person_name,
    clean_short_text,
    is_blank,
    masked_for_message,
    to_text,
)

__all__ = [
    "CHOICE_ALIASES",
    "FieldProblem",
    "IdNumber",
    "clean_birth_year",
    "clean_bool",
    "clean_choice",
    "clean_contact_phone",
    "clean_coord_system",
    "clean_count",
    "clean_credit_code",
    "clean_enterprise_name",
    "clean_id_number",
    "clean_location",
    "clean_mobile",
    "clean_person_name",
    "clean_short_text",
    "is_blank",
    "masked_for_message",
    "to_text",
]
