import pytest

from nuanxin.geo.models import RegionLevel
from nuanxin.geo.services import region_save
from nuanxin.reports.models import CategoryRoute
from nuanxin.reports.routing import route_department
from nuanxin.reports.selectors import QueueFilter, reports_queue
from tests.factories import box
from tests.reports import factories as f

pytestmark = pytest.mark.django_db


def test_report_next_door_goes_to_that_grid_and_community(tree, reporter, cat):
    report = f.submitted(tree, reporter=reporter, cat=cat, point=f.IN_A1B_1)

    assert report.region == tree["A1b-1"]
    assert report.community == tree["A1b"]


def test_report_in_a_community_without_grids_goes_to_the_community(tree, reporter, cat):
    community, _ = region_save(
        code="449901001099",
        name="无网格社区",
        level=RegionLevel.COMMUNITY,
        parent=tree["A1"],
        boundary=box(110.5, 21.5, 110.6, 21.6),
    )

    report = f.submitted(tree, reporter=reporter, cat=cat, point=(110.55, 21.55))

    assert report.region == community
    assert report.community == community


def test_area_route_overrides_the_category_department_in_that_area(tree, cat):
    default, local = f.department(), f.department()
    cat.department = default
    cat.save()
    CategoryRoute.objects.create(category=cat, region=tree["A1"], department=local)

    assert route_department(cat, tree["A1a-1"]) == local
    assert route_department(cat, tree["B1a-1"]) == default


def test_deepest_area_route_wins(tree, cat):
    street, community = f.department(), f.department()
    CategoryRoute.objects.create(category=cat, region=tree["A1"], department=street)
    CategoryRoute.objects.create(category=cat, region=tree["A1a"], department=community)

    assert route_department(cat, tree["A1a-2"]) == community
    assert route_department(cat, tree["A1b-2"]) == street


def test_staff_whose_jurisdiction_covers_the_report_see_it_in_their_queue(tree, reporter, cat):
    report = f.submitted(tree, reporter=reporter, cat=cat)
    own = f.community_staff(tree, "A1a")
    street = f.community_staff(tree, "A1a")
    street.role, street.region = "street_admin", tree["A1"]
    street.save()
    next_door = f.community_staff(tree, "A1b")

    assert list(reports_queue(own, QueueFilter(waiting=True))) == [report]
    assert list(reports_queue(street)) == [report]
    assert list(reports_queue(next_door)) == []
    assert list(reports_queue(reporter)) == []
