"""The worker app on a phone (390 x 844, touch) in Chromium: the first login by SMS code, the
home screen, a photo shrunk before it is sent, a duplicate shown before filing, and the main
screens checked by axe-core."""

import io
import re
import time

import pytest
from PIL import Image

from nuanxin.accounts.models import User
from nuanxin.reports.models import Report, ReportSupport
from tests.factories import TEST_PASSWORD
from tests.helpers import give_location_consent
from tests.reports import factories as f
from tests.stations.factories import make_station
from tests.web.worker_pages import KEPT_FORM, KEPT_FORM_SCRIPTS, log_in, wait_until, worker_paths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


@pytest.fixture
def phone(browser):
    """A phone-sized page that takes touches, in Chinese and the city's time zone."""
    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_first_login_by_sms_code_counts_down_and_is_remembered(
    live_server, phone, tree, settings, capsys, screenshot_dir
):
    settings.SMS_BACKEND = "nuanxin.accounts.sms.ConsoleSmsBackend"
    settings.LOGIN_REMEMBER_DAYS = 30
    base = live_server.url
    phone.goto(f"{base}/accounts/login/?mode=sms")
    phone.get_by_label("手机号").fill("13977770001")
    phone.get_by_role("button", name="获取验证码").click()
    phone.wait_for_load_state("load")

    send = phone.locator("#sms-send")
    assert send.is_disabled()
    assert re.search(r"^\d+ 秒后可重新获取$", send.inner_text())
    first = int(send.inner_text().split()[0])
    assert 55 <= first <= 60
    phone.wait_for_function(
        f"() => parseInt(document.getElementById('sms-send').textContent) < {first}"
    )
    phone.screenshot(path=str(screenshot_dir / "app-sms-login.png"), full_page=True)

    printed = capsys.readouterr().out
    code = re.findall(r"发往 13977770001：\D*(\d{6})", printed)[-1]
    phone.get_by_label("验证码").fill(code)
    assert phone.get_by_label("在这台手机上保持登录").is_checked()
    phone.get_by_role("button", name="登录", exact=True).click()
    phone.wait_for_url(f"{base}/")
    assert "已为您创建账号" in phone.locator("main").inner_text()

    session = next(c for c in phone.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    days = (session["expires"] - time.time()) / 86400
    assert 29 < days <= 30  # remembered on the phone for LOGIN_REMEMBER_DAYS, not the session


def test_login_on_a_shared_phone_ends_with_the_browser(live_server, phone, tree, settings):
    rider = f.worker(tree, phone="13977770002")
    base = live_server.url
    phone.goto(f"{base}/accounts/login/")
    phone.get_by_label("手机号").fill(rider.phone)
    phone.get_by_label("密码").fill(TEST_PASSWORD)
    phone.get_by_label("在这台手机上保持登录").uncheck()
    phone.get_by_role("button", name="登录", exact=True).click()
    phone.wait_for_url(f"{base}/")
    session = next(c for c in phone.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    assert session["expires"] == -1  # a browser-session cookie


def test_home_screen_shows_the_nearest_open_station_and_every_worker_feature(
    live_server, phone, tree, screenshot_dir
):
    make_station(lon=110.052, lat=21.05, name="海盛驿站", amenities=())
    make_station(lon=110.09, lat=21.09, name="远处驿站", amenities=())
    rider = f.worker(tree, phone="13977770003")
    give_location_consent(rider)  # the pages ask for the position only then
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 21.05, "longitude": 110.05})
    base = live_server.url
    log_in(phone, live_server, rider.phone)
    phone.goto(f"{base}/")

    # Permission already given: the nearest station appears without a tap.
    phone.wait_for_selector("#nearest-hit:not([hidden])")
    assert phone.locator("#nearest-name").inner_text() == "海盛驿站"
    assert re.search(r"距您 2\d\d 米", phone.locator("#nearest-distance").inner_text())
    navigate = phone.get_by_role("link", name="导航前往")
    assert navigate.get_attribute("href").startswith("geo:21.05")
    # The volunteer card now asks for the projects near this position.
    volunteer = phone.locator("a[data-near]")
    assert "lon=110.05000" in volunteer.get_attribute("href")

    main = phone.locator("main").inner_text()
    for words in ["随手拍", "我的积分", "分可用", "赚积分", "积分兑换", "志愿服务", "社区报到"]:
        assert words in main, words
    assert "未报到" in main and "消息" in main and "条未读" in main
    tabs = phone.locator("nav.tabbar a").all_inner_texts()
    assert [t.split()[-1] for t in tabs] == ["首页", "驿站", "随手拍", "志愿", "兑换", "积分"]
    assert phone.evaluate("() => document.documentElement.lang") == "zh-hans"
    phone.screenshot(path=str(screenshot_dir / "app-home.png"), full_page=True)

    # Readable at 360 px: nothing wider than the screen, no text under 12 px.
    phone.set_viewport_size({"width": 360, "height": 740})
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360
    tiny = phone.evaluate(
        "() => [...document.querySelectorAll('main *')].filter(e => e.childNodes.length"
        " && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())"
        " && parseFloat(getComputedStyle(e).fontSize) < 12).map(e => e.textContent.trim())"
    )
    assert tiny == []
    phone.screenshot(path=str(screenshot_dir / "app-home-360.png"), full_page=True)


