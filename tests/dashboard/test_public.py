"""The public page shows aggregates only: no count between 1 and 4, and none that subtraction
from the total would give back."""

import pytest

from nuanxin.dashboard.public import public_figures, suppress_column
from tests.stations.factories import make_station


def test_suppress__small_counts_and_the_one_that_would_give_a_lone_one_away():
    assert suppress_column([3, 12, 20]) == [None, None, 20]
    assert suppress_column([3, 4, 20]) == [None, None, 20]
    assert suppress_column([0, 7, 5]) == [0, 7, 5]
    assert suppress_column([1, 0]) == [None, 0]  # nothing else to hide: the total is hidden


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
    assert "&lt;5" in text
    assert ">3<" not in text and ">12<" not in text
    assert ">15<" in text


@pytest.mark.django_db
def test_public__a_small_city_total_is_hidden_too(tree):
    _stations(tree["A"], 2, "station")

    assert public_figures()["totals"]["stations"] is None
