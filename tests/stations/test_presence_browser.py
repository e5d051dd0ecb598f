"""On a phone (Chromium, 390x844): a check-in is refused from afar and accepted at the
station, by the phone's position; and by the six digits of the keeper's live screen."""

import pytest

from nuanxin.accounts.consent import location_consent_of
from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.stations import services
from nuanxin.stations.models import Visit
from nuanxin.stations.services import amenity_defaults_ensure
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import browser_second_factor
from tests.stations.factories import make_station

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATION = {"longitude": 110.058, "latitude": 21.052}
AFAR = {"longitude": 110.058, "latitude": 21.062}  # about 1.1 km north


def log_in(page, live_server, next_path: str, phone: str) -> None:
    page.goto(live_server.url + next_path)
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    browser_second_factor(page, phone)  # keepers are staff; workers go straight on


def test_a_check_in_is_refused_from_afar_and_accepted_at_the_station(
    live_server, page, tree, screenshot_dir
):
    amenity_defaults_ensure()
    station = make_station(
        lon=STATION["longitude"], lat=STATION["latitude"], name="海盛社区暖新驿站"
    )
    rider = UserFactory(phone="13912345670", role=Role.WORKER, region=tree["A1a"])
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(AFAR)

    # A photo of the poster, scanned far away: the page opens, the check-in is refused.
    # The rider has not consented to location use yet: the page says so, and the tap on the
    # check-in button (whose hint says what the position is for) records the consent first.
    log_in(page, live_server, services.checkin_path(station), "13912345670")
    assert page.locator("#location-consent").is_visible()
    assert location_consent_of(rider) is None
    page.get_by_role("button", name="用手机定位签到").click()
    alert = page.locator("[role=alert][data-code='stations.too_far']")
    alert.wait_for()
    assert location_consent_of(rider).is_given
    assert AuditLog.objects.filter(action="location_consent.give", actor=rider).count() == 1
    assert not page.locator("#location-consent").is_visible()
    assert "超出签到范围（200 米）" in alert.inner_text()
    page.screenshot(path=str(screenshot_dir / "checkin-refused-afar.png"), full_page=True)
    assert not Visit.objects.exists()

    page.context.set_geolocation(STATION)
    page.get_by_role("button", name="用手机定位签到").click()
    page.wait_for_selector(".visit-list li")
    assert "签到成功！欢迎来到海盛社区暖新驿站。" in page.locator(".messages").inner_text()
    page.screenshot(path=str(screenshot_dir / "checkin-accepted.png"), full_page=True)
    assert Visit.objects.get().station == station


def test_a_phone_that_refuses_its_position_is_told_and_checks_in_with_the_screens_code(
    live_server, browser, page, tree, screenshot_dir
):
    amenity_defaults_ensure()
    keeper = UserFactory(phone="13912345671", role=Role.STATION_KEEPER)
    station = make_station(
        lon=STATION["longitude"], lat=STATION["latitude"], name="海盛社区暖新驿站", keepers=[keeper]
    )
    UserFactory(phone="13912345672", role=Role.WORKER, region=tree["A1a"])

    # The keeper's phone shows the live code.
    screen = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    keeper_page = screen.new_page()
    log_in(keeper_page, live_server, f"/stations/{station.pk}/live-code/", "13912345671")
    keeper_page.wait_for_selector(".live-qr svg")
    digits = keeper_page.locator("#live-digits").inner_text()
    keeper_page.screenshot(path=str(screenshot_dir / "checkin-live-code.png"), full_page=True)

    page.context.clear_permissions()  # the rider says no to the position prompt
    log_in(page, live_server, services.checkin_path(station), "13912345672")
    page.get_by_role("button", name="用手机定位签到").click()
    page.locator("[role=alert][data-code='stations.position_denied']").wait_for()

    page.get_by_label("或输入驿站屏幕上的 6 位签到码").fill(digits)
    page.get_by_role("button", name="用签到码签到").click()
    page.wait_for_selector(".visit-list li")
    assert "签到成功" in page.locator(".messages").inner_text()
    screen.close()
    assert Visit.objects.get().worker.phone == "13912345672"
