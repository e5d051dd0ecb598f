"""Texts stored to be shown later (notifications): the catalogue key and its parameters, so the
reader sees them in their own language at read time, not in the sender's at write time.

``text(gettext_noop("已领取：%(item)s"), item=name)`` is such a text: ``gettext_noop`` marks the
key for the catalogue; a parameter may itself be a text (a state's name).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext


@dataclass(frozen=True)
class Text:
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "params": {k: _param(v) for k, v in self.params.items()}}

    def __str__(self) -> str:
        return text_render(self.as_data())


def text(msgid: str, /, **params: Any) -> Text:
    return Text(msgid, params)


def _param(value: Any) -> Any:
    if isinstance(value, Text):
        return value.as_data()
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def text_render(data: Any) -> str:
    """A stored text (or a list of them, one a line) in the active language; a plain string
    is shown as it was written (what a person typed: a reason, a note)."""
    if isinstance(data, list):
        return "\n".join(part for part in (text_render(p) for p in data) if part)
    if not isinstance(data, dict) or not isinstance(data.get("msgid"), str):
        return "" if data is None else str(data)
    params = {k: text_render(v) if isinstance(v, dict) else v for k, v in data["params"].items()}
    template = gettext(data["msgid"])
    if not params:
        return template
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        # A catalogue entry that does not fit its parameters: the source text always does.
        return data["msgid"] % params


def text_data(value: Any) -> Any:
    """What to store for a title or body given as a Text, a plain string or a list of both."""
    if isinstance(value, list | tuple):
        return [text_data(part) for part in value]
    if isinstance(value, Text):
        return value.as_data()
    return str(value)


def text_default(value: Any) -> str:
    """The text in the site's language (what the row keeps as its plain copy)."""
    with translation.override(settings.LANGUAGE_CODE):
        return text_render(text_data(value))