def _big_jpeg() -> bytes:
    image = Image.new("RGB", (4000, 3000))
    # Noise-like stripes, so that the file is large like a camera's.
    for x in range(0, 4000, 7):
        image.paste((x % 251, (x * 3) % 253, (x * 7) % 255), (x, 0, x + 3, 3000))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def test_report_photo_is_shrunk_on_the_phone_and_a_duplicate_is_supported_before_filing(
    live_server, phone, tree, screenshot_dir
):
    cat = f.category(code="fire-lane-app", name="消防通道堵塞（应用）", points=5)
    earlier = f.submitted(tree, cat=cat, point=(110.0505, 21.0502), description="门口被堵")
    rider = f.worker(tree, phone="13977770004")
    give_location_consent(rider)  # the pages ask for the position only then
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 21.05, "longitude": 110.05})
    base = live_server.url
    log_in(phone, live_server, rider.phone)
    phone.goto(f"{base}/reports/new/")

    camera = phone.locator("#id_photos")
    assert camera.get_attribute("capture") == "environment"
    original = _big_jpeg()
    camera.set_input_files(
        files=[{"name": "big.jpg", "mimeType": "image/jpeg", "buffer": original}]
    )
    phone.wait_for_selector("#photo-previews li img")
    shrunk = phone.evaluate(
        "() => new Promise(done => { const file = document.getElementById('id_photos').files[0];"
        " createImageBitmap(file).then(b => done({w: b.width, h: b.height, size: file.size,"
        " type: file.type})); })"
    )
    assert shrunk["type"] == "image/jpeg" and (shrunk["w"], shrunk["h"]) == (1600, 1200)
    assert shrunk["size"] < len(original) / 3

    # The pin starts at the phone's position (permission given); the note names the community.
    phone.wait_for_function("() => document.getElementById('id_lon').value !== ''")
    phone.wait_for_selector("#route-note:not([hidden])")
    assert phone.locator("#route-note").inner_text() == f"提交后由{tree['A1a'].name}核实处理。"
    phone.get_by_label("问题类别").select_option(cat.code)
    phone.wait_for_selector(f"#nearby >> text=#{earlier.pk}")
    phone.screenshot(path=str(screenshot_dir / "app-report-duplicate.png"), full_page=True)

    phone.get_by_role("button", name="这是同一个问题——支持它").click()
    phone.wait_for_selector("#nearby .support-done")
    assert phone.url == f"{base}/reports/new/"  # still on the form
    assert ReportSupport.objects.filter(report=earlier, user=rider).count() == 1
    assert Report.objects.count() == 1

    # The pin can be moved: dragged a little to the east, it sends the new point.
    lon_before = float(phone.locator("#id_lon").input_value())
    marker = phone.get_by_role("button", name="问题位置（可拖动）")
    marker.evaluate("pin => pin.scrollIntoView({block: 'center'})")
    pin = marker.bounding_box()
    x, y = pin["x"] + pin["width"] / 2, pin["y"] + pin["height"] * 0.3
    phone.mouse.move(x, y)
    phone.mouse.down()
    phone.mouse.move(x + 30, y, steps=5)
    phone.mouse.move(x + 60, y, steps=5)
    phone.mouse.up()
    phone.wait_for_function(
        f"() => parseFloat(document.getElementById('id_lon').value) > {lon_before}"
    )


