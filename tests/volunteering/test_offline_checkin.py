"""A volunteer check-in is never kept on the phone to be sent later: the session's QR code is
the same printed code for the whole session, so it cannot show on its own that the scan
happened there and then. Offline, the scan page says so and sends nothing; back online the
same tap checks in."""

import pytest
from django.core import signing

from nuanxin.volunteering import services
from nuanxin.volunteering.models import Attendance
from nuanxin.volunteering.services.attendance import TOKEN_SALT
from tests.factories import TEST_PASSWORD
from tests.volunteering.factories import DAY, make_project, only_session, worker

OFFLINE_TEXT = "现在没有网络，不能离线签到"


@pytest.mark.django_db
def test_the_scan_page_and_the_offline_page_say_why_check_in_needs_a_connection(
    client, tree, clock
):
    session = only_session(make_project(tree))
    rider = worker(tree)
    services.claim_create(session=session, worker=rider)
    client.force_login(rider)

    scan = client.get(f"/volunteer/scan/{services.session_token(session)}/").content.decode()
    offline = client.get("/offline/").content.decode()

    assert OFFLINE_TEXT in scan and 'id="vt-offline"' in scan and "hidden" in scan
    assert "不能单独证明您在现场" in offline
    # The session's code names the session and nothing else: no time, no place.
    token = services.session_token(session)
    assert signing.Signer(salt=TOKEN_SALT).unsign_object(token) == {"s": session.pk}
    assert "Nuanxin-Offline" not in client.get(
        f"/volunteer/scan/{services.session_token(session)}/"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_offline_the_tap_is_refused_on_the_phone_and_online_it_checks_in(
    live_server, page, tree, clock, screenshot_dir
):
    session = only_session(make_project(tree, title="楼道巡查"))
    rider = worker(tree, phone="13912340001")
    claim = services.claim_create(session=session, worker=rider)
    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/volunteer/")
    page.get_by_label("手机号").fill("13912340001")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/volunteer/")
    clock.set(DAY, 9, 5)
    page.goto(f"{base}/volunteer/scan/{services.session_token(session)}/")
    assert page.locator("#vt-offline").is_hidden()

    page.context.set_offline(True)
    page.locator("#vt-check-in").click()
    notice = page.locator("#vt-offline")
    notice.wait_for(state="visible")
    assert OFFLINE_TEXT in notice.inner_text()
    assert page.url.endswith(f"/volunteer/scan/{services.session_token(session)}/")
    page.screenshot(path=str(screenshot_dir / "volunteering-offline-refused.png"), full_page=True)
    assert not Attendance.objects.filter(claim=claim).exists()

    page.context.set_offline(False)
    page.wait_for_function("navigator.onLine")
    assert page.locator("#vt-offline").is_hidden()
    page.locator("#vt-check-in").click()
    page.wait_for_selector("#vt-check-out")
    assert Attendance.objects.get(claim=claim).checked_in_at is not None
