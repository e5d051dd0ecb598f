import pytest

from nuanxin.accounts.models import Role
from tests.factories import UserFactory, staff

pytestmark = pytest.mark.django_db


def _cards(html: str) -> str:
    start = html.index('class="cards"')
    return html[start : html.index("</ul>", start)]


def test_worker_home_shows_points_reports_stations_and_volunteering(client, tree):
    client.force_login(UserFactory(name="骑手小李", region=tree["A1a"]))

    cards = _cards(client.get("/").content.decode())

    for title in ["我的积分", "我的随手拍", "暖新驿站", "志愿服务"]:
        assert title in cards
    assert "/stations/?nearest=1" in cards or "?nearest=1" in cards
    assert "待审核问题" not in cards


def test_staff_home_shows_the_work_waiting_in_the_jurisdiction(client, tree):
    client.force_login(staff(Role.COMMUNITY_STAFF, tree["A1a"]))

    cards = _cards(client.get("/").content.decode())

    for title in ["待审核问题", "待审核报到", "待核验的志愿服务", "社区积分池余额", "辖区驿站"]:
        assert title in cards
    assert "我的积分" not in cards


def test_home_cards_count_only_the_users_own_area(client, tree):
    from tests.reports import factories as report_factories

    category = report_factories.category()
    for point in [report_factories.IN_A1A_1, report_factories.IN_A1A_2, (110.25, 21.05)]:
        report_factories.submitted(tree, cat=category, point=point)
    client.force_login(staff(Role.COMMUNITY_STAFF, tree["A1a"]))

    cards = _cards(client.get("/").content.decode())

    block = cards[cards.index("待审核问题") :]
    assert '<span class="figure">2<small>' in block


@pytest.mark.parametrize("role", [Role.WORKER, Role.COMMUNITY_STAFF])
def test_a_signed_in_home_does_not_repeat_the_navigation_as_tiles(client, tree, role):
    user = UserFactory(region=tree["A1a"]) if role == Role.WORKER else staff(role, tree["A1a"])
    client.force_login(user)

    html = client.get("/").content.decode()

    assert 'class="cards"' in html and 'class="tiles"' not in html


def test_a_visitor_sees_what_is_here_as_tiles(client, db):
    html = client.get("/").content.decode()

    assert 'class="tiles"' in html and 'class="cards"' not in html
