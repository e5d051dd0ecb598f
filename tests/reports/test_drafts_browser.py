"""A report written with no signal is kept on the phone and sent once when the signal returns."""

import re

import pytest

from nuanxin.core.models import IdempotencyRecord
from nuanxin.reports.models import Report
from tests.helpers import give_location_consent
from tests.reports import factories as f
from tests.reports.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def write_report(page, cat, text: str) -> None:
    page.get_by_role("button", name="使用我的位置").click()
    page.wait_for_function("() => document.getElementById('id_lon').value !== ''")
    page.get_by_label("问题类别").select_option(cat.code)
    page.get_by_label("问题描述").fill(text)
    page.set_input_files(
        "#id_photos",
        files=[{"name": "lane.jpg", "mimeType": "image/jpeg", "buffer": f.jpeg_bytes((800, 600))}],
    )
    page.get_by_role("button", name="提交").click()


def test_offline_report_waits_then_is_sent_exactly_once(live_server, page, tree, screenshot_dir):
    cat = f.category(code="fire-lane-draft", name="消防通道堵塞（草稿）", points=5)
    rider = f.worker(tree, phone="13911115555", name="骑手小周")
    base = live_server.url
    give_location_consent(rider)  # the pages ask for the position only then
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 21.05, "longitude": 110.05})
    log_in(page, base, rider.phone)
    page.goto(f"{base}/reports/new/")

    page.context.set_offline(True)
    write_report(page, cat, "北门消防通道被电动车堵住，离线写的")
    page.wait_for_selector("#drafts .draft[data-state='waiting']")
    assert "等待发送" in page.locator("#drafts").inner_text()
    assert page.locator("#draft-saved").is_visible()
    assert page.url == f"{base}/reports/new/"
    assert Report.objects.count() == 0
    page.screenshot(path=str(screenshot_dir / "reports-draft-waiting.png"), full_page=True)

    # The draft survives a reload of the page the phone kept.
    page.reload()
    page.wait_for_selector("#drafts .draft[data-state='waiting']")

    page.context.set_offline(False)
    page.wait_for_selector("#drafts .draft[data-state='sent']")
    assert "已发送" in page.locator("#drafts").inner_text()
    page.screenshot(path=str(screenshot_dir / "reports-draft-sent.png"), full_page=True)

    report = Report.objects.get()
    assert report.reporter == rider and report.category == cat
    assert report.description == "北门消防通道被电动车堵住，离线写的"
    assert report.photos.count() == 1
    assert IdempotencyRecord.objects.filter(principal=f"user:{rider.pk}").count() == 1
    link = page.locator("#drafts .draft a").get_attribute("href")
    assert link == f"/reports/mine/{report.pk}/"

    # Coming online again (another "online" event, a reload) sends nothing more.
    page.context.set_offline(True)
    page.context.set_offline(False)
    page.reload()
    page.wait_for_selector("#drafts .draft[data-state='sent']")
    assert Report.objects.count() == 1

    # "My reports" lists the draft too, and the report it became.
    page.goto(f"{base}/reports/mine/")
    page.wait_for_selector("#drafts .draft[data-state='sent']")
    assert f"#{report.pk}" in page.locator("main").inner_text()

    page.get_by_role("button", name="删除草稿").click()
    page.wait_for_selector("#drafts", state="hidden")
    page.reload()
    assert page.locator("#drafts .draft").count() == 0


def test_a_send_whose_answer_is_lost_is_retried_without_a_second_report(live_server, page, tree):
    cat = f.category(code="fire-lane-flaky", name="消防通道堵塞（信号差）", points=5)
    rider = f.worker(tree, phone="13911116666", name="骑手小吴")
    base = live_server.url
    give_location_consent(rider)  # the pages ask for the position only then
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 21.05, "longitude": 110.05})
    log_in(page, base, rider.phone)
    page.goto(f"{base}/reports/new/")

    # The first send reaches the server, which files the report, but its answer never arrives.
    posts = []

    def lose_first_answer(route):
        posts.append(route.request.headers.get("idempotency-key"))
        if len(posts) == 1:
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/reports/", lose_first_answer)
    page.context.set_offline(True)
    write_report(page, cat, "信号时有时无时写的")
    page.wait_for_selector("#drafts .draft[data-state='waiting']")
    page.context.set_offline(False)
    for _ in range(100):
        if posts:
            break
        page.wait_for_timeout(100)
    page.wait_for_function(
        "() => document.querySelector('#drafts .draft').dataset.state === 'waiting'"
        " && !document.querySelector('#drafts .draft-state').textContent.includes('…')"
    )
    assert len(posts) == 1 and Report.objects.count() == 1

    # The next try (the phone comes online again) is answered with the report already filed.
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#drafts .draft[data-state='sent']")
    assert len(posts) == 2 and posts[0] == posts[1] and posts[0]
    report = Report.objects.get()
    assert report.photos.count() == 1
    link = page.locator("#drafts .draft a").get_attribute("href")
    assert link == f"/reports/mine/{report.pk}/"


