"""The dashboard's figures on the demo city: the article's numbers, drill-down that adds up,
jurisdiction, and the number of queries a region costs (pinned, so no per-row query creeps in)."""

import pytest

from nuanxin.accounts.models import Role, User
from nuanxin.dashboard.figures import (
    dashboard_region,
    figure_labels,
    month_keys,
    region_charts,
    region_figures,
    window_start,
)
from nuanxin.geo.models import Region
from nuanxin.registry.models import Enterprise
from nuanxin.reports.models import Report
from nuanxin.stations.models import Station
from tests.helpers import error_code

pytestmark = pytest.mark.django_db


def _summed(rows, remainder):
    total = dict.fromkeys(figure_labels(), 0)
    for figures in [row.figures for row in rows] + ([remainder] if remainder else []):
        for key, value in figures.items():
            total[key] = round(total[key] + value, 1)
    return total


def _admin(role, **region):
    return User.objects.filter(role=role, **region).order_by("id").first()


def test_city__the_article_figures(demo_city):
    city = dashboard_region(_admin(Role.CITY_ADMIN), None)
    totals = region_figures(city).totals

    assert city.code == "440800"
    assert totals["enterprises"] == 213 == Enterprise.objects.count()
    assert totals["workers"] >= 20_000
    assert totals["party_members"] == 165
    assert totals["centres"] == 46
    assert totals["stations"] == 51
    assert totals["registered_enterprises"] == 53
    assert 380 <= totals["registered_workers"] <= 420
    assert totals["reports"] == Report.objects.count() > 0


def test_city__the_ten_counties_sum_to_the_city(demo_city):
    figures = region_figures(Region.objects.get(code="440800"))

    assert len(figures.rows) == 10
    assert all(row.drillable for row in figures.rows)
    assert _summed(figures.rows, figures.remainder) == figures.totals


def test_county__the_streets_of_potou_sum_to_potou_and_potou_matches_its_city_row(demo_city):
    city = region_figures(Region.objects.get(code="440800"))
    potou = region_figures(Region.objects.get(name="坡头区", level="county"))

    assert next(row for row in city.rows if row.name == "坡头区").figures == potou.totals
    assert "南调街道" in [row.name for row in potou.rows]
    assert _summed(potou.rows, potou.remainder) == potou.totals
    assert potou.totals["stations"] + potou.totals["centres"] == (
        Station.objects.filter(region__path__startswith=potou.region.path)
        .exclude(status="closed")
        .count()
    )


def test_street__nandiao_sums_its_communities_and_shows_its_trail(demo_city):
    nandiao = Region.objects.get(name="南调街道", parent__name="坡头区")
    figures = region_figures(nandiao)
    in_county = region_figures(nandiao.parent)

    assert [r.name for r in figures.trail] == ["湛江市", "坡头区", "南调街道"]
    assert next(row for row in in_county.rows if row.code == nandiao.code).figures == (
        figures.totals
    )
    assert _summed(figures.rows, figures.remainder) == figures.totals
    assert not any(row.drillable for row in figures.rows)  # communities: the last level


def test_county_admin__sees_their_county_and_is_refused_the_city_and_another_county(demo_city):
    admin = _admin(Role.COUNTY_ADMIN)
    own = dashboard_region(admin, None)
    other = Region.objects.filter(level="county").exclude(pk=own.pk).first()

    assert own.level == "county" and admin.region_id == own.pk
    assert dashboard_region(admin, own.children.first().code).parent_id == own.pk
    assert error_code(lambda: dashboard_region(admin, other.code)) == "auth.out_of_jurisdiction"
    assert error_code(lambda: dashboard_region(admin, "440800")) == "auth.out_of_jurisdiction"
    assert error_code(lambda: dashboard_region(admin, "nope")) == "dashboard.unknown_region"


def test_workers_and_keepers__are_refused(demo_city):
    for role in (Role.WORKER, Role.STATION_KEEPER):
        assert error_code(lambda r=role: dashboard_region(_admin(r), None)) == "auth.staff_only"


def test_figures__cost_a_fixed_number_of_queries_at_every_level(
    demo_city, django_assert_max_num_queries
):
    regions = [
        Region.objects.get(code="440800"),
        Region.objects.get(name="坡头区", level="county"),
        Region.objects.get(name="南调街道", parent__name="坡头区"),
    ]
    for region in regions:
        # regions of the subtree, the trail, 3 registry, 1 stations, 1 reports, 2 points,
        # 1 store, 1 volunteering
        with django_assert_max_num_queries(11):
            region_figures(region)


def test_charts__every_chart_of_the_city_has_data_and_monthly_ones_twelve_months(
    demo_city, django_assert_max_num_queries
):
    city = Region.objects.get(code="440800")
    with django_assert_max_num_queries(14):
        charts = region_charts(city)

    by_key = {chart["key"]: chart for chart in charts}
    assert set(by_key) >= {
        "registrations",
        "reports_by_category",
        "reports_by_state",
        "handling",
        "points",
        "visits_by_occupation",
        "visits_by_hour",
        "volunteering",
        "channels",
    }
    for chart in charts:
        assert any(any(y for y in trace["y"]) for trace in chart["traces"]), chart["key"]
        assert all(len(trace["y"]) == len(chart["x"]) for trace in chart["traces"])
    assert by_key["points"]["x"] == month_keys(window_start())
    assert len(by_key["visits_by_hour"]["x"]) == 24
    # A month with no handled report has no median (a gap), where counts are 0
    median = by_key["handling"]["traces"][0]["y"]
    assert None in median and 0 not in median
    assert 0 in by_key["points"]["traces"][0]["y"]
    filed = by_key["channels"]["traces"][0]["y"]
    assert sum(filed) == sum(by_key["reports_by_state"]["traces"][0]["y"])
    assert by_key["channels"]["traces"][1]["y"] == by_key["volunteering"]["traces"][1]["y"]
    state_total = sum(by_key["reports_by_state"]["traces"][0]["y"])
    assert state_total == Report.objects.filter(created_at__gte=window_start()).count()


def test_charts__a_county_sees_only_its_own_reports(demo_city):
    potou = Region.objects.get(name="坡头区", level="county")
    by_key = {c["key"]: c for c in region_charts(potou)}

    in_potou = Report.objects.filter(
        region__path__startswith=potou.path, created_at__gte=window_start()
    ).count()
    assert sum(by_key["reports_by_state"]["traces"][0]["y"]) == in_potou
