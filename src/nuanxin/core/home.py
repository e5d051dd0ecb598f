"""Cards on the home page. Each app may offer a ``home.py`` with ``worker_cards(request)`` and
``staff_cards(request)`` returning ``HomeCard``s; the home view gathers them in app order."""

import importlib
import importlib.util
from dataclasses import dataclass

from django.apps import apps
from django.http import HttpRequest
from django.utils.functional import Promise


@dataclass(frozen=True)
class HomeCard:
    title: str | Promise
    figure: str | int
    url: str
    hint: str | Promise = ""
    unit: str | Promise = ""
    tone: str = ""  # "" or "warn" (needs attention)


def home_cards(request: HttpRequest, *, staff: bool) -> list[HomeCard]:
    cards: list[HomeCard] = []
    function = "staff_cards" if staff else "worker_cards"
    for config in apps.get_app_configs():
        name = f"{config.name}.home"
        if not config.name.startswith("nuanxin.") or importlib.util.find_spec(name) is None:
            continue
        provider = getattr(importlib.import_module(name), function, None)
        if provider is not None:
            cards.extend(provider(request))
    return cards
