"""Stored vocabularies in the reader's language.

Amenities, report categories with their questions and options, departments: their rows keep a
Chinese name that the defaults mark for the catalogue (``gettext_noop``), so a page shows the
catalogue's translation of the stored name; a name staff typed that the catalogue does not know
is shown as written. Vocabularies that are code lists (``TextChoices``) translate themselves.
"""

from django.utils.translation import gettext


def vocab_label(name: str | None) -> str:
    return gettext(name) if name else ""
