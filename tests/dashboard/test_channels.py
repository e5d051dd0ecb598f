"""The four "随手" channels on the dashboard: per region (streets add up to the county, counties
to the city), per worker (an area's workers add up to its totals), per month, the exports, and
the worker's own counts on the profile page."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from nuanxin.accounts.models import Role
from nuanxin.dashboard.channels import (
    CHANNEL_KEYS,
    channel_workers_table,
    channels_by_worker,
    channels_of_worker,
    channels_table,
)
from nuanxin.dashboard.figures import region_charts, region_figures
from nuanxin.volunteering import services
from nuanxin.volunteering.models import AwardRule, Outcome, ProjectKind
from tests.factories import staff
from tests.reports.factories import submitted
from tests.volunteering.factories import DAY, fund, make_project, only_session, seated

pytestmark = pytest.mark.django_db

IN_A2 = (110.05, 21.25)
IN_B = (110.25, 21.05)


def _served(tree, clock, region, kind, community, **evidence):
    """A verified attendance of a per-task project of ``kind`` posted in ``region``, by a worker
    of ``community``, with its evidence."""
    clock.set(DAY - dt.timedelta(days=1), 9)
    project = make_project(
        tree,
        region=region,
        kind=kind,
        award_rule=AwardRule.PER_TASK,
        points_per_task=10,
        **({"pool_region": tree[community]} if len(region) == 2 else {}),
    )
    claim = seated(tree, only_session(project), community)
    clock.set(DAY, 10)
    if kind == ProjectKind.ERRANDS:
        services.errands_report(
            claim=claim, worker=claim.worker, errands=evidence["errands"], helped={"elderly": 1}
        )
    else:
        services.livestream_report(
            claim=claim,
            worker=claim.worker,
            product="徐闻菠萝",
            platform="kuaishou",
            minutes=60,
            viewers=500,
            items_sold=evidence.get("sold", 10),
        )
    clock.set(DAY, 12)
    verifier = staff(Role.STREET_ADMIN if len(region) == 2 else Role.COMMUNITY_STAFF, tree[region])
    services.attendance_verify(claim=claim, staff=verifier, outcome=Outcome.FULL)
    return claim.worker


@pytest.fixture
def activity(tree, clock):
    for community in ("A1a", "A1b", "B1a"):
        fund(tree, community, amount=500)
    errands_a1 = _served(tree, clock, "A1a", ProjectKind.ERRANDS, "A1a", errands=4)
    streamer = _served(tree, clock, "A1", ProjectKind.LIVESTREAM, "A1b", sold=30)
    _served(tree, clock, "B1a", ProjectKind.LIVESTREAM, "B1a", sold=7)
    submitted(tree, reporter=errands_a1)
    submitted(tree, reporter=streamer, point=IN_A2)
    submitted(tree, point=IN_B)
    return {"errands": errands_a1, "streamer": streamer}


def _sums(figures, keys=CHANNEL_KEYS):
    lines = [row.figures for row in figures.rows] + [figures.remainder or {}]
    return {key: sum(line.get(key, 0) for line in lines) for key in keys}


def test_channels__streets_add_up_to_the_county_and_counties_to_the_city(tree, activity):
    city, county = region_figures(tree.city), region_figures(tree["A"])

    assert {k: city.totals[k] for k in CHANNEL_KEYS} == {
        "reports": 3,
        "leaflets": 0,
        "errands": 4,
        "livestreams": 2,
    }
    assert _sums(city) == {k: city.totals[k] for k in CHANNEL_KEYS}
    assert _sums(county) == {k: county.totals[k] for k in CHANNEL_KEYS}
    streets = {row.name: row.figures for row in county.rows}
    assert (streets["A1街道"]["errands"], streets["A1街道"]["livestreams"]) == (4, 1)
    assert streets["A2街道"]["reports"] == 1
    assert county.totals["livestream_items"] == 30


def test_channels__the_workers_of_an_area_add_up_to_its_totals(tree, activity):
    for region in (tree.city, tree["A"], tree["A1"], tree["B"]):
        totals = region_figures(region).totals
        per_worker = channels_by_worker(region)
        for key in CHANNEL_KEYS:
            assert sum(c[key] for c in per_worker.values()) == totals[key], (region.name, key)
    mine = channels_by_worker(tree["A"])[activity["streamer"].pk]
    assert mine == {"reports": 1, "leaflets": 0, "errands": 0, "livestreams": 1}


def test_channels__tables_chart_and_the_workers_own_counts(tree, activity):
    figures = region_figures(tree["A"])
    table = channels_table(figures)
    workers = channel_workers_table(tree["A"])
    chart = next(c for c in region_charts(tree["A"], figures=figures) if c["key"] == "channels")

    assert table.rows[-1][1:] == [figures.totals[k] for k in CHANNEL_KEYS]
    assert [trace["name"] for trace in chart["traces"]] == [
        "随手拍（问题）",
        "随手派（传单）",
        "随手办（代办）",
        "随时推（直播）",
    ]
    by_name = {trace["name"]: sum(trace["y"]) for trace in chart["traces"]}
    assert by_name["随手办（代办）"] == 4 and by_name["随时推（直播）"] == 1
    assert sum(row[-1] for row in workers.rows) == sum(figures.totals[k] for k in CHANNEL_KEYS)
    assert all("*" in row[1] for row in workers.rows)  # phones masked
    own = {item["key"]: item["value"] for item in channels_of_worker(activity["errands"])}
    assert own == {"reports": 1, "leaflets": 0, "errands": 4, "livestreams": 0}


def test_channels__exports_and_jurisdiction(tree, activity, client):
    client.force_login(staff(Role.COUNTY_ADMIN, tree["B"]))

    regions = client.get("/dashboard/export/channels.xlsx")
    people = client.get("/dashboard/export/channel_workers.xlsx")
    outside = client.get("/dashboard/export/channel_workers.xlsx?region=" + tree["A"].code)

    assert regions.status_code == people.status_code == 200
    sheet = load_workbook(io.BytesIO(people.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    # The header, B's livestreamer and B's reporter; nobody of A.
    assert sorted(row[2:] for row in rows[1:]) == [(0, 0, 0, 1, 1), (1, 0, 0, 0, 1)]
    assert activity["streamer"].name not in {row[0] for row in rows}
    assert outside.status_code == 403


def test_channels__the_profile_shows_the_workers_counts(tree, activity, client):
    client.force_login(activity["errands"])

    text = client.get("/accounts/profile/").content.decode()

    assert "“随手”参与" in text and "4 件" in text
