"""The public page's figures: the city's and each county's totals with no personal data and no
figure small enough to point at a person, nor any figure from which such a count can be worked
out by subtraction inside the table.

The rules, applied in this order (every hidden figure is None, shown as "*"):

1. *Small counts.* A count between 1 and ``SUPPRESS_BELOW - 1`` is hidden.
2. *Differences.* Where one published count is part of another in the same line (the reports
   handled of all reports, the registered workers of all workers, the covered enterprises of
   those counted: ``NESTED``), a difference between 1 and 4 would be a small count by
   subtraction: the part is hidden.
3. *Totals.* The counties (and the line of rows that name no county) add up to the city, so in
   each column: where the city's figure is shown, no hidden cell may stand alone (the next
   smallest cell is hidden too, or the city's figure where there is no other); where the city's
   figure is hidden, at least one cell of the column must be hidden, or their sum gives it back.
4. *Rates.* A percentage is shown only where the two counts it is the share of could be shown
   (neither small, nor their difference), else it would give back the hidden count.
"""

from typing import Any

from django.utils.translation import gettext as _

from nuanxin.dashboard.figures import figure_labels, public_region, rate_parts, region_figures

SUPPRESS_BELOW = 5
# What the public sees: counts of organisations, places and people in the program, totals of
# activity, the four "随手" channels, and the two coverage rates.
PUBLIC_COUNTS = (
    "enterprises",
    "workers",
    "party_members",
    "registered_enterprises",
    "registered_workers",
    "party_organisations",
    "mass_organisations",
    "party_org_members",
    "mobile_branch_members",
    "coverage_enterprises",
    "organisations_covered",
    "must_set_up",
    "centres",
    "stations",
    "reports",
    "reports_handled",
    "points_issued",
    "points_redeemed",
    "volunteer_services",
    "volunteer_hours",
    "leaflets",
    "errands",
    "livestreams",
    "livestream_items",
)
PUBLIC_RATES = ("organisation_coverage_rate", "coverage_15min")
PUBLIC_FIGURES = PUBLIC_COUNTS + PUBLIC_RATES
# (whole, part): the part is counted among the whole, so whole - part is a count too.
NESTED = (
    ("workers", "registered_workers"),
    ("workers", "party_members"),
    ("enterprises", "registered_enterprises"),
    ("party_org_members", "mobile_branch_members"),
    ("coverage_enterprises", "organisations_covered"),
    ("coverage_enterprises", "must_set_up"),
    ("reports", "reports_handled"),
)


def is_small(value: float | None) -> bool:
    return value is not None and 0 < value < SUPPRESS_BELOW


_SUM = object()


def suppress_column(values: list[float | None], total: Any = _SUM) -> list[float | None]:
    """``values`` (None: hidden already) with small ones hidden, and more where the column's
    total (None: hidden; by default their sum, shown unless small) would give a hidden one
    back."""
    out: list[float | None] = [None if is_small(v) else v for v in values]
    if total is _SUM:
        whole = sum(v for v in values if v is not None)
        total = None if is_small(whole) else whole
    hidden = [i for i, v in enumerate(out) if v is None]
    shown = sorted((v, i) for i, v in enumerate(out) if v is not None and v > 0)
    gives_back = (len(hidden) == 1 and total is not None) or (not hidden and total is None)
    if gives_back and shown:
        out[shown[0][1]] = None
    return out


def _primary(figures: dict[str, Any]) -> dict[str, Any]:
    """One line with rules 1 and 2 applied (the raw figures are read, so a hidden whole still
    hides its part)."""
    out = {key: None if is_small(figures[key]) else figures[key] for key in PUBLIC_COUNTS}
    for whole, part in NESTED:
        if is_small(figures[whole] - figures[part]):
            out[part] = None
    return out


def _rates(raw: dict[str, Any], shown: dict[str, Any]) -> dict[str, Any]:
    out = {}
    parts = rate_parts()
    for key in PUBLIC_RATES:
        numerator, denominator = parts[key]
        counts = (raw[numerator], raw[denominator], raw[denominator] - raw[numerator])
        published = all(shown.get(k, 0) is not None for k in (numerator, denominator))
        out[key] = raw[key] if published and not any(is_small(v) for v in counts) else None
    return out


def public_figures() -> dict[str, Any]:
    """The city's totals and one row per county (and one for rows under no county)."""
    city = public_region()
    figures = region_figures(city)
    labels = figure_labels()
    raw_rows: list[dict[str, Any]] = [
        {"code": row.code, "name": row.name, "figures": row.figures} for row in figures.rows
    ]
    if figures.remainder is not None:
        # Shown like the counties: left out, it would be the total less the rows shown.
        raw_rows.append({"code": "", "name": _("其他（未落到区县）"), "figures": figures.remainder})
    totals = _primary(figures.totals)
    lines = [_primary(row["figures"]) for row in raw_rows]
    for key in PUBLIC_COUNTS:
        column = suppress_column([line[key] for line in lines], totals[key])
        for line, value in zip(lines, column, strict=True):
            line[key] = value
        hidden_alone = sum(v is None for v in column) == 1 and totals[key] is not None
        if hidden_alone:  # nothing else to hide in the column: the total goes
            totals[key] = None
    rows = [
        {
            "code": row["code"],
            "name": row["name"],
            "figures": line | _rates(row["figures"], line),
        }
        for row, line in zip(raw_rows, lines, strict=True)
    ]
    return {
        "region": {"code": city.code, "name": city.name},
        "labels": {key: labels[key] for key in PUBLIC_FIGURES},
        "totals": totals | _rates(figures.totals, totals),
        "rows": rows,
        "suppress_below": SUPPRESS_BELOW,
    }
