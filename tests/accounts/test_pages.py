"""The login page as a visitor meets it: no errors before anything was sent, why they were sent
here, and the personal-information notice before an account is made."""

import pytest

pytestmark = pytest.mark.django_db

REQUIRED = "这个字段是必填项"


@pytest.mark.parametrize("mode", ["password", "sms"])
def test_a_fresh_login_form_shows_no_error(client, mode):
    html = client.get("/accounts/login/", {"mode": mode}).content.decode()

    assert 'name="phone"' in html
    assert REQUIRED not in html and "errorlist" not in html


@pytest.mark.parametrize("mode", ["password", "sms"])
def test_an_empty_submission_says_what_is_missing(client, mode):
    html = client.post("/accounts/login/", {"mode": mode, "action": "login"}).content.decode()

    assert REQUIRED in html


@pytest.mark.parametrize(("path", "page"), [("/store/", "兑换"), ("/points/", "积分")])
def test_an_anonymous_visitor_sent_to_login_is_told_why(client, path, page):
    response = client.get(path, follow=True)

    assert response.redirect_chain and "/accounts/login/" in response.redirect_chain[-1][0]
    assert f"请先登录，再使用「{page}」。" in response.content.decode()


def test_a_page_outside_the_menus_gets_the_general_reason(client):
    html = client.get("/reports/mine/", follow=True).content.decode()

    assert "请先登录，再打开您要访问的页面。" in html


def test_the_login_page_alone_gives_no_reason(client):
    assert 'data-why="login-required"' not in client.get("/accounts/login/").content.decode()


def test_the_login_page_carries_the_privacy_notice_and_links_the_full_one(client, settings):
    settings.STATION_VISIT_RETENTION_DAYS = 123
    login = client.get("/accounts/login/", {"mode": "sms"}).content.decode()
    full = client.get("/accounts/privacy/")

    assert "个人信息保护说明" in login and 'href="/accounts/privacy/"' in login
    assert "保存 123 天" in login
    assert full.status_code == 200
    text = full.content.decode()
    for heading in ("我们收集什么", "为什么收集", "保存多久", "您的权利"):
        assert heading in text
    assert "123 天后删除" in text


def test_the_privacy_notice_says_how_location_is_used_consented_withdrawn_and_kept(client):
    text = client.get("/accounts/privacy/").content.decode()

    assert '<h2 id="location">位置信息</h2>' in text
    assert "只有在您同意使用位置信息后，页面才会向浏览器请求手机的位置" in text
    # Withdrawn where the profile page offers it (its section and button).
    assert 'href="/accounts/profile/#location-consent-state"' in text and "撤回同意" in text
    assert "同意时间、撤回时间" in text
    assert "比较后即丢弃，不保存到签到记录" in text


def test_the_privacy_notice_on_location_reads_in_english(client):
    client.cookies["django_language"] = "en"
    text = client.get("/accounts/privacy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<h2 id="location">Location</h2>' in text
    assert "only after you have consented to location use" in text
    assert 'href="/accounts/profile/#location-consent-state"' in text
    assert "What is not kept: the position your phone sends with a check-in" in text


def test_the_privacy_notice_names_the_profile_section_that_withdraws_location_consent(client):
    from tests.factories import UserFactory
    from tests.helpers import give_location_consent

    user = UserFactory()
    give_location_consent(user)
    client.force_login(user)

    profile = client.get("/accounts/profile/").content.decode()

    assert 'id="location-consent-state"' in profile
    assert 'name="action" value="withdraw"' in profile


def test_the_profile_shows_masked_numbers_registrations_hours_language_and_log_out(client, tree):
    from nuanxin.registry.models import Worker
    from tests.factories import UserFactory

    user = UserFactory(phone="13912345678", name="骑手小周")
    Worker.objects.create(
        user=user, name="骑手小周", phone="13912345678", id_number="440802199001011234",
        occupation="rider", region=tree["A1a"],
    )  # fmt: skip
    client.force_login(user)

    home = client.get("/").content.decode()
    html = client.get("/accounts/profile/").content.decode()

    assert 'href="/accounts/profile/"' in home
    assert "139****5678" in html and "13912345678" not in html
    assert "440802199001011234" not in html and "1234" in html
    assert 'href="/registry/me/"' in html and 'href="/volunteer/mine/"' in html
    assert 'name="language" value="en"' in html and 'action="/accounts/logout/"' in html


def test_the_profile_is_for_logged_in_users(client):
    response = client.get("/accounts/profile/")

    assert response.status_code == 302 and "/accounts/login/" in response.url
