import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.points import services
from tests.factories import staff
from tests.helpers import error_code
from tests.points.factories import city_admin

pytestmark = pytest.mark.django_db


def test_city_admin_changes_the_policy_and_it_is_audited(tree):
    admin = city_admin(tree)

    policy = services.policy_update(actor=admin, checkin_points=5, daily_cap=None)

    assert (policy.checkin_points, policy.daily_cap, policy.updated_by) == (5, None, admin)
    audit = AuditLog.objects.get(action="points.policy_update")
    assert audit.before["checkin_points"] == 2 and audit.after["checkin_points"] == 5
    assert audit.before["daily_cap"] == 100 and audit.after["daily_cap"] is None


def test_an_unchanged_policy_writes_no_audit_row(tree):
    services.policy_update(actor=city_admin(tree), checkin_points=2)

    assert not AuditLog.objects.filter(action="points.policy_update").exists()


def test_county_admin_cannot_change_the_policy(tree):
    county_admin = staff(Role.COUNTY_ADMIN, tree["A"])

    assert error_code(lambda: services.policy_update(actor=county_admin, checkin_points=5)) == (
        "points.policy_forbidden"
    )
    assert services.current_policy().checkin_points == 2


@pytest.mark.parametrize(
    "fields",
    [
        {"checkin_points": -1},
        {"checkin_points": None},
        {"daily_cap": "100"},
        {"expiry_years": 0},
        {"volunteer_points_per_hour": 1.5},
    ],
)
def test_bad_policy_values_are_refused(tree, fields):
    assert error_code(lambda: services.policy_update(actor=city_admin(tree), **fields)) == (
        "points.bad_policy_value"
    )


def test_unknown_policy_field_is_refused(tree):
    assert error_code(lambda: services.policy_update(actor=city_admin(tree), bonus=1)) == (
        "points.unknown_policy_field"
    )
