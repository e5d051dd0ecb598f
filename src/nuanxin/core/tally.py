"""Tallies per region: the shape in which the apps' chart selectors hand their counts to the
dashboard, which adds them up over any subtree of regions.

A tally is a nested mapping whose leaves are numbers: ``{trace: {x: n}}`` for one region,
``{region_id: {trace: {x: n}}}`` for several. Adding two tallies adds their numbers key by key,
so the tally of a region's subtree is the sum of its regions' tallies, whatever the nesting.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

Tally = dict[Any, Any]


def tally_add(into: Tally, more: Tally) -> Tally:
    """Add ``more`` into ``into`` key by key (nested mappings recursively) and return ``into``.
    Floats (hours) are kept to one decimal, as the apps round them."""
    for key, value in more.items():
        if isinstance(value, dict):
            tally_add(into.setdefault(key, {}), value)
        elif isinstance(value, float) or isinstance(into.get(key), float):
            into[key] = round(into.get(key, 0) + value, 1)
        else:
            into[key] = into.get(key, 0) + value
    return into


def tally_rows(
    rows: Iterable[Sequence[Any]],
    traces: Sequence[str],
    *,
    x: Callable[[Any], Any] = str,
    value: Callable[[Any], Any] = lambda n: n or 0,
) -> dict[Any, Tally]:
    """``{region_id: {trace: {x: n}}}`` from grouped rows ``(region_id, x, n_1, ..., n_k)``,
    one trace name per number; ``x`` turns the grouped value into its key (a month into
    "YYYY-MM"), ``value`` each number into what is counted."""
    out: dict[Any, Tally] = {}
    for region_id, key, *numbers in rows:
        found = out.setdefault(region_id, {})
        for trace, n in zip(traces, numbers, strict=True):
            tally_add(found, {trace: {x(key): value(n)}})
    return out


def month_key(month: Any) -> str:
    """The "YYYY-MM" of a month truncated by the database (an aware datetime in the current
    time zone, or a date)."""
    return f"{month:%Y-%m}"
