"""The public page's figures: the city's and each county's totals with no personal data and no
figure small enough to point at a person.

A count between 1 and ``SUPPRESS_BELOW - 1`` is shown as "<5". Then no suppressed cell may be
recovered by subtraction: in a column where one cell alone is suppressed, the next smallest
cell is suppressed too, so the total minus the shown cells always leaves two or more unknowns.
"""

from typing import Any

from django.utils.translation import gettext as _

from nuanxin.dashboard.figures import figure_labels, public_region, region_figures

SUPPRESS_BELOW = 5
# What the public sees: counts of organisations and places, and totals of activity.
PUBLIC_FIGURES = (
    "enterprises",
    "workers",
    "party_members",
    "registered_enterprises",
    "registered_workers",
    "centres",
    "stations",
    "reports",
    "reports_handled",
    "points_issued",
    "points_redeemed",
    "volunteer_services",
    "volunteer_hours",
    "leaflets",
)


def is_small(value: float) -> bool:
    return 0 < value < SUPPRESS_BELOW


def suppress_column(values: list[float]) -> list[float | None]:
    """``values`` with small ones (and one more where one alone would be) as None."""
    out: list[float | None] = [None if is_small(v) else v for v in values]
    hidden = [i for i, v in enumerate(out) if v is None]
    if len(hidden) == 1:
        shown = sorted((v, i) for i, v in enumerate(out) if v is not None and v > 0)
        if shown:
            out[shown[0][1]] = None
    return out


def public_figures() -> dict[str, Any]:
    """The city's totals and one row per county, suppressed (the city's totals are shown only
    when not small themselves)."""
    city = public_region()
    figures = region_figures(city)
    labels = figure_labels()
    rows: list[dict[str, Any]] = [
        {"code": row.code, "name": row.name, "figures": dict(row.figures)} for row in figures.rows
    ]
    if figures.remainder is not None:
        # Shown like the counties: left out, it would be the total less the rows shown.
        rows.append(
            {"code": "", "name": _("其他（未落到区县）"), "figures": dict(figures.remainder)}
        )
    for key in PUBLIC_FIGURES:
        column = suppress_column([row["figures"][key] for row in rows])
        for row, value in zip(rows, column, strict=True):
            row["figures"][key] = value
    for row in rows:
        row["figures"] = {key: row["figures"][key] for key in PUBLIC_FIGURES}
    totals = {
        key: None if is_small(figures.totals[key]) else figures.totals[key]
        for key in PUBLIC_FIGURES
    }
    return {
        "region": {"code": city.code, "name": city.name},
        "labels": {key: labels[key] for key in PUBLIC_FIGURES},
        "totals": totals,
        "rows": rows,
        "suppress_below": SUPPRESS_BELOW,
    }
