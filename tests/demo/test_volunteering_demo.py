import pytest
from django.utils import timezone

from nuanxin.accounts.models import User
from nuanxin.points.selectors import balance_of
from nuanxin.volunteering import stats
from nuanxin.volunteering.models import (
    Attendance,
    Award,
    Claim,
    Project,
    ProjectKind,
    Requirement,
)
from tests.points.factories import assert_ledger_clean


def _street_codes(*names):
    return [
        p.street.code for p in Project.objects.select_related("street") if p.street.name in names
    ]


@pytest.mark.django_db
def test_the_two_streets_show_35_riders_and_600_plus_leaflets(demo_city):
    """The article's figures are those of the two streets' leaflet drive (随手派): 35 riders
    and 600+ leaflets. 城南 also has the red-orange livestream (随时推, ``demo.channels``),
    whose streamers the figure does not count."""
    admin = User.objects.get(phone="13800000001")
    codes = sorted(set(_street_codes("城南街道", "新园街道")))

    drive = stats.StatsFilter(streets=codes, kind=ProjectKind.LEAFLETS)
    rows, total = stats.street_stats(admin, drive)

    assert [row["street"] for row in rows] == ["霞山区新园街道", "廉江市城南街道"]
    assert total["people"] == 35
    assert total["leaflets"] >= 600
    assert sum(row["people"] for row in rows) == 35


@pytest.mark.django_db
def test_the_drivers_branch_leads_party_first_projects_in_shawan(demo_city):
    projects = Project.objects.filter(street__name="沙湾街道")

    assert projects.count() == 2
    assert set(projects.values_list("requirement", flat=True)) == {Requirement.PARTY_FIRST}
    assert Attendance.objects.filter(project__in=projects, outcome="full").count() > 10


@pytest.mark.django_db
def test_every_verified_attendance_was_paid_once_and_the_ledger_balances(demo_city):
    served = Attendance.objects.filter(outcome__in=["full", "partial"])

    assert served.exists()
    assert Award.objects.filter(status="pending").count() == 0
    assert all(a.points_awarded > 0 for a in served)
    assert Award.objects.count() == served.count()
    assert balance_of(User.objects.get(phone="13800000007")).available > 0
    assert_ledger_clean()


@pytest.mark.django_db
def test_upcoming_sessions_have_claims_and_a_waiting_list(demo_city):
    assert Claim.objects.filter(status="waitlisted").count() >= 1
    assert Claim.objects.filter(session__starts_at__gt=timezone.now(), status="claimed").exists()


@pytest.mark.django_db
def test_demo_staff_can_log_in_and_are_listed(demo_city):
    listed = {phone for _role, _name, phone in demo_city.credentials}

    assert {"13700000001", "13700000002", "13700000003"} <= listed
    assert User.objects.get(phone="13700000001").has_usable_password()
