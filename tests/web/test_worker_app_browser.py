"""The worker app on a phone (390 x 844, touch) in Chromium: the first login by SMS code, the
home screen, a photo shrunk before it is sent, a duplicate shown before filing, and the main
screens checked by axe-core."""

import io
import re
import time

import pytest
from PIL import Image

from nuanxin.reports.models import Report, ReportSupport
from tests.factories import TEST_PASSWORD
from tests.helpers import give_location_consent
from tests.reports import factories as f
from tests.stations.factories import make_station
from tests.web.worker_pages import log_in, worker_paths

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
