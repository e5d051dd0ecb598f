import pytest

from nuanxin.geo.models import Region
from nuanxin.stations.index import stations_nearest
from nuanxin.stations.models import HoursException, Station, StationStatus, Visit
from nuanxin.stations.selectors import station_schedule


def in_county(code: str):
    return Station.objects.filter(region__path__startswith=Region.objects.get(code=code).path)


pytestmark = pytest.mark.django_db


def test_the_network_has_46_centres_and_51_stations_in_all_ten_counties(demo_city):
    assert Station.objects.filter(kind="centre").count() == 46
    assert Station.objects.filter(kind="station").count() == 51
    for county in Region.objects.filter(level="county"):
        assert in_county(county.code).exists(), county.name


def test_potou_has_the_ten_of_its_15_minute_circle(demo_city):
    potou = in_county("440804")

    assert potou.count() == 10
    assert potou.filter(status=StationStatus.OPEN).count() == 10


def test_the_keeper_keeps_the_stations_of_haisheng(demo_city):
    kept = Station.objects.filter(keepers__phone="13800000005")

    assert kept.filter(name="海盛社区新业态新就业群体服务驿站").exists()
    assert all("海盛社区" in {r.name for r in s.region.ancestors()} for s in kept)


def test_hosts_hours_and_closures_are_varied(demo_city):
    hosts = set(Station.objects.values_list("host_type", flat=True))
    schedules = [station_schedule(s) for s in Station.objects.filter(status="open")]

    assert {"party_mass_centre", "bank", "pharmacy", "mall", "hotel", "idle_room"} <= hosts
    assert any(all(day and day[0].whole_day for day in s.weekly) for s in schedules)
    assert any(any(span.overnight for day in s.weekly for span in day) for s in schedules)
    assert HoursException.objects.filter(is_closed=True, note__endswith="闭站").count() >= 5
    assert Station.objects.filter(status=StationStatus.SUSPENDED).count() == 2


def test_named_places_of_the_article_have_their_stations(demo_city):
    for name in [
        "麻章区新业态新就业群体党群服务中心",
        "沙湾街道暖新服务中心",
        "新园街道暖新服务中心",
        "城南街道中山一路暖新服务驿站",
        "金沙广场暖新服务驿站",
        "遂溪县电商产业园暖新服务中心",
    ]:
        assert Station.objects.filter(name=name).exists(), name


def test_a_rider_in_haisheng_finds_water_nearby(demo_city):
    haisheng = Region.objects.get(name="海盛社区", parent__name="南调街道")

    hits = stations_nearest(
        lon=haisheng.centre_lon, lat=haisheng.centre_lat, amenities=["drinking_water"], count=3
    )

    assert hits and hits[0].distance_m < 3000
    assert Station.objects.get(pk=hits[0].station_id).region.path.startswith(haisheng.parent.path)


def test_workers_have_demo_visits(demo_city):
    assert Visit.objects.exists()
    assert not Visit.objects.filter(worker__role="station_keeper").exists()
