"""What people did, in figures other apps may count (a branch's badge-holders, a grid's
members): each app offers ``activity.py`` with ``activity_of(user_ids) -> {user_id: {name:
number}}``; this gathers them. Only totals, nothing about what or where."""

from collections.abc import Iterable
from decimal import Decimal

from nuanxin.core.discovery import app_modules


def activity_of(user_ids: Iterable[int]) -> dict[int, dict[str, int | Decimal]]:
    ids = sorted({int(pk) for pk in user_ids if pk is not None})
    out: dict[int, dict[str, int | Decimal]] = {}
    if not ids:
        return out
    for _label, module in app_modules("activity"):
        if module.__name__ == __name__:
            continue  # this gatherer is core's own activity module
        for pk, figures in module.activity_of(ids).items():
            out.setdefault(pk, {}).update(figures)
    return out


def totals(user_ids: Iterable[int]) -> dict[str, int | Decimal]:
    """The figures of several people added up."""
    summed: dict[str, int | Decimal] = {}
    for figures in activity_of(user_ids).values():
        for name, value in figures.items():
            summed[name] = summed.get(name, 0) + value
    return summed
