import pytest

from nuanxin.accounts.models import Role, User
from nuanxin.core.models import AuditLog
from tests.factories import UserFactory, staff

pytestmark = pytest.mark.django_db


def test_admin_is_branded_and_in_chinese(client, tree):
    client.force_login(staff(Role.CITY_ADMIN, tree.city))

    html = client.get("/admin/").content.decode()

    assert "暖新 · 管理后台" in html
    assert "区域" in html and "用户" in html


def test_worker_cannot_enter_the_admin(client):
    client.force_login(UserFactory())

    assert client.get("/admin/").status_code == 302


def test_admin_region_list_is_scoped_to_the_jurisdiction(client, tree):
    client.force_login(staff(Role.STREET_ADMIN, tree["A1"]))

    html = client.get("/admin/geo/region/?all=").content.decode()

    assert "A1a社区" in html and "A1b社区" in html
    assert "B1a社区" not in html and "A2a社区" not in html


def test_admin_cannot_open_a_user_outside_the_jurisdiction(client, tree):
    client.force_login(staff(Role.STREET_ADMIN, tree["A1"]))
    outsider = UserFactory(region=tree["B1a"])

    response = client.get(f"/admin/accounts/user/{outsider.pk}/change/")

    assert response.status_code == 302  # Django admin redirects a missing object to the index


def test_admin_user_list_shows_masked_phones(client, tree):
    client.force_login(staff(Role.COUNTY_ADMIN, tree["A"]))
    UserFactory(phone="13911112222", region=tree["A1a"])

    html = client.get("/admin/accounts/user/").content.decode()

    assert "139****2222" in html
    assert "13911112222" not in html


def test_admin_creates_staff_through_the_service(client, tree):
    admin_user = staff(Role.STREET_ADMIN, tree["A1"])
    client.force_login(admin_user)

    response = client.post(
        "/admin/accounts/user/add/",
        {
            "phone": "137 0000 1111",
            "name": "新同事",
            "role": "community_staff",
            "region": tree["A1a"].pk,
            "password": "",
        },
    )

    assert response.status_code == 302
    created = User.objects.get(phone="13700001111")
    assert created.role == Role.COMMUNITY_STAFF
    assert AuditLog.objects.filter(action="user.create", actor=admin_user).exists()


def test_admin_add_with_mismatched_role_shows_an_error_and_creates_nothing(client, tree):
    client.force_login(staff(Role.STREET_ADMIN, tree["A1"]))

    response = client.post(
        "/admin/accounts/user/add/",
        {"phone": "13700001111", "name": "x", "role": "county_admin", "region": tree["A1a"].pk},
    )

    assert response.status_code == 200
    assert "该角色必须绑定到对应层级的区域。" in response.content.decode()
    assert not User.objects.filter(phone="13700001111").exists()


ROLE_REGIONS = {
    Role.WORKER: "A1a",
    Role.STATION_KEEPER: "A1a",
    Role.ENTERPRISE_LIAISON: "A1a",
    Role.COMMUNITY_STAFF: "A1a",
    Role.STREET_ADMIN: "A1",
    Role.COUNTY_ADMIN: "A",
    Role.CITY_ADMIN: "city",
}


@pytest.mark.parametrize("role", [*ROLE_REGIONS, "superuser"])
def test_every_admin_list_and_add_page_answers_every_role_without_a_server_error(
    client, tree, role
):
    from django.contrib import admin

    if role == "superuser":
        user = UserFactory(is_superuser=True, role=Role.CITY_ADMIN, region=tree.city)
    else:
        user = staff(role, tree[ROLE_REGIONS[role]])
    client.force_login(user)
    failures = []
    for model in admin.site._registry:
        opts = model._meta
        for page in ("changelist", "add"):
            url = f"/admin/{opts.app_label}/{opts.model_name}/" + ("add/" if page == "add" else "")
            status = client.get(url).status_code
            if status >= 500:
                failures.append((url, status))
    assert failures == []
