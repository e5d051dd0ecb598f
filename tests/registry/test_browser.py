import pytest

from nuanxin.accounts.models import Role
from nuanxin.registry.models import Worker
from tests.factories import TEST_PASSWORD, staff
from tests.helpers import browser_second_factor
from tests.registry import messy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, phone: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next=/registry/")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    browser_second_factor(page, phone)
    page.wait_for_url(f"{live_server.url}/registry/")


def test_staff_imports_the_messy_sample_and_drills_down_the_counts(
    live_server, page, city, tmp_path, screenshot_dir
):
    staff(Role.COUNTY_ADMIN, city["potou"], phone="13700000002", name="坡头区管理员")
    path = messy.build_messy_workbook(tmp_path / "坡头区台账.xlsx")
    _login(page, live_server, "13700000002")

    page.get_by_role("link", name="导入", exact=True).click()
    page.set_input_files("input[type=file]", str(path))
    page.get_by_label("逐行导入（跳过有错误的行）").check()
    page.get_by_role("button", name="开始导入").click()
    page.wait_for_selector("#job-errors")

    assert page.locator("#job-status").inner_text() == "部分导入"
    rows = page.locator("#job-errors tbody tr")
    # Rows in 霞山区 and 吴川市 are outside a 坡头区 admin's jurisdiction, so more errors here.
    assert rows.count() > len(messy.EXPECTED_ERRORS) - 3
    assert "统一社会信用代码校验位错误" in page.locator("#job-errors").inner_text()
    page.screenshot(path=str(screenshot_dir / "registry-import-report.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.goto(f"{live_server.url}/registry/")
    page.locator("#count-table").get_by_role("link", name="南调街道").click()
    page.wait_for_selector("#count-table >> text=海盛社区")
    assert page.url.endswith("?region=440804001")
    page.screenshot(path=str(screenshot_dir / "registry-counts.png"), full_page=True)
    assert Worker.objects.filter(region__path__startswith=city["potou"].path).count() >= 2


def test_staff_filters_workers_and_reveals_one_number(live_server, page, city, screenshot_dir):
    from tests.registry.factories import make_worker

    make_worker(city["haisheng"], name="党员甲", phone="13800001111", political_status="党员")
    make_worker(city["haisheng"], name="群众乙", phone="13800002222")
    staff(Role.COMMUNITY_STAFF, city["haisheng"], phone="13700000004")
    _login(page, live_server, "13700000004")

    page.goto(f"{live_server.url}/registry/workers/")
    page.get_by_label("党员", exact=True).select_option("1")
    page.wait_for_function("() => !document.querySelector('#list').innerText.includes('群众乙')")
    page.get_by_role("link", name="党员甲").click()
    assert "138****1111" in page.content()
    page.get_by_label("查看完整号码的用途").fill("联系本人核实报到")
    page.get_by_role("button", name="显示完整号码").click()
    assert page.locator("#full-phone").inner_text() == "13800001111"
    page.screenshot(path=str(screenshot_dir / "registry-worker.png"), full_page=True)
