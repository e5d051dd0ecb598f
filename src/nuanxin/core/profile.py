"""Sections of a user's profile page. Each app may offer a ``profile.py`` with
``sections(request)`` returning ``ProfileSection``s; the page gathers them in app order."""

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils.functional import Promise

from nuanxin.core.discovery import app_modules


@dataclass(frozen=True)
class ProfileLine:
    label: str | Promise
    value: str | Promise
    url: str = ""


@dataclass(frozen=True)
class ProfileSection:
    title: str | Promise
    lines: list[ProfileLine] = field(default_factory=list)
    link: str = ""
    link_label: str | Promise = ""


def profile_sections(request: HttpRequest) -> list[ProfileSection]:
    sections: list[ProfileSection] = []
    for _label, module in app_modules("profile"):
        provider = getattr(module, "sections", None)
        if provider is not None:
            sections.extend(provider(request))
    return sections
