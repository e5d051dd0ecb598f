"""A rider on a phone: nearest open station with water, then check in by its QR link."""

import pytest

from nuanxin.accounts.models import Role
from nuanxin.stations import services
from nuanxin.stations.models import Visit
from nuanxin.stations.services import amenity_defaults_ensure
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import browser_second_factor, give_location_consent
from tests.stations.factories import make_station

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RIDER_AT = {"longitude": 110.05, "latitude": 21.05}


def test_rider_finds_the_nearest_open_station_with_water_and_checks_in(
    live_server, page, tree, screenshot_dir
):
    amenity_defaults_ensure()
    make_station(lon=110.051, lat=21.05, name="最近但没水的驿站", amenities=["phone_charging"])
    make_station(lon=110.053, lat=21.05, name="有水但已打烊的驿站", hours=None)
    suspended = make_station(lon=110.054, lat=21.05, name="暂停服务的驿站")
    services.station_set_status(station=suspended, actor=None, status="suspended", note="装修")
    target = make_station(
        lon=110.058,
        lat=21.052,
        name="海盛社区暖新驿站",
        amenities=["drinking_water", "toilet", "phone_charging"],
    )
    make_station(lon=110.07, lat=21.06, name="更远的有水驿站")
    rider = UserFactory(phone="13912345678", name="骑手小李", role=Role.WORKER, region=tree["A1a"])
    give_location_consent(rider)  # the pages ask for the position only then
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(RIDER_AT)

    page.goto(f"{live_server.url}/stations/")
    page.wait_for_selector("#stations-map[data-loaded='5']")
    assert page.locator(".station-marker").count() == 3  # "只看开放中": 3 of 5 open now
    page.screenshot(path=str(screenshot_dir / "stations-map.png"))

    page.get_by_role("button", name="饮用水").click()
    page.get_by_role("button", name="找最近的开放驿站").click()
    page.wait_for_selector("#nearest-results li")

    first = page.locator("#nearest-results li").first
    assert first.locator(".hit-name").inner_text() == "海盛社区暖新驿站"
    assert page.locator("#stations-map").get_attribute("data-nearest") == str(target.pk)
    assert "步行约" in first.inner_text() and "骑行约" in first.inner_text()
    names = page.locator("#nearest-results .hit-name").all_inner_texts()
    assert names == ["海盛社区暖新驿站", "更远的有水驿站"]
    page.screenshot(path=str(screenshot_dir / "stations-nearest-water.png"), full_page=True)

    first.locator(".hit-name").click()
    page.wait_for_selector(".station-detail")
    assert "高德导航" in page.content()
    page.screenshot(path=str(screenshot_dir / "stations-detail.png"), full_page=True)

    # The rider scans the QR poster: it is the check-in link; not logged in yet.
    page.goto(live_server.url + services.checkin_path(target))
    page.get_by_label("手机号").fill("13912345678")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    browser_second_factor(page, "13912345678")
    # At the station, the phone's position shows the rider is there: the tap sends it.
    page.context.set_geolocation({"longitude": 110.058, "latitude": 21.052})
    page.get_by_role("button", name="用手机定位签到").click()

    page.wait_for_selector(".visit-list li")
    assert "签到成功！欢迎来到海盛社区暖新驿站。" in page.locator(".messages").inner_text()
    assert page.locator(".visit-list li").first.locator("strong").inner_text() == "海盛社区暖新驿站"
    page.screenshot(path=str(screenshot_dir / "stations-visit.png"), full_page=True)
    visit = Visit.objects.get()
    assert visit.station == target and visit.worker.phone == "13912345678"


def test_without_location_the_rider_taps_the_map(live_server, page, tree):
    amenity_defaults_ensure()
    near = make_station(lon=110.052, lat=21.05, name="点选附近的驿站")
    page.context.clear_permissions()

    page.goto(f"{live_server.url}/stations/")
    page.wait_for_selector("#stations-map[data-loaded='1']")
    page.get_by_role("button", name="找最近的开放驿站").click()
    page.wait_for_function(
        "() => document.getElementById('finder-status').textContent.includes('点一下')"
    )
    # Tap the middle of the map: the map is fitted around the only station.
    page.locator("#stations-map").click(position={"x": 120, "y": 120})
    page.wait_for_selector("#nearest-results li")

    assert page.locator("#stations-map").get_attribute("data-nearest") == str(near.pk)


def test_keeper_prints_the_qr_poster(live_server, page, tree, screenshot_dir):
    amenity_defaults_ensure()
    keeper = UserFactory(phone="13912340000", role=Role.STATION_KEEPER)
    station = make_station(
        lon=110.05,
        lat=21.05,
        name="海盛社区暖新驿站",
        amenities=["drinking_water", "phone_charging", "toilet", "first_aid"],
        hours="周一至周五 08:00-20:00；周末 09:00-18:00",
        keepers=[keeper],
        contact_phone="0759-1234567",
    )

    page.goto(f"{live_server.url}/accounts/login/?next=/stations/{station.pk}/poster/")
    page.get_by_label("手机号").fill("13912340000")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    browser_second_factor(page, "13912340000")
    page.wait_for_selector(".poster-qr")

    page.wait_for_function(
        "() => "
        "document.querySelector('.poster-qr').complete"
        " && document.querySelector('.poster-qr').naturalWidth > 0"
    )
    qr = page.locator(".poster-qr")
    assert qr.bounding_box()["width"] > 200
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    page.screenshot(path=str(screenshot_dir / "stations-poster.png"), full_page=True)