def test_report_filed_online_carries_the_shrunk_photo(live_server, phone, tree):
    cat = f.category(code="pothole-app", name="路面坑洼（应用）", points=5)
    rider = f.worker(tree, phone="13977770005")
    give_location_consent(rider)  # the pages ask for the position only then
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 21.05, "longitude": 110.05})
    base = live_server.url
    log_in(phone, live_server, rider.phone)
    phone.goto(f"{base}/reports/new/")
    phone.locator("#id_photos").set_input_files(
        files=[{"name": "big.jpg", "mimeType": "image/jpeg", "buffer": _big_jpeg()}]
    )
    phone.wait_for_selector("#photo-previews li img")
    phone.wait_for_function("() => document.getElementById('id_lon').value !== ''")
    phone.get_by_label("问题类别").select_option(cat.code)
    phone.get_by_label("问题描述").fill("路口有个大坑")
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_url(f"{base}/reports/mine/*/")
    photo = Report.objects.get().photos.get()
    with Image.open(photo.image.open()) as stored:
        assert max(stored.size) <= 1600


AXE_BLOCKING = {"serious", "critical"}


def test_main_worker_screens_have_no_serious_accessibility_violations(
    demo_city, live_server, phone, screenshot_dir
):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    log_in(phone, live_server)
    found = {}
    for path in worker_paths():
        phone.goto(f"{live_server.url}{path}")
        phone.wait_for_load_state("load")
        phone.wait_for_timeout(300)
        results = axe.run(phone)
        bad = [
            f"{v['id']} ({v['impact']}): "
            + "; ".join(n["target"][0] for n in v["nodes"][:3] if n.get("target"))
            for v in results.response["violations"]
            if v["impact"] in AXE_BLOCKING
        ]
        if bad:
            found[path] = bad
        name = path.strip("/").replace("/", "-") or "home"
        phone.screenshot(path=str(screenshot_dir / f"app-{name}.png"), full_page=True)
    phone.context.clear_cookies()
    phone.goto(f"{live_server.url}/accounts/login/?mode=sms")
    results = axe.run(phone)
    bad = [v["id"] for v in results.response["violations"] if v["impact"] in AXE_BLOCKING]
    if bad:
        found["/accounts/login/"] = bad
    assert not found, "\n".join(f"{p}: {line}" for p, lines in found.items() for line in lines)


def test_the_accessibility_check_can_fail(live_server, phone, tree):
    """axe finds a button with no name: the check above is not blind."""
    from axe_playwright_python.sync_playwright import Axe

    phone.goto(f"{live_server.url}/accounts/login/")
    phone.evaluate(
        "() => { const b = document.createElement('button');"
        " document.querySelector('main').append(b); }"
    )
    ids = {v["id"] for v in Axe().run(phone).response["violations"]}
    assert "button-name" in ids


