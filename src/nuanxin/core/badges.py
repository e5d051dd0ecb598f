"""Badges shown next to a person's name (the party's pioneer badge, 亮身份): the one read every
page that shows a name asks, whoever provides the badges.

An app provides badges by having a ``badges.py`` with ``badges_for(user_ids) -> {user_id:
[label, ...]}``; it answers only what the person chose to show. Pages ask ``badges_for`` or
use the ``{% user_badges user %}`` tag (``core.templatetags.nuanxin_badges``).
"""

from collections.abc import Iterable
from typing import Any

from nuanxin.core.discovery import app_modules


def badges_for(user_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = sorted({int(pk) for pk in user_ids if pk is not None})
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    for _label, module in app_modules("badges"):
        if module.__name__ == __name__:
            continue  # this gatherer is core's own badges module
        for pk, labels in module.badges_for(ids).items():
            out.setdefault(pk, []).extend(str(label) for label in labels)
    return out


def badges_of(user: Any) -> list[str]:
    pk = getattr(user, "pk", None)
    return badges_for([pk]).get(pk, []) if pk is not None else []
