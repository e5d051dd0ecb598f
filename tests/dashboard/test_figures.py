"""The dashboard's figures on the demo city: the article's numbers, drill-down that adds up,
jurisdiction, and the number of queries a region costs (pinned, so no per-row query creeps in)."""

import pytest
from django.core.cache import cache

import nuanxin.coverage.selectors as coverage
from nuanxin.accounts.models import Role, User
from nuanxin.coverage.analysis import CoverageQuery, coverage_compute
from nuanxin.dashboard.figures import (
    counted_labels,
    dashboard_region,
    month_keys,
    region_charts,
    region_figures,
    window_start,
)
from nuanxin.dashboard.sources import RATES
from nuanxin.geo.models import Region
from nuanxin.party.selectors.coverage import coverage_rates, must_set_up_list
from nuanxin.registry.models import Enterprise
from nuanxin.reports.models import Report
from nuanxin.stations.models import Station, StationStatus
from nuanxin.stations.services import station_set_status
from tests.helpers import error_code

pytestmark = pytest.mark.django_db


def _summed(rows, remainder):
    """The counted figures of the rows added up, and the rates worked out of those sums."""
    total = dict.fromkeys(counted_labels(), 0)
    for figures in [row.figures for row in rows] + ([remainder] if remainder else []):
        for key in total:
            total[key] = round(total[key] + figures[key], 1)
    for rate in RATES:
        whole = total[rate.denominator]
        total[rate.key] = round(100 * total[rate.numerator] / whole, 1) if whole else None
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
    assert totals["party_organisations"] == 18
    assert totals["mass_organisations"] == 88
    assert totals["party_org_members"] == 165


def test_city__the_first_mobile_branch_is_the_didi_drivers_with_27_members(demo_city):
    figures = region_figures(Region.objects.get(code="440800"))
    (branch,) = figures.highlights

    assert branch["key"] == "first_mobile_branch"
    assert branch["name"] == "湛江市滴滴快车司机第一流动党支部"
    assert branch["value"] == 27
    # The same branch heads its county's and its street's dashboard; a county with no mobile
    # branch has no such highlight.
    chikan = region_figures(Region.objects.get(name="赤坎区", level="county"))
    assert chikan.highlights == [branch]
    potou = region_figures(Region.objects.get(name="坡头区", level="county"))
    assert potou.highlights == []


def test_city__organisation_coverage_and_must_set_up_are_the_party_apps_own(demo_city):
    city = Region.objects.get(code="440800")
    figures = region_figures(city)
    total, counties = coverage_rates(city)

    assert figures.totals["coverage_enterprises"] == total.enterprises == 213
    assert figures.totals["organisation_coverage_rate"] == total.organisation_rate
    assert figures.totals["must_set_up"] == len(must_set_up_list(city.path)) == total.must_set_up
    assert figures.totals["must_set_up"] > 0
    by_code = {rate.region.code: rate for rate in counties}
    for row in figures.rows:
        party = by_code[row.code]
        assert row.figures["organisation_coverage_rate"] == (
            party.organisation_rate if party.enterprises else None
        ), row.name
        assert row.figures["must_set_up"] == party.must_set_up, row.name
    assert len({row.figures["organisation_coverage_rate"] for row in figures.rows}) > 2


def test_city__15_minute_coverage_is_the_coverage_apps_for_the_city_and_each_county(demo_city):
    figures = region_figures(Region.objects.get(code="440800"))
    result = coverage_compute(CoverageQuery.clean(mode="ride", threshold_minutes=15))

    assert figures.totals["coverage_15min"] == result.percent
    assert 0 < result.percent < 100
    assert figures.totals["demand_15min"] == round(result.total_weight, 1)
    by_code = {row.code: row for row in result.table("county")}
    for row in figures.rows:
        assert row.figures["coverage_15min"] == by_code[row.code].percent, row.name
        assert row.figures["demand_15min"] == round(by_code[row.code].demand, 1), row.name


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


NEW_COUNTS = (
    "party_organisations",
    "mass_organisations",
    "party_org_members",
    "mobile_branch_members",
    "coverage_enterprises",
    "organisations_covered",
    "must_set_up",
    "demand_15min",
    "demand_covered_15min",
)