def test_the_demo_worker_installs_the_app_reports_offline_checks_in_and_is_notified(
    demo_city, live_server, phone, screenshot_dir
):
    """The issue's whole story on one phone, as the demo rider: the app installs, every worker
    feature opens from the home screen, the report form works with no signal although it was
    never opened, the report goes out once, a check-in pays only at the station, and the
    rider is told when the report is accepted (inbox, badge and a push on the phone)."""
    from nuanxin.core.models import IdempotencyRecord
    from nuanxin.reports.models import Category
    from nuanxin.reports.services import report_accept
    from nuanxin.stations.models import Station, Visit
    from nuanxin.stations.services import checkin_path

    haisheng = Station.objects.get(name="海盛社区新业态新就业群体服务驿站")
    # Open around the clock, so that the check-in below does not depend on the time of the run.
    station = make_station(lon=haisheng.lon + 0.002, lat=haisheng.lat, name="海盛社区测试驿站")
    base = live_server.url
    rider = log_in(phone, live_server)
    give_location_consent(rider)
    phone.context.grant_permissions(["geolocation", "notifications"], origin=base)
    at_station = {"latitude": station.lat, "longitude": station.lon}
    phone.context.set_geolocation(at_station)

    # Installable: Chromium's own check finds nothing missing once the worker is in control.
    phone.goto(f"{base}/")
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cdp = phone.context.new_cdp_session(phone)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == f"{base}/manifest.webmanifest" and manifest["errors"] == []
    # A test's browser context is a private window, which Chromium never installs from; that is
    # the one thing it may name.
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
    cdp.detach()  # a second DevTools session would undo the offline switch below for the page

    # Every worker feature is one tap from the home screen.
    links = set(
        phone.eval_on_selector_all(
            "main a[href], nav.tabbar a[href], header a[href]",
            "links => links.map(a => new URL(a.href).pathname)",
        )
    )
    features = {
        "/stations/",  # the nearest open station, check-in by QR from its page
        "/reports/new/",  # 随手拍
        "/reports/mine/",
        "/points/",  # available and held, what pays
        "/store/",  # the shop
        "/volunteer/",  # volunteer tasks near me
        "/registry/me/",  # community registration
        "/me/notifications/",
        "/accounts/profile/",
    }
    assert features <= links, features - links
    for path in sorted(features):
        assert phone.request.get(f"{base}{path}").status == 200, path

    # The home page had the phone keep the report form (and what it loads) ahead of a visit.
    wait_until(phone, KEPT_FORM)
    wait_until(phone, KEPT_FORM_SCRIPTS)

    # No signal: the form opens from the phone, the report is kept and waits.
    reports_before = rider.reports.count()
    phone.context.set_offline(True)
    phone.goto(f"{base}/reports/new/")
    assert phone.locator("#report-form").is_visible()
    phone.wait_for_function("() => document.getElementById('id_lon').value !== ''")
    category = next(
        c
        for c in Category.objects.filter(is_active=True).order_by("sort_order", "code")
        if not any(q.get("required") for q in c.questions)
    )
    phone.get_by_label("问题类别").select_option(category.code)
    phone.get_by_label("问题描述").fill("驿站门口的井盖松了，离线写的")
    phone.locator("#id_photos").set_input_files(
        files=[{"name": "cover.jpg", "mimeType": "image/jpeg", "buffer": _big_jpeg()}]
    )
    phone.wait_for_selector("#photo-previews li img")
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_selector("#drafts .draft[data-state='waiting']")
    phone.screenshot(path=str(screenshot_dir / "app-offline-draft.png"), full_page=True)
    assert rider.reports.count() == reports_before

    # The signal returns: sent, once, with its photo shrunk on the phone.
    phone.context.set_offline(False)
    phone.wait_for_selector("#drafts .draft[data-state='sent']")
    phone.evaluate("() => window.dispatchEvent(new Event('online'))")
    phone.wait_for_timeout(500)
    assert rider.reports.count() == reports_before + 1
    report = rider.reports.latest("pk")
    assert report.description == "驿站门口的井盖松了，离线写的"
    with Image.open(report.photos.get().image.open()) as stored:
        assert max(stored.size) <= 1600
    assert IdempotencyRecord.objects.filter(principal=f"user:{rider.pk}").count() >= 1

    # A check-in from a photo of the poster far away is refused; at the station it counts.
    phone.context.set_geolocation({"latitude": station.lat + 0.01, "longitude": station.lon})
    phone.goto(f"{base}{checkin_path(station)}")
    phone.get_by_role("button", name="用手机定位签到").tap()
    phone.locator("[role=alert][data-code='stations.too_far']").wait_for()
    assert not Visit.objects.filter(worker=rider, station=station).exists()
    phone.context.set_geolocation(at_station)
    phone.get_by_role("button", name="用手机定位签到").tap()
    phone.wait_for_selector(".visit-list li")
    assert Visit.objects.filter(worker=rider, station=station).count() == 1

    # The community accepts the report: the rider is told in the inbox, with the badge.
    phone.goto(f"{base}/")
    before = phone.locator("header .bell").inner_text()
    unread = int(before[1:] or 0)
    report_accept(report=report, reviewer=User.objects.get(phone="13800000004"), note="")
    phone.reload()
    assert phone.locator("header .bell .count").inner_text() == str(unread + 1)
    phone.goto(f"{base}/me/notifications/")
    assert f"随手拍 #{report.pk} 已受理" in phone.locator("main").inner_text()
    phone.screenshot(path=str(screenshot_dir / "app-notified.png"), full_page=True)

    # And on the phone itself: the worker shows a push as a system notification.
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("ServiceWorker.enable")
    registrations = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: registrations.extend(e["registrations"]),
    )
    for _ in range(50):
        if registrations:
            break
        phone.wait_for_timeout(100)
    payload = f'{{"title": "随手拍 #{report.pk} 已受理", "body": "", "url": "/me/notifications/"}}'
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": base, "registrationId": registrations[0]["registrationId"], "data": payload},
    )
    shown = []
    for _ in range(50):
        shown = phone.evaluate(
            "() => navigator.serviceWorker.ready.then(r => r.getNotifications())"
            ".then(list => list.map(n => n.title))"
        )
        if shown:
            break
        phone.wait_for_timeout(100)
    assert shown == [f"随手拍 #{report.pk} 已受理"]
