import pytest

from nuanxin.reports.models import State
from nuanxin.reports.selectors import reports_nearby
from tests.reports import factories as f

pytestmark = pytest.mark.django_db

# 0.001 degrees of latitude is about 111 m.
BASE = f.IN_A1A_1


def at(dlat_m: float) -> tuple[float, float]:
    return (BASE[0], BASE[1] + dlat_m / 111_320)


def test_open_reports_of_the_same_category_within_the_radius_are_found_nearest_first(tree, cat):
    far = f.submitted(tree, cat=cat, point=at(400))
    near = f.submitted(tree, cat=cat, point=at(50))
    nearer = f.submitted(tree, cat=cat, point=at(10))
    f.submitted(tree, cat=f.category(), point=at(5))  # another category

    found = reports_nearby(category=cat, lon=BASE[0], lat=BASE[1])

    assert [n.report for n in found] == [nearer, near]
    assert found[0].distance_m == pytest.approx(10, abs=0.5)
    assert far not in [n.report for n in found]


def test_radius_is_configurable(tree, cat, settings):
    settings.REPORTS_NEARBY_RADIUS_M = 500
    far = f.submitted(tree, cat=cat, point=at(400))

    assert [n.report for n in reports_nearby(category=cat, lon=BASE[0], lat=BASE[1])] == [far]
    assert reports_nearby(category=cat, lon=BASE[0], lat=BASE[1], radius_m=300) == []


def test_closed_rejected_and_duplicate_reports_are_not_offered(tree, cat):
    for state in (State.CLOSED, State.REJECTED, State.DUPLICATE, State.RESOLVED):
        report = f.submitted(tree, cat=cat, point=at(20))
        report.state = state
        report.save()

    assert reports_nearby(category=cat, lon=BASE[0], lat=BASE[1]) == []


def test_box_corner_outside_the_circle_is_left_out(tree, cat):
    # 200 m north and 200 m east is inside the 250 m box but 283 m away.
    lon = BASE[0] + 200 / (111_320 * 0.9336)
    f.submitted(tree, cat=cat, point=(lon, BASE[1] + 200 / 111_320))

    assert reports_nearby(category=cat, lon=BASE[0], lat=BASE[1]) == []
