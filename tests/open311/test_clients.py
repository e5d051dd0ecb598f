"""Client applications: registered by city admins, keys shown once and stored hashed."""

import hashlib
import re

import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.errors import ApplicationError
from nuanxin.core.models import AuditLog
from nuanxin.open311 import services
from nuanxin.open311.models import ClientApplication
from nuanxin.open311.selectors import client_by_key
from tests.factories import staff
from tests.reports import factories as rf

pytestmark = pytest.mark.django_db

KEY_RE = re.compile(r"nx311_[A-Za-z0-9_-]{43}")


@pytest.fixture
def city_admin(tree):
    return staff(Role.CITY_ADMIN, tree.city)


def test_a_city_admin_registers_a_client_and_gets_the_key_once(city_admin):
    client, key = services.client_create(
        actor=city_admin, code="hotline", name="12345 热线", contact_name="王工"
    )

    assert KEY_RE.fullmatch(key)
    stored = ClientApplication.objects.get()
    assert stored.key_digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(stored.__dict__) and stored.key_prefix == key[:12]
    assert stored.created_by == city_admin and stored.client_id == "open311:hotline"
    assert client_by_key(key) == client
    audit = AuditLog.objects.get(action="open311.client_create")
    assert audit.actor == city_admin and key not in str(audit.after)


@pytest.mark.parametrize("role_region", [(Role.COMMUNITY_STAFF, "A1a"), (Role.COUNTY_ADMIN, "A")])
def test_only_city_level_staff_manage_clients(tree, role_region):
    role, region = role_region
    someone = staff(role, tree[region])
    client, _ = services.client_create(actor=None, code="x", name="X")

    with pytest.raises(ApplicationError) as create:
        services.client_create(actor=someone, code="y", name="Y")
    with pytest.raises(ApplicationError) as rotate:
        services.client_key_rotate(actor=someone, client=client)
    with pytest.raises(ApplicationError) as update:
        services.client_update(actor=someone, client=client, is_active=False)

    assert create.value.code == rotate.value.code == update.value.code == "open311.city_admin_only"
    assert ClientApplication.objects.count() == 1
    client.refresh_from_db()
    assert client.is_active


def test_a_code_is_used_once(city_admin):
    services.client_create(actor=city_admin, code="hotline", name="A")

    with pytest.raises(ApplicationError) as error:
        services.client_create(actor=city_admin, code="hotline", name="B")

    assert error.value.code == "open311.client_exists"
    assert ClientApplication.objects.count() == 1


def test_rotating_a_key_stops_the_old_one_at_once(city_admin):
    client, old = services.client_create(actor=city_admin, code="hotline", name="A")

    new = services.client_key_rotate(actor=city_admin, client=client)

    assert new != old and client_by_key(new) == client
    with pytest.raises(ApplicationError) as error:
        client_by_key(old)
    assert error.value.code == "open311.bad_api_key" and error.value.status == 403
    assert AuditLog.objects.filter(action="open311.client_key_rotate").count() == 1


def test_switching_a_client_off_refuses_its_key(city_admin):
    client, key = services.client_create(actor=city_admin, code="hotline", name="A")

    services.client_update(actor=city_admin, client=client, is_active=False, name="A（停用）")

    with pytest.raises(ApplicationError):
        client_by_key(key)
    client.refresh_from_db()
    assert client.name == "A（停用）"
    audit = AuditLog.objects.get(action="open311.client_update")
    assert audit.before["is_active"] is True and audit.after["is_active"] is False


def test_admin_add_shows_the_key_once_and_keeps_only_its_digest(client, city_admin):
    client.force_login(city_admin)

    response = client.post(
        "/admin/open311/clientapplication/add/",
        {
            "code": "zj12345",
            "name": "湛江12345热线",
            "contact_name": "王工",
            "contact_phone": "13800138000",
            "contact_email": "",
            "note": "",
            "is_active": "on",
            "can_submit": "on",
        },
        follow=True,
    )

    page = response.content.decode()
    (key,) = KEY_RE.findall(page)
    app = ClientApplication.objects.get()
    assert app.key_digest == hashlib.sha256(key.encode()).hexdigest()
    assert app.created_by == city_admin
    listing = client.get("/admin/open311/clientapplication/").content.decode()
    detail = client.get(f"/admin/open311/clientapplication/{app.pk}/change/").content.decode()
    assert key not in listing and key not in detail
    assert "138****8000" in listing and "13800138000" not in listing


def test_admin_action_rotates_keys_and_shows_the_new_one(client, city_admin):
    app, old = services.client_create(actor=city_admin, code="hotline", name="A")
    client.force_login(city_admin)

    response = client.post(
        "/admin/open311/clientapplication/",
        {"action": "rotate_key", "_selected_action": [app.pk]},
        follow=True,
    )

    (new,) = KEY_RE.findall(response.content.decode())
    assert new != old
    assert client_by_key(new) == app


def test_admin_edit_goes_through_the_service(client, city_admin):
    app, _ = services.client_create(actor=city_admin, code="hotline", name="A")
    client.force_login(city_admin)

    response = client.post(
        f"/admin/open311/clientapplication/{app.pk}/change/",
        {"name": "B", "contact_name": "", "contact_phone": "", "contact_email": "", "note": ""},
    )

    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.name, app.is_active, app.can_submit) == ("B", False, False)
    assert AuditLog.objects.filter(action="open311.client_update", actor=city_admin).exists()


def test_community_staff_cannot_see_client_applications_in_the_admin(client, tree):
    services.client_create(actor=None, code="hotline", name="A")
    client.force_login(rf.community_staff(tree))

    assert client.get("/admin/open311/clientapplication/").status_code == 403
    assert client.post("/admin/open311/clientapplication/add/", {"code": "x"}).status_code == 403
    assert ClientApplication.objects.count() == 1
