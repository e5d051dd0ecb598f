"""The public page shows aggregates only: no count between 1 and 4, and none that subtraction
from the total would give back."""

import pytest

from nuanxin.dashboard import public as public_module
from nuanxin.dashboard.figures import RegionFigures, RegionRow, counted_labels
from nuanxin.dashboard.public import PUBLIC_COUNTS, PUBLIC_FIGURES, public_figures, suppress_column
from tests.stations.factories import make_station


def test_suppress__small_counts_and_the_one_that_would_give_a_lone_one_away():
    assert suppress_column([3, 12, 20]) == [None, None, 20]
    assert suppress_column([3, 4, 20]) == [None, None, 20]
    assert suppress_column([0, 7, 5]) == [0, 7, 5]
    assert suppress_column([1, 0]) == [None, 0]  # nothing else to hide: the total is hidden
    # The total hidden (by another rule) and every cell shown: their sum would give it back.
    assert suppress_column([9, 30], total=None) == [None, 30]
    assert suppress_column([None, 9, 30], total=None) == [None, 9, 30]


def _stations(county, n, kind):
    for i in range(n):
        make_station(
            lon=110.01 + (0.2 if county.code.endswith("02") else 0) + i * 0.001,
            lat=21.01,
            name=f"{county.name}{kind}{i}",
            kind=kind,
            amenities=(),
        )


@pytest.mark.django_db
def test_public__counties_under_five_are_hidden_and_cannot_be_recovered(tree, client):
    _stations(tree["A"], 3, "station")
    _stations(tree["B"], 12, "station")
    _stations(tree["A"], 6, "centre")
    _stations(tree["B"], 7, "centre")

    data = public_figures()
    rows = {row["name"]: row["figures"] for row in data["rows"]}
    assert rows["A区"]["stations"] is None
    assert rows["B区"]["stations"] is None  # else 15 - 12 would give A's 3
    assert data["totals"]["stations"] == 15
    assert (rows["A区"]["centres"], rows["B区"]["centres"]) == (6, 7)

    answer = client.get("/api/v1/dashboard/public")
    assert answer.status_code == 200
    assert answer.json()["rows"] == data["rows"]
    page = client.get("/dashboard/public/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "*" in text
    assert ">3<" not in text and ">12<" not in text
    assert ">15<" in text


@pytest.mark.django_db
def test_public__a_small_city_total_is_hidden_too(tree):
    _stations(tree["A"], 2, "station")

    assert public_figures()["totals"]["stations"] is None


def _lines(monkeypatch, tree, rows, totals=None):
    """``public_figures`` over made-up counts: ``rows`` maps a county of ``tree`` to its figures
    (every other figure 0); the city's totals are their sums."""
    zeros = dict.fromkeys(counted_labels(), 0)
    made = [
        RegionRow(
            code=tree[k].code, name=tree[k].name, level="county", drillable=True, figures=zeros | v
        )
        for k, v in rows.items()
    ]
    summed = dict(zeros)
    for row in made:
        for key in zeros:
            summed[key] += row.figures[key]
    for row_figures in [r.figures for r in made] + [summed]:
        for key, (num, den) in public_module.rate_parts().items():
            whole = row_figures[den]
            row_figures[key] = round(100 * row_figures[num] / whole, 1) if whole else None
    fake = RegionFigures(
        region=tree.city, trail=[tree.city], totals=summed, rows=made, remainder=None
    )
    monkeypatch.setattr(public_module, "region_figures", lambda region: fake)
    data = public_figures()
    return {row["name"]: row["figures"] for row in data["rows"]}, data["totals"]


def _recoverable(rows, totals):
    """Every hidden count that one subtraction in the table gives back: a line's part from its
    whole and their difference is not in the table, so only the column's total less the shown
    cells can give one back; return the (line, key) pairs where exactly one cell is hidden
    under a shown total."""
    found = []
    for key in PUBLIC_COUNTS:
        hidden = [name for name, figures in rows.items() if figures[key] is None]
        if totals[key] is not None and len(hidden) == 1:
            found.append((hidden[0], key))
    return found


@pytest.mark.django_db
def test_public__a_part_within_four_of_its_whole_is_hidden(monkeypatch, tree):
    rows, totals = _lines(
        monkeypatch,
        tree,
        {"A": {"reports": 40, "reports_handled": 37}, "B": {"reports": 60, "reports_handled": 20}},
    )

    assert rows["A区"]["reports"] == 40
    assert rows["A区"]["reports_handled"] is None  # 40 - 37 = 3 reports still open
    assert rows["B区"]["reports_handled"] is None  # else 57 - 20 gives A's 37 back
    assert totals["reports_handled"] == 57 and totals["reports"] == 100
    assert _recoverable(rows, totals) == []


@pytest.mark.django_db
def test_public__a_city_difference_under_five_hides_the_city_part_and_a_county_cell(
    monkeypatch, tree
):
    rows, totals = _lines(
        monkeypatch,
        tree,
        {
            "A": {"workers": 50, "registered_workers": 48},
            "B": {"workers": 60, "registered_workers": 60},
        },
    )

    assert totals["workers"] == 110 and totals["registered_workers"] is None
    assert rows["A区"]["registered_workers"] is None  # 50 - 48 = 2
    # B's 60 alone shown with the city's hidden: A's 48 is still one of two unknowns.
    assert rows["B区"]["registered_workers"] == 60
    assert _recoverable(rows, totals) == []


@pytest.mark.django_db
def test_public__rates_are_hidden_where_their_counts_could_give_a_small_one_back(monkeypatch, tree):
    rows, totals = _lines(
        monkeypatch,
        tree,
        {
            "A": {"coverage_enterprises": 20, "organisations_covered": 18},
            "B": {"coverage_enterprises": 30, "organisations_covered": 15},
        },
    )

    assert rows["A区"]["organisation_coverage_rate"] is None  # 90% of 20 gives 18, and 2 left
    assert rows["B区"]["organisation_coverage_rate"] is None  # its 15 hidden: else 33 - 15
    assert totals["organisation_coverage_rate"] == 66.0


@pytest.mark.django_db
def test_public__the_demo_shows_the_party_coverage_and_channel_figures_and_nothing_small(
    demo_city, client
):
    data = client.get("/api/v1/dashboard/public").json()

    assert list(data["labels"]) == list(PUBLIC_FIGURES)
    for key in (
        "party_organisations",
        "mass_organisations",
        "reports",
        "leaflets",
        "errands",
        "livestreams",
        "organisation_coverage_rate",
    ):
        assert data["totals"][key], key
    assert data["totals"]["party_organisations"] == 18
    assert data["totals"]["mass_organisations"] == 88
    cells = [v for row in data["rows"] for v in row["figures"].values()]
    cells += list(data["totals"].values())
    assert not [v for v in cells if v is not None and 0 < v < 5]
    rows = {row["name"]: row["figures"] for row in data["rows"]}
    assert _recoverable(rows, data["totals"]) == []
    text = client.get("/dashboard/public/").content.decode()
    assert "13800000007" not in text and "骑手小李" not in text