def test_every_county__its_streets_sum_to_it_for_the_party_and_coverage_figures(demo_city):
    city = region_figures(Region.objects.get(code="440800"))
    seen = dict.fromkeys(NEW_COUNTS, 0)
    for row in city.rows:
        county = region_figures(Region.objects.get(code=row.code))
        assert county.totals == row.figures, row.name
        assert _summed(county.rows, county.remainder) == county.totals, row.name
        for street in county.rows:
            for rate in RATES:
                assert street.figures[rate.key] == rate.of(street.figures)
            for key in NEW_COUNTS:
                seen[key] += street.figures[key]
    # The streets hold (nearly) all of it: only what sits at a county or the city itself, or
    # outside every region, is left over.
    assert seen["must_set_up"] == city.totals["must_set_up"]
    assert seen["coverage_enterprises"] == city.totals["coverage_enterprises"]
    assert 0 < seen["demand_15min"] <= city.totals["demand_15min"]
    assert 0 < seen["party_organisations"] < city.totals["party_organisations"]


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
    cache.clear()
    # The first view computes the service circle for the whole city (13 queries: stations,
    # demand, regions), which every later view reads from the cache.
    with django_assert_max_num_queries(24 + 13):
        region_figures(regions[0])
    for region in regions:
        # no fresh snapshot, regions of the subtree, the trail, 3 registry, 1 stations,
        # 1 reports, 2 points, 1 store, 1 volunteering; party: 3 counts, 6 for 两个覆盖, 1 for
        # the first mobile branch; coverage: 2 change stamps
        with django_assert_max_num_queries(24):
            region_figures(region)


def test_service_circle__is_cached_and_a_station_closing_shows_at_once(demo_city):
    leizhou = Region.objects.get(code="440882")
    before = region_figures(leizhou).totals

    cached = coverage.circle_by_region()
    assert cache.get(coverage._cache_key()) == cached
    for station in Station.objects.filter(
        region__path__startswith=leizhou.path, status=StationStatus.OPEN
    ):
        station_set_status(station=station, actor=None, status="suspended", note="检修")
    after = region_figures(leizhou).totals

    assert after["demand_15min"] == before["demand_15min"]
    assert after["demand_covered_15min"] < before["demand_covered_15min"]
    assert after["coverage_15min"] < before["coverage_15min"]


def test_charts__every_chart_of_the_city_has_data_and_monthly_ones_twelve_months(
    demo_city, django_assert_max_num_queries
):
    city = Region.objects.get(code="440800")
    figures = region_figures(city)
    with django_assert_max_num_queries(14):
        charts = region_charts(city, figures=figures)

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
        "organisation_coverage",
        "must_set_up",
        "coverage_15min",
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


def test_charts__by_county_draw_the_drill_down_rows_and_by_street_in_a_county(demo_city):
    city = Region.objects.get(code="440800")
    figures = region_figures(city)
    by_key = {chart["key"]: chart for chart in region_charts(city, figures=figures)}

    for key, figure in (
        ("organisation_coverage", "organisation_coverage_rate"),
        ("must_set_up", "must_set_up"),
        ("coverage_15min", "coverage_15min"),
    ):
        chart = by_key[key]
        assert chart["x"] == [row.name for row in figures.rows], key
        assert chart["traces"][0]["y"] == [row.figures[figure] for row in figures.rows], key
        assert "县（市、区）" in chart["title"]
    assert sum(by_key["must_set_up"]["traces"][0]["y"]) == figures.totals["must_set_up"]

    potou = Region.objects.get(name="坡头区", level="county")
    in_potou = {chart["key"]: chart for chart in region_charts(potou)}["coverage_15min"]
    assert "南调街道" in in_potou["x"] and "街道（镇）" in in_potou["title"]


def test_charts__a_county_sees_only_its_own_reports(demo_city):
    potou = Region.objects.get(name="坡头区", level="county")
    by_key = {c["key"]: c for c in region_charts(potou)}

    in_potou = Report.objects.filter(
        region__path__startswith=potou.path, created_at__gte=window_start()
    ).count()
    assert sum(by_key["reports_by_state"]["traces"][0]["y"]) == in_potou
