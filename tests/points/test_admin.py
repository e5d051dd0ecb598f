import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.points import services
from nuanxin.points.models import Adjustment, AdjustmentStatus, Entry, EntryKind
from tests.factories import staff
from tests.points.factories import city_admin, funded_pool, worker_with_points

pytestmark = pytest.mark.django_db


def test_account_list_is_scoped_and_shows_budget_use(client, tree):
    funded_pool(tree, "A1a", 500)
    funded_pool(tree, "B1a", 300)
    client.force_login(staff(Role.STREET_ADMIN, tree["A1"]))

    html = client.get("/admin/points/account/?kind__exact=community_pool").content.decode()

    assert "A1a社区" in html and "B1a社区" not in html
    assert "累计转入" in html


def test_entry_list_is_scoped(client, tree):
    _inside, _ = worker_with_points(tree, 10, "A1a")
    worker_with_points(tree, 10, "B1a")
    client.force_login(staff(Role.COMMUNITY_STAFF, tree["A1a"]))

    html = client.get("/admin/points/entry/").content.decode()

    assert html.count("随手拍审核通过") == 1


def test_admin_adjustment_goes_through_the_service_once(client, tree):
    _person, account = worker_with_points(tree, 10)
    pool = funded_pool(tree, "A1a", 100)
    officer = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    client.force_login(officer)
    url = f"/admin/points/account/{account.pk}/adjust/"
    form = {"transfer_id": "admin-form-1", "amount": "7", "reason": "活动补发"}

    assert client.get(url).status_code == 200
    first = client.post(url, form)
    second = client.post(url, form)

    assert first.status_code == second.status_code == 302
    account.refresh_from_db()
    pool.refresh_from_db()
    assert (account.posted, pool.posted) == (17, 93)
    assert Entry.objects.filter(kind=EntryKind.ADJUSTMENT).count() == 1
    assert AuditLog.objects.filter(action="points.manual_adjust", actor=officer).exists()


def test_admin_large_adjustment_waits_and_a_street_admin_approves_it(client, tree, settings):
    settings.POINTS_ADJUSTMENT_APPROVAL_ABOVE = 100
    _person, account = worker_with_points(tree, 10)
    funded_pool(tree, "A1a", 500)
    officer = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    client.force_login(officer)
    form = {"transfer_id": "admin-form-big", "amount": "300", "reason": "暴雨补贴"}

    response = client.post(f"/admin/points/account/{account.pk}/adjust/", form, follow=True)

    assert "已提交上级审批" in response.content.decode()
    adjustment = Adjustment.objects.get()
    assert adjustment.status == AdjustmentStatus.PENDING
    decide = f"/admin/points/adjustment/{adjustment.pk}/decide/"
    own = client.post(decide, {"note": "", "approve": "1"})
    assert "不能审批自己提交的调整" in own.content.decode()

    client.force_login(staff(Role.STREET_ADMIN, tree["A1"]))
    assert "暴雨补贴" in client.get("/admin/points/adjustment/").content.decode()
    done = client.post(decide, {"note": "同意", "approve": "1"})

    assert done.status_code == 302
    account.refresh_from_db()
    assert account.posted == 310
    client.force_login(staff(Role.STREET_ADMIN, tree["A2"]))
    assert client.get(decide).status_code == 404


def test_admin_adjustment_needs_a_reason(client, tree):
    _person, account = worker_with_points(tree, 10)
    client.force_login(staff(Role.COMMUNITY_STAFF, tree["A1a"]))

    response = client.post(
        f"/admin/points/account/{account.pk}/adjust/",
        {"transfer_id": "f-2", "amount": "7", "reason": "  "},
    )

    assert response.status_code == 200
    assert not Entry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()


def test_admin_cannot_adjust_a_worker_of_the_next_community(client, tree):
    _person, account = worker_with_points(tree, 10, "A1b")
    client.force_login(staff(Role.COMMUNITY_STAFF, tree["A1a"]))

    response = client.get(f"/admin/points/account/{account.pk}/adjust/")

    assert response.status_code == 404


def test_city_admin_edits_the_policy_through_the_service(client, tree):
    admin_user = city_admin(tree)
    policy = services.current_policy()
    client.force_login(admin_user)
    data = {
        "checkin_points": "3",
        "volunteer_points_per_hour": "10",
        "daily_cap": "100",
        "monthly_cap": "1000",
        "volunteer_cap_per_activity": "80",
        "expiry_years": "",
    }

    response = client.post(f"/admin/points/earningpolicy/{policy.pk}/change/", data)

    assert response.status_code == 302
    assert services.current_policy().checkin_points == 3
    assert AuditLog.objects.filter(action="points.policy_update", actor=admin_user).exists()


def test_county_admin_cannot_edit_the_policy(client, tree):
    policy = services.current_policy()
    client.force_login(staff(Role.COUNTY_ADMIN, tree["A"]))

    response = client.post(
        f"/admin/points/earningpolicy/{policy.pk}/change/", {"checkin_points": "9"}
    )

    assert response.status_code == 403
    assert services.current_policy().checkin_points == 2