def test_a_draft_is_sent_only_for_the_account_that_wrote_it(live_server, page, tree):
    cat = f.category(code="fire-lane-owner", name="消防通道堵塞（换账号）", points=5)
    writer = f.worker(tree, phone="13911117777", name="骑手小郑")
    other = f.worker(tree, phone="13911118888", name="骑手小钱")
    base = live_server.url
    give_location_consent(writer)  # the pages ask for the position only then
    give_location_consent(other)  # the pages ask for the position only then
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 21.05, "longitude": 110.05})
    log_in(page, base, writer.phone)
    page.goto(f"{base}/reports/new/")
    page.context.set_offline(True)
    write_report(page, cat, "换账号之前写的")
    page.wait_for_selector("#drafts .draft[data-state='waiting']")

    # Someone else logs in on the same phone: the draft is neither shown nor sent as theirs.
    page.context.clear_cookies()
    page.context.set_offline(False)
    log_in(page, base, other.phone)
    page.goto(f"{base}/reports/new/")
    page.wait_for_timeout(1500)
    assert page.locator("#drafts .draft").count() == 0
    assert Report.objects.count() == 0

    page.context.clear_cookies()
    log_in(page, base, writer.phone)
    page.goto(f"{base}/reports/new/")
    page.wait_for_selector("#drafts .draft[data-state='sent']")
    assert Report.objects.get().reporter == writer


def open_form(live_server, page, tree, phone: str, code: str):
    cat = f.category(code=code, name=f"消防通道堵塞（{code}）", points=5)
    rider = f.worker(tree, phone=phone, name="骑手小孙")
    give_location_consent(rider)  # the pages ask for the position only then
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 21.05, "longitude": 110.05})
    log_in(page, live_server.url, rider.phone)
    page.goto(f"{live_server.url}/reports/new/")
    return cat, rider


def form_posts(page, answer) -> list[str]:
    """Route the form's own posts (not the page's loads) through ``answer``; the keys posted."""
    keys: list[str] = []

    def handle(route):
        if route.request.method != "POST":
            route.continue_()
            return
        found = re.search(rb'name="submit_key"\r\n\r\n(\w+)', route.request.post_data_buffer)
        keys.append(found.group(1).decode())
        answer(route)

    page.route("**/reports/new/", handle)
    return keys


def retried(page) -> None:
    """The next try, as when the phone says it is online again."""
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#drafts .draft[data-state='sent']")


def test_a_post_that_times_out_while_online_is_kept_and_sent_once(live_server, page, tree):
    cat, rider = open_form(live_server, page, tree, "13911112221", "lie-fi-timeout")
    keys = form_posts(page, lambda route: route.abort("timedout"))

    # The phone says it is online, but the network swallows the post: nothing is lost.
    write_report(page, cat, "信号一格，提交超时了")
    page.wait_for_selector("#draft-saved:not([hidden])")  # the post is over, with no answer
    page.wait_for_selector("#drafts .draft[data-state='waiting']")
    assert "等待发送" in page.locator("#drafts").inner_text()
    saved = page.locator("#draft-saved")
    assert saved.is_visible() and "网络不稳定" in saved.inner_text()
    assert page.url == f"{live_server.url}/reports/new/"
    assert len(keys) == 1 and Report.objects.count() == 0
    # The form is clear for the next report, under a key of its own.
    assert page.locator("#id_description").input_value() == ""
    assert page.locator("input[name=submit_key]").input_value() != keys[0]

    page.unroute("**/reports/new/")
    retried(page)
    report = Report.objects.get()
    assert report.reporter == rider and report.description == "信号一格，提交超时了"
    assert report.submit_key == keys[0] and report.photos.count() == 1
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(500)
    assert Report.objects.count() == 1


def test_a_post_that_reached_the_server_but_lost_its_answer_files_one_report(
    live_server, page, tree
):
    cat, _rider = open_form(live_server, page, tree, "13911112222", "lie-fi-lost")

    def lose_answer(route):
        route.fetch()
        route.abort("connectionreset")

    keys = form_posts(page, lose_answer)
    write_report(page, cat, "提交到了，回答丢了")
    page.wait_for_selector("#draft-saved:not([hidden])")  # the post is over, with no answer
    assert page.locator("#drafts .draft").get_attribute("data-state") == "waiting"
    assert len(keys) == 1 and Report.objects.count() == 1

    # The retry carries the same key: it is answered with the report already filed.
    retried(page)
    report = Report.objects.get()
    assert report.submit_key == keys[0]
    link = page.locator("#drafts .draft a").get_attribute("href")
    assert link == f"/reports/mine/{report.pk}/"


def test_a_post_answered_online_goes_to_the_report_and_leaves_no_draft(live_server, page, tree):
    cat, _rider = open_form(live_server, page, tree, "13911112223", "lie-fi-fine")

    write_report(page, cat, "信号好的时候提交")
    page.wait_for_url(f"{live_server.url}/reports/mine/*/")
    assert "提交成功！审核通过后将获得积分。" in page.locator("body").inner_text()
    assert Report.objects.count() == 1
    page.goto(f"{live_server.url}/reports/new/")
    page.wait_for_timeout(500)
    assert page.locator("#drafts .draft").count() == 0


def test_a_refusal_is_shown_on_the_form_and_is_not_kept_as_a_draft(live_server, page, tree):
    cat, _rider = open_form(live_server, page, tree, "13911112224", "lie-fi-refused")

    write_report(page, cat, "   ")  # only spaces: the browser lets it through, the server not
    page.wait_for_selector("#form-error:not([hidden])")
    assert page.locator("#form-error").get_attribute("data-code")
    assert page.url == f"{live_server.url}/reports/new/"
    # What was written stays on the form, photo included; nothing waits on the phone.
    assert page.locator("#photo-previews li").count() == 1
    assert page.locator("#id_category").input_value() == cat.code
    page.wait_for_timeout(500)
    assert page.locator("#drafts .draft").count() == 0
    assert Report.objects.count() == 0
