import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.reports.models import Category
from tests.factories import staff
from tests.reports import factories as f

pytestmark = pytest.mark.django_db


def test_city_admin_changes_a_category_through_the_service(client, tree):
    admin_user = staff(Role.CITY_ADMIN, tree.city)
    category = Category.objects.get(code="manhole")
    client.force_login(admin_user)
    page = client.get(f"/admin/reports/category/{category.pk}/change/")

    response = client.post(
        f"/admin/reports/category/{category.pk}/change/",
        {
            "name": "井盖缺失",
            "group": "道路与设施",
            "description": "",
            "keywords": "",
            "points": "12",
            "department": "",
            "questions": "[]",
            "handling_hours": "12",
            "sort_order": "5",
            "is_active": "on",
        },
    )

    assert page.status_code == 200
    assert response.status_code == 302, response.content.decode()[:2000]
    category.refresh_from_db()
    assert (category.points, category.handling_hours, category.name) == (12, 12, "井盖缺失")
    assert AuditLog.objects.filter(action="reports.category_save", actor=admin_user).exists()


def test_community_staff_may_look_at_categories_but_not_change_them(client, tree):
    client.force_login(f.community_staff(tree))
    category = Category.objects.get(code="manhole")

    listing = client.get("/admin/reports/category/")
    change = client.post(f"/admin/reports/category/{category.pk}/change/", {"points": "99"})

    assert listing.status_code == 200
    assert change.status_code == 403
    category.refresh_from_db()
    assert category.points == 10


def test_report_admin_lists_only_my_area_with_the_reporter_masked(client, tree, reporter):
    mine = f.submitted(tree, reporter=reporter, description="本社区")
    f.submitted(tree, point=f.IN_A1B_1, description="隔壁")
    client.force_login(f.community_staff(tree))

    html = client.get("/admin/reports/report/").content.decode()
    detail = client.get(f"/admin/reports/report/{mine.pk}/change/").content.decode()

    assert f">{mine.pk}<" in html and html.count('class="action-select"') == 1
    assert reporter.phone not in html and reporter.masked_phone in html
    assert reporter.phone not in detail
