"""In a real browser: without a recorded consent to location use the pages do not ask the
phone for its position, even with the browser's permission given; they show the notice, and
its button records the consent, after which they do."""

import pytest

from nuanxin.accounts.consent import location_consent_of
from tests.reports import factories as f
from tests.reports.test_browser import log_in
from tests.stations.factories import make_station

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Counts the page's requests for the position, whatever the browser then answers.
COUNT_POSITION_REQUESTS = """
window.positionRequests = 0;
const ask = navigator.geolocation.getCurrentPosition.bind(navigator.geolocation);
navigator.geolocation.getCurrentPosition = function () {
  window.positionRequests += 1;
  return ask.apply(null, arguments);
};
"""


def test_without_consent_the_report_page_asks_nothing_until_it_is_given(live_server, page, tree):
    rider = f.worker(tree, phone="13911119991")
    page.context.grant_permissions(["geolocation"])  # the browser's yes is not a consent
    page.context.set_geolocation({"latitude": 21.05, "longitude": 110.05})
    page.add_init_script(COUNT_POSITION_REQUESTS)
    base = live_server.url
    log_in(page, base, rider.phone)

    page.goto(f"{base}/reports/new/")
    page.wait_for_load_state("networkidle")
    notice = page.locator("#location-consent")
    assert notice.is_visible() and notice.get_attribute("data-location-consent") == "missing"
    page.get_by_role("button", name="使用我的位置").click()
    page.wait_for_timeout(300)
    assert page.evaluate("window.positionRequests") == 0
    assert page.locator("#id_lon").input_value() == ""  # the pin waits to be placed by hand

    page.get_by_role("button", name="同意使用位置信息").click()
    page.wait_for_url(f"{base}/reports/new/")
    assert location_consent_of(rider).is_given
    assert not page.locator("#location-consent").is_visible()
    page.wait_for_function("() => document.getElementById('id_lon').value !== ''")
    assert page.evaluate("window.positionRequests") >= 1


def test_without_consent_the_home_screen_does_not_find_the_nearest_station_by_itself(
    live_server, page, tree
):
    make_station(lon=110.052, lat=21.05, name="海盛驿站", amenities=())
    rider = f.worker(tree, phone="13911119992")
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 21.05, "longitude": 110.05})
    page.add_init_script(COUNT_POSITION_REQUESTS)
    base = live_server.url
    log_in(page, base, rider.phone)

    page.goto(f"{base}/")
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="找最近的开放驿站").click()
    page.wait_for_timeout(300)
    assert page.evaluate("window.positionRequests") == 0
    assert page.locator("#nearest-hit").is_hidden()
    assert page.locator("#location-consent").is_visible()
