"""Cards on the home page. Each app may offer a ``home.py`` with ``worker_cards(request)`` and
``staff_cards(request)`` returning ``HomeCard``s; the home view gathers them in app order.

An app may also offer ``worker_panels(request)``: larger blocks above a worker's cards (the
nearest open station, the button that starts a report), each a template and its context."""

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise

from nuanxin.core.access import may_open
from nuanxin.core.discovery import app_modules


@dataclass(frozen=True)
class HomeCard:
    title: str | Promise
    figure: str | int
    url: str
    hint: str | Promise = ""
    unit: str | Promise = ""
    tone: str = ""  # "" or "warn" (needs attention)
    # The link takes the phone's position (``?lon=…&lat=…``, WGS-84) once the home page has it.
    near: bool = False


@dataclass(frozen=True)
class HomePanel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def home_cards(request: HttpRequest, *, staff: bool) -> list[HomeCard]:
    cards: list[HomeCard] = []
    function = "staff_cards" if staff else "worker_cards"
    for _label, module in app_modules("home"):
        provider = getattr(module, function, None)
        if provider is not None:
            cards.extend(provider(request))
    # A card leads somewhere: only to a page its reader may open.
    return [card for card in cards if may_open(request, card.url)]


def home_panels(request: HttpRequest) -> list[HomePanel]:
    """The worker's panels, in app order."""
    panels: list[HomePanel] = []
    for _label, module in app_modules("home"):
        provider = getattr(module, "worker_panels", None)
        if provider is not None:
            panels.extend(provider(request))
    return panels
