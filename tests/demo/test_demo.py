import io

import pytest

from nuanxin.accounts.models import Role, User
from nuanxin.demo.loader import load_demo
from nuanxin.demo.zhanjiang import COUNTY_CENTRES_GCJ02
from nuanxin.geo.coords import gcj02_to_wgs84
from nuanxin.geo.models import Region
from nuanxin.geo.selectors import region_at_point
from nuanxin.points.models import Entry, Hold
from nuanxin.registry.models import Enterprise, Registration, Worker
from nuanxin.reports.models import Report
from nuanxin.stations.models import Station, Visit
from nuanxin.store.models import Movement, Order, Shop, Stock
from nuanxin.volunteering.models import Award, Claim, Project


@pytest.mark.django_db
def test_demo_has_the_ten_county_level_units(demo_city):
    counties = dict(Region.objects.filter(level="county").values_list("code", "name"))

    assert counties["440802"] == "赤坎区"
    assert counties["440804"] == "坡头区"
    assert len(counties) == 10
    assert "湛江经济技术开发区" in counties.values()
    assert Region.objects.filter(is_demo_boundary=False).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(COUNTY_CENTRES_GCJ02))
def test_point_inside_each_demo_county_resolves_to_that_county(demo_city, code):
    lon, lat = gcj02_to_wgs84(*COUNTY_CENTRES_GCJ02[code])

    match = region_at_point(lon, lat)

    assert match.method == "boundary"
    assert match.region.path.startswith(Region.objects.get(code=code).path)
    assert match.region.depth >= 3  # a community or a grid, not just the county


@pytest.mark.django_db
def test_demo_places_named_by_the_article_exist(demo_city):
    assert Region.objects.filter(name="海盛社区", parent__name="南调街道").exists()
    assert Region.objects.filter(name="城南街道", parent__name="廉江市").exists()
    assert Region.objects.filter(name="沙湾街道", parent__name="赤坎区").exists()
    assert Region.objects.filter(name="新园街道", parent__name="霞山区").exists()


@pytest.mark.django_db
def test_demo_has_an_account_for_every_role(demo_city):
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    for user in User.objects.exclude(role__in=[Role.WORKER]):
        if user.is_region_staff:
            assert user.jurisdiction_path


@pytest.mark.django_db
def test_loading_the_demo_twice_duplicates_nothing(demo_city):
    counted = [
        Region, User, Worker, Enterprise, Registration, Station, Visit, Report, Project, Claim,
        Award, Entry, Hold, Shop, Stock, Movement, Order,
    ]  # fmt: skip
    before = {model.__name__: model.objects.count() for model in counted}

    load_demo(io.StringIO())

    assert {model.__name__: model.objects.count() for model in counted} == before


@pytest.mark.django_db
def test_the_ledger_reconciles_after_the_demo(demo_city):
    from nuanxin.points.checks import ledger_check

    report = ledger_check()

    assert report.ok, report.problems
    assert report.entries > 1000 and report.total_debits == report.total_credits


@pytest.mark.django_db
def test_the_demo_has_every_part_of_the_program(demo_city):
    assert Worker.objects.count() >= 20_000
    assert Station.objects.count() == 97
    assert Report.objects.values("state").distinct().count() == 8
    assert Project.objects.exists()
