"""Who may use what: every operation of the API (from its OpenAPI document) and every page whose
URL names an object (from the URL resolver) x every role x the caller who holds the object and
the caller who does not, against the tables ``API`` and ``PAGES`` below.

A rule names the roles that may use an operation and on which objects: ``ANY`` (whatever the
object: public, or a list of the caller's own), ``OWN`` (only objects in the caller's
jurisdiction, or, for workers, their own). A role the rule does not name is refused.

How an answer is read:
- refused: 401, 403 or 404. For an operation with an object in its path, the refusal of a real
  object must be the very answer (status, code, message, extra) that a random missing id of
  the same shape gets: a refusal reveals nothing.
- allowed: anything else: 200/201, or a business refusal such as 400/409 with the service's
  own code (the service ran, object in hand: e.g. a report that is already accepted). A 422
  ``validation_error`` is never an outcome: the schema turned the body back before the view
  (where the role and the object are checked) ran, so the request proves nothing and fails.
- some services look the object up, then refuse with 404 for a second thing the body names
  (``PASSED``): that code is past authorisation.

An operation or page with no entry fails (``test_every_operation_has_a_rule``,
``test_every_page_with_an_object_has_a_rule``), and so does an entry for one that is gone.
The callers and objects are ``authz_world``'s.
"""

from typing import Any

import pytest
from django.test import override_settings

from nuanxin.accounts.models import Role
from tests.core import authz_calls as calls
from tests.core import test_refusals as refusals
from tests.core import test_refusals_pages as refusal_pages
from tests.core.authz_world import ANONYMOUS, CALLERS, ROLES, AuthzWorld, build_authz_world
from tests.demo_db import TEST_HASHERS
from tests.factories import build_tree

pytestmark = pytest.mark.django_db

ANY, OWN = "any", "own"
W, K, L = Role.WORKER, Role.STATION_KEEPER, Role.ENTERPRISE_LIAISON
C, S, Y, T = Role.COMMUNITY_STAFF, Role.STREET_ADMIN, Role.COUNTY_ADMIN, Role.CITY_ADMIN
REGION = (C, S, Y, T)
SIGNED_IN = (W, K, L, *REGION)


def rule(*groups: tuple[tuple[str, ...], str]) -> dict[str, str]:
    return {role: reach for roles, reach in groups for role in roles}


PUBLIC = rule(((ANONYMOUS, *SIGNED_IN), ANY))
ANYONE_SIGNED_IN = rule((SIGNED_IN, ANY))
REGION_STAFF = rule((REGION, ANY))
REGION_OWN = rule((REGION, OWN))
STAFF = rule(((K, L, *REGION), ANY))
CITY = rule(((T,), ANY))
WORKER_OWN = rule(((W,), OWN))

# Worker-owned objects: who owns the object the entry's path names (``refusal_world``).
WORKER_OWNERS = {"worker_2", "order_owner", "claim_owner", "party_member_b"}

# Codes a service answers only once the caller reached the object in the path.
PASSED = {
    # Wrong credentials, codes and QR tokens: answered to whoever may try them.
    "POST /api/v1/auth/login": {"accounts.bad_credentials"},
    "POST /api/v1/auth/sms/login": {"accounts.bad_sms_code"},
    "POST /api/v1/stations/checkin": {"stations.bad_qr"},
    # No exception is set for the date: the station was found and may be changed.
    "DELETE /api/v1/stations/{station_id}/exceptions/{date}": {"stations.no_exception"},
    # The phone names nobody: the session was found and may be recorded.
    "POST /api/v1/volunteering/staff/sessions/{session_id}/record": {
        "volunteering.worker_not_found"
    },
}
# Region staff who see the object (it is in their jurisdiction) and are refused an action on it
# for their level: a 403 that tells them nothing they cannot read.
LEVEL_REFUSALS = {
    "POST /api/v1/points/adjustments/{adjustment_id}/approve": {C},
    "POST /api/v1/points/adjustments/{adjustment_id}/reject": {C},
    "POST /api/v1/registry/campaigns/{campaign_id}/close": {C, S},
}


def _category(world: Any) -> str:
    from nuanxin.reports.models import Category

    return Category.objects.order_by("pk").first().code


def _buyer(world: Any) -> int:
    return world.people["order_owner"].pk


def _grid(world: Any) -> str:
    from nuanxin.geo.models import Region

    return Region.objects.get(parent__code=world.ids["region"], code__endswith="01").code


# Bodies that name an object outside the path: it is the world's (county B's), as the path's is.
BODIES: dict[str, Any] = {
    "POST /api/v1/points/adjustments": lambda w: {
        "transfer_id": "authz-1", "worker_id": _buyer(w), "amount": 5, "reason": "补发",
    },
    "POST /api/v1/reports/": lambda w: {
        "category": _category(w), "lon": 110.25, "lat": 21.05, "description": "占道",
    },
    "POST /api/v1/volunteering/staff/projects": lambda w: {
        "title": "送清凉", "region_code": w.ids["region"], "place_name": "驿站",
        "first_date": "2031-03-10", "start_time": "09:00", "end_time": "11:00", "places": 5,
    },
    "POST /api/v1/party/grid-members": lambda w: {
        "grid_code": _grid(w), "phone": w.people["worker_2"].phone, "on": "2031-03-10",
    },
    "PUT /api/v1/party/party-work": lambda w: {
        "phone": w.people["community_b"].phone, "granted": True,
    },
}  # fmt: skip

API: dict[str, dict[str, str]] = {
    "GET /api/v1/core/notifications": ANYONE_SIGNED_IN,
    "POST /api/v1/core/notifications/read": ANYONE_SIGNED_IN,
    "GET /api/v1/core/push/key": PUBLIC,
    "POST /api/v1/core/push/subscriptions": ANYONE_SIGNED_IN,
    "POST /api/v1/core/push/subscriptions/remove": ANYONE_SIGNED_IN,
    "GET /api/v1/geo/tree": PUBLIC,
    "GET /api/v1/geo/lookup": PUBLIC,
    "GET /api/v1/geo/locate": PUBLIC,
    "GET /api/v1/geo/geojson": PUBLIC,
    "GET /api/v1/geo/{code}": PUBLIC,
    "POST /api/v1/auth/login": {},
    "POST /api/v1/auth/sms/send": PUBLIC,
    "POST /api/v1/auth/sms/login": {},
    "POST /api/v1/auth/logout": ANYONE_SIGNED_IN,
    "GET /api/v1/auth/me": ANYONE_SIGNED_IN,
    "GET /api/v1/points/balance": ANYONE_SIGNED_IN,
    "GET /api/v1/points/history": ANYONE_SIGNED_IN,
    "GET /api/v1/points/rules": ANYONE_SIGNED_IN,
    "GET /api/v1/points/pools": REGION_STAFF,
    "GET /api/v1/points/accounts": REGION_STAFF,
    "POST /api/v1/points/adjustments": REGION_STAFF,
    "GET /api/v1/points/adjustments": REGION_STAFF,
    "GET /api/v1/points/adjustments/{adjustment_id}": REGION_OWN,
    "POST /api/v1/points/adjustments/{adjustment_id}/approve": rule(((S, Y, T), OWN)),
    "POST /api/v1/points/adjustments/{adjustment_id}/reject": rule(((S, Y, T), OWN)),
    "GET /api/v1/registry/campaigns": REGION_STAFF,
    "POST /api/v1/registry/campaigns": REGION_STAFF,
    "GET /api/v1/registry/campaigns/{campaign_id}": REGION_OWN,
    "POST /api/v1/registry/campaigns/{campaign_id}/close": rule(((Y, T), OWN)),
    "GET /api/v1/registry/campaigns/{campaign_id}/findings": REGION_OWN,
    "POST /api/v1/registry/campaigns/{campaign_id}/findings": REGION_OWN,
    "GET /api/v1/registry/template.xlsx": rule(((L, C, S, Y, T), ANY)),
    "POST /api/v1/registry/imports": rule(((L, C, S, Y, T), ANY)),
    "GET /api/v1/registry/imports/{job_id}": rule(((Y,), OWN)),
    "GET /api/v1/registry/imports/{job_id}/errors.xlsx": rule(((Y,), OWN)),
    "GET /api/v1/registry/export/enterprises.xlsx": rule(((L, C, S, Y, T), ANY)),
    "GET /api/v1/registry/export/workers.xlsx": rule(((L, C, S, Y, T), ANY)),
    "GET /api/v1/registry/enterprises": rule(((L, C, S, Y, T), ANY)),
    "POST /api/v1/registry/enterprises": REGION_STAFF,
    "GET /api/v1/registry/enterprises/{enterprise_id}": rule(((L, C, S, Y, T), OWN)),
    "PATCH /api/v1/registry/enterprises/{enterprise_id}": rule(((L, C, S, Y, T), OWN)),
    "GET /api/v1/registry/workers": rule(((L, C, S, Y, T), ANY)),
    "POST /api/v1/registry/workers": rule(((L, C, S, Y, T), ANY)),
    "GET /api/v1/registry/workers/{worker_id}": REGION_OWN,
    "PATCH /api/v1/registry/workers/{worker_id}": REGION_OWN,
    "POST /api/v1/registry/workers/{worker_id}/reveal": REGION_OWN,
    "GET /api/v1/registry/registrations": rule(((L, C, S, Y, T), ANY)),
    "POST /api/v1/registry/registrations": ANYONE_SIGNED_IN,
    "POST /api/v1/registry/registrations/{registration_id}/accept": REGION_OWN,
    "POST /api/v1/registry/registrations/{registration_id}/reject": REGION_OWN,
    "POST /api/v1/registry/registrations/{registration_id}/withdraw": REGION_OWN,
    "GET /api/v1/registry/stats": REGION_STAFF,
    "GET /api/v1/registry/me": ANYONE_SIGNED_IN,
    "POST /api/v1/registry/me/join": rule(((W,), ANY)),
    "GET /api/v1/stations/": PUBLIC,
    "POST /api/v1/stations/": REGION_STAFF,
    "GET /api/v1/stations/amenities": PUBLIC,
    "GET /api/v1/stations/nearest": PUBLIC,
    "GET /api/v1/stations/{station_id}": PUBLIC,
    "PATCH /api/v1/stations/{station_id}": rule(((K, C, S, Y, T), OWN)),
    "GET /api/v1/stations/managed": STAFF,
    "PUT /api/v1/stations/{station_id}/hours": rule(((K, C, S, Y, T), OWN)),
    "PUT /api/v1/stations/{station_id}/exceptions/{date}": rule(((K, C, S, Y, T), OWN)),
    "DELETE /api/v1/stations/{station_id}/exceptions/{date}": rule(((K, *REGION), OWN)),
    "POST /api/v1/stations/{station_id}/status": rule(((K, C, S, Y, T), OWN)),
    "GET /api/v1/stations/{station_id}/qr": rule(((K, C, S, Y, T), OWN)),
    "GET /api/v1/stations/{station_id}/live-code": rule(((K, C, S, Y, T), OWN)),
    "POST /api/v1/stations/{station_id}/qr/rotate": rule(((K, C, S, Y, T), OWN)),
    "POST /api/v1/stations/{station_id}/photos": rule(((K, C, S, Y, T), OWN)),
    "DELETE /api/v1/stations/{station_id}/photos/{photo_id}": rule(((K, C, S, Y, T), OWN)),
    "POST /api/v1/stations/import": STAFF,
    "GET /api/v1/stations/import/template": STAFF,
    "GET /api/v1/stations/export": STAFF,
    "GET /api/v1/stations/stats/visits": STAFF,
    "POST /api/v1/stations/checkin": {},
    "GET /api/v1/stations/visits/mine": ANYONE_SIGNED_IN,
    "GET /api/v1/reports/categories": PUBLIC,
    "GET /api/v1/reports/departments": ANYONE_SIGNED_IN,
    "GET /api/v1/reports/public": PUBLIC,
    "GET /api/v1/reports/photos/{photo_id}": rule(((W, C, S, Y, T), OWN)),
    "GET /api/v1/reports/nearby": ANYONE_SIGNED_IN,
    "POST /api/v1/reports/": ANYONE_SIGNED_IN,
    "POST /api/v1/reports/{report_id}/photos": WORKER_OWN,
    "GET /api/v1/reports/mine": ANYONE_SIGNED_IN,
    "GET /api/v1/reports/mine/{report_id}": WORKER_OWN,
    "POST /api/v1/reports/{report_id}/support": {},
    "POST /api/v1/reports/{report_id}/reopen": WORKER_OWN,
    "GET /api/v1/reports/queue": REGION_STAFF,
    "GET /api/v1/reports/{report_id}": REGION_OWN,
    "POST /api/v1/reports/{report_id}/accept": REGION_OWN,
    "POST /api/v1/reports/{report_id}/reject": REGION_OWN,
    "POST /api/v1/reports/{report_id}/duplicate": REGION_OWN,
    "POST /api/v1/reports/{report_id}/dispatch": REGION_OWN,
    "POST /api/v1/reports/{report_id}/resolve": REGION_OWN,
    "POST /api/v1/reports/{report_id}/close": REGION_OWN,
    "POST /api/v1/reports/{report_id}/reassign": REGION_OWN,
    "POST /api/v1/reports/{report_id}/assign": REGION_OWN,
    "POST /api/v1/reports/{report_id}/edit": REGION_OWN,
    "POST /api/v1/reports/{report_id}/public-hidden": REGION_OWN,
    "POST /api/v1/reports/{report_id}/reporter": REGION_OWN,
    "POST /api/v1/reports/photos/{photo_id}/hide": REGION_OWN,
    "POST /api/v1/reports/bulk/accept": REGION_STAFF,
    "POST /api/v1/reports/bulk/reject": REGION_STAFF,
    "GET /api/v1/reports/templates": ANYONE_SIGNED_IN,
    "GET /api/v1/store/shops": ANYONE_SIGNED_IN,
    "GET /api/v1/store/shops/{station_id}": ANYONE_SIGNED_IN,
    "GET /api/v1/store/items": ANYONE_SIGNED_IN,
    "POST /api/v1/store/orders": rule(((W,), ANY)),
    "GET /api/v1/store/orders": ANYONE_SIGNED_IN,
    "GET /api/v1/store/orders/{order_id}": WORKER_OWN,
    "POST /api/v1/store/orders/{order_id}/cancel": WORKER_OWN,
    "POST /api/v1/store/staff/pickup/lookup": rule(((K, *REGION), ANY)),
    "POST /api/v1/store/staff/pickup/confirm": rule(((K, *REGION), ANY)),
    "GET /api/v1/store/staff/orders": STAFF,
    "POST /api/v1/store/staff/orders/{order_id}/cancel": rule(((K, C, S, Y, T), OWN)),
    "GET /api/v1/store/staff/shops": STAFF,
    "POST /api/v1/store/staff/shops": REGION_STAFF,
    "PATCH /api/v1/store/staff/shops/{station_id}": rule(((K, C, S, Y, T), OWN)),
    "GET /api/v1/store/staff/stock": STAFF,
    "POST /api/v1/store/staff/stock/restock": rule(((K, *REGION), ANY)),
    "POST /api/v1/store/staff/stock/remove": rule(((K, *REGION), ANY)),
    "GET /api/v1/store/staff/items": STAFF,
    "POST /api/v1/store/staff/items": CITY,
    "PATCH /api/v1/store/staff/items/{item_id}": CITY,
    "POST /api/v1/store/staff/items/{item_id}/picture": CITY,
    "GET /api/v1/store/staff/report": STAFF,
    "GET /api/v1/store/staff/report.xlsx": STAFF,
    "GET /api/v1/volunteering/projects": ANYONE_SIGNED_IN,
    "GET /api/v1/volunteering/projects/{project_id}": {},
    "POST /api/v1/volunteering/sessions/{session_id}/claim": {},
    "GET /api/v1/volunteering/claims/mine": ANYONE_SIGNED_IN,
    "POST /api/v1/volunteering/claims/{claim_id}/withdraw": WORKER_OWN,
    "POST /api/v1/volunteering/check-in": rule(((W,), ANY)),
    "POST /api/v1/volunteering/check-out": rule(((W,), ANY)),
    "POST /api/v1/volunteering/attendances/{attendance_id}/quantity": WORKER_OWN,
    "GET /api/v1/volunteering/me/hours": ANYONE_SIGNED_IN,
    "GET /api/v1/volunteering/staff/projects": STAFF,
    "POST /api/v1/volunteering/staff/projects": REGION_STAFF,
    "PATCH /api/v1/volunteering/staff/projects/{project_id}": REGION_OWN,
    "POST /api/v1/volunteering/staff/projects/{project_id}/publish": REGION_OWN,
    "POST /api/v1/volunteering/staff/projects/{project_id}/close": REGION_OWN,
    "POST /api/v1/volunteering/staff/projects/{project_id}/cancel": REGION_OWN,
    "GET /api/v1/volunteering/staff/sessions/{session_id}/sheet": REGION_OWN,
    "POST /api/v1/volunteering/staff/sessions/{session_id}/record": REGION_OWN,
    "POST /api/v1/volunteering/staff/sessions/{session_id}/promote": REGION_OWN,
    "POST /api/v1/volunteering/staff/sessions/{session_id}/codes/{code}/check-in": REGION_OWN,
    "POST /api/v1/volunteering/staff/sessions/{session_id}/codes/{code}/check-out": REGION_OWN,
    "POST /api/v1/volunteering/staff/claims/{claim_id}/verify": REGION_OWN,
    "POST /api/v1/volunteering/staff/claims/{claim_id}/cancel": REGION_OWN,
    "POST /api/v1/volunteering/staff/attendances/{attendance_id}/correct": REGION_OWN,
    "POST /api/v1/volunteering/staff/awards/{award_id}/retry": REGION_OWN,
    "GET /api/v1/volunteering/staff/stats/streets": STAFF,
    "GET /api/v1/volunteering/staff/stats/projects": STAFF,
    "GET /api/v1/volunteering/staff/stats/workers": STAFF,
    "GET /api/v1/volunteering/staff/stats/export.xlsx": STAFF,
    "GET /api/v1/party/organisations": REGION_STAFF,
    "POST /api/v1/party/organisations": REGION_STAFF,
    "GET /api/v1/party/organisations/{org_id}": rule(((S, Y, T), OWN)),
    "POST /api/v1/party/organisations/{org_id}/end": rule(((S, Y, T), OWN)),
    "GET /api/v1/party/organisations/{org_id}/members": rule(((S, Y, T), OWN)),
    "POST /api/v1/party/organisations/{org_id}/members": rule(((S, Y, T), OWN)),
    "POST /api/v1/party/memberships/{membership_id}/transfer": rule(((S, Y, T), OWN)),
    "POST /api/v1/party/memberships/{membership_id}/end": rule(((S, Y, T), OWN)),
    "GET /api/v1/party/coverage": REGION_STAFF,
    "GET /api/v1/party/coverage/monthly": REGION_STAFF,
    "GET /api/v1/party/must-set-up": REGION_STAFF,
    "GET /api/v1/party/organisations/{org_id}/meetings": rule(((S, Y, T), OWN)),
    "POST /api/v1/party/organisations/{org_id}/meetings": rule(((S, Y, T), OWN)),
    "POST /api/v1/party/meetings/{meeting_id}/minutes": rule(((S, Y, T), OWN)),
    "GET /api/v1/party/organisations/{org_id}/life": rule(((S, Y, T), OWN)),
    "GET /api/v1/party/committee/departments": REGION_STAFF,
    "POST /api/v1/party/committee/departments": CITY,
    "GET /api/v1/party/committee/action-items": REGION_STAFF,
    "POST /api/v1/party/committee/departments/{department_id}/leave": CITY,
    "POST /api/v1/party/committee/meetings": CITY,
    "POST /api/v1/party/committee/meetings/{committee_meeting_id}/action-items": CITY,
    "POST /api/v1/party/committee/action-items/{action_item_id}/status": CITY,
    "GET /api/v1/party/me/badge": ANYONE_SIGNED_IN,
    "PUT /api/v1/party/me/badge": rule(((W,), ANY)),
    "GET /api/v1/party/me/meetings": ANYONE_SIGNED_IN,
    "POST /api/v1/party/meetings/{meeting_id}/sign-in": WORKER_OWN,
    "POST /api/v1/party/meetings/{meeting_id}/absence": WORKER_OWN,
    "GET /api/v1/party/industry-figures": REGION_STAFF,
    "POST /api/v1/party/industry-figures": REGION_STAFF,
    "POST /api/v1/party/industry-figures/import": REGION_STAFF,
    "GET /api/v1/party/industry-figures/series": REGION_STAFF,
    "GET /api/v1/party/mass-organisations": REGION_STAFF,
    "POST /api/v1/party/mass-organisations": REGION_STAFF,
    "GET /api/v1/party/mass-organisations/{mass_id}/members": REGION_OWN,
    "POST /api/v1/party/mass-organisations/{mass_id}/members": REGION_OWN,
    "POST /api/v1/party/mass-organisations/{mass_id}/union-sync": REGION_OWN,
    "POST /api/v1/party/mass-memberships/{mass_membership_id}/leave": REGION_OWN,
    "POST /api/v1/party/mass-organisations/{mass_id}/end": REGION_OWN,
    "GET /api/v1/party/instructors": REGION_STAFF,
    "POST /api/v1/party/instructors": REGION_STAFF,
    "POST /api/v1/party/instructors/{instructor_id}/end": REGION_OWN,
    "POST /api/v1/party/organisations/{org_id}/officers": rule(((S, Y, T), OWN)),
    "POST /api/v1/party/officers/{officer_id}/end": rule(((S, Y, T), OWN)),
    "POST /api/v1/party/meetings/{meeting_id}/cancel": rule(((S, Y, T), OWN)),
    "POST /api/v1/party/memberships/{membership_id}/kind": rule(((S, Y, T), OWN)),
    "POST /api/v1/party/memberships/{membership_id}/mobile": rule(((S, Y, T), OWN)),
    "PUT /api/v1/party/organisations/{org_id}/covered": rule(((S, Y, T), OWN)),
    "GET /api/v1/party/grid-members": REGION_STAFF,
    "POST /api/v1/party/grid-members": REGION_STAFF,
    "GET /api/v1/party/party-work": REGION_STAFF,
    "POST /api/v1/party/grid-members/{grid_member_id}/leave": REGION_OWN,
    "PUT /api/v1/party/party-work": rule(((S, Y, T), ANY)),
    "GET /api/v1/coverage/summary": rule(((S, Y, T), ANY)),
    "GET /api/v1/coverage/map": rule(((S, Y, T), ANY)),
    "GET /api/v1/coverage/roads": ANYONE_SIGNED_IN,
    "POST /api/v1/coverage/siting": rule(((S, Y, T), ANY)),
    "POST /api/v1/coverage/minimum": rule(((S, Y, T), ANY)),
    "GET /api/v1/dashboard/figures": REGION_STAFF,
    "GET /api/v1/dashboard/charts": REGION_STAFF,
    "GET /api/v1/dashboard/overview": REGION_STAFF,
    "GET /api/v1/dashboard/map": REGION_STAFF,
    "GET /api/v1/dashboard/public": PUBLIC,
}


@pytest.fixture(scope="module")
def authz(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module in a transaction rolled back at its end; every
    request then runs in a savepoint of its own (``authz_calls.ask``)."""
    from django.db import transaction

    media = tmp_path_factory.mktemp("authz-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=TEST_HASHERS),
        pytest.MonkeyPatch.context() as patch,
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_authz_world(build_tree(), patch), media
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(authz: tuple[AuthzWorld, Any], settings: Any) -> AuthzWorld:
    settings.MEDIA_ROOT = authz[1]
    return authz[0]


OPERATIONS = calls.api_operations()


def test_every_operation_has_a_rule() -> None:
    listed = {operation.key for operation in OPERATIONS}
    assert sorted(listed - set(API)) == [], "add a rule to API for each new operation"
    assert sorted(set(API) - listed) == [], "these rules name operations that are gone"
    unknown = [(k, r) for k, roles in API.items() for r in roles if r not in ROLES]
    assert unknown == []


def _caller(role: str, owner: str | None, inside: bool) -> str | None:
    holder, other = CALLERS[role]
    if role == Role.WORKER and inside and owner in WORKER_OWNERS:
        return owner
    return holder if inside else other


def _request(world: AuthzWorld, operation: calls.Operation, who: str | None, missing: bool):
    w = world.world
    ids: list[str] = []
    if operation.names:
        case = refusals.CASES[operation.key]
        url = refusals._url(w, operation.path, list(operation.names), case, missing)
        body = case.body(w) if callable(case.body) else case.body
        form = bool(case.files)
        if case.files:
            body = {**(body or {}), **case.files}
        app = operation.path.split("/")[3]
        for name in operation.names:
            if (app, name) != ("stations", "date"):
                kind = case.kinds.get(name) or refusals.KINDS[(app, name)]
                ids.append(str(w.missing(kind) if missing else w.ids[kind]))
    else:
        url = operation.path
        body, form = calls.schema_body(operation, w)
        if operation.key in BODIES:
            body = {**(body or {}), **BODIES[operation.key](w)}
        if operation.method == "GET":
            body = calls.query_string(operation, w) or None
    return calls.ask(
        world.api_client,
        operation.method,
        url,
        body=body,
        form=form,
        headers=world.bearer(who),
        ids=ids,
    )


def _past_authorisation(answer: calls.Answer, key: str) -> bool:
    code = answer.shown.get("code") if isinstance(answer.shown, dict) else None
    return not answer.refused or code in PASSED.get(key, set())


def _mismatches(entry: str, problems: list[tuple[Any, ...]]) -> str:
    """The mismatches of one entry, one a line: role, caller, what went wrong, the answers."""
    lines = [f"{entry}: {len(problems)} answer(s) differ from the matrix"]
    lines += ["  " + " | ".join(map(str, problem)) for problem in problems]
    return "\n".join(lines)


@pytest.mark.parametrize("operation", OPERATIONS, ids=[o.key for o in OPERATIONS])
def test_each_role_gets_what_the_matrix_says(world: AuthzWorld, operation: calls.Operation) -> None:
    """Every role, both callers, in one test per operation (the roles' answers are listed
    together when any differs)."""
    key = operation.key
    assert key in API, f"{key}: no rule in the matrix"
    problems = []
    for role in ROLES:
        problems += [(role, *problem) for problem in _operation_problems(world, operation, role)]
    assert problems == [], _mismatches(key, problems)


def _operation_problems(
    world: AuthzWorld, operation: calls.Operation, role: str
) -> list[tuple[Any, ...]]:
    key = operation.key
    reach = API[key].get(role)
    owner = refusals.CASES[key].owner if operation.names else None
    problems = []
    sides = (True, False) if operation.names else (True,)
    for inside in sides:
        who = _caller(role, owner, inside)
        if who is None and not (role == ANONYMOUS and inside):
            continue
        answer = _request(world, operation, who, missing=False)
        if answer.unchecked:
            problems.append((who, "never reached the view: fix the body", answer))
            continue
        allowed = reach == ANY or (reach == OWN and inside)
        if allowed:
            if not _past_authorisation(answer, key):
                problems.append((who, "refused, the matrix allows", answer))
            continue
        if not answer.refused:
            problems.append((who, "allowed, the matrix refuses", answer))
        elif operation.names:
            if inside and reach == OWN:
                continue  # (a role of OWN reach, inside: allowed above)
            if inside and role in LEVEL_REFUSALS.get(key, set()) and answer.status == 403:
                continue
            missing = _request(world, operation, who, missing=True)
            if answer != missing:
                problems.append((who, "refusal differs from a missing id's", answer, missing))
    return problems


# Sequential integer ids in operations a worker may use. Each names an object the worker owns
# (or a public one), and a refusal answers like a missing id, so walking the numbers finds
# nothing; still, they are guessable and are listed here, so that a new one is a decision.
GUESSABLE_FOR_WORKERS = {
    "GET /api/v1/reports/mine/{report_id}": ("report_id",),
    "GET /api/v1/reports/photos/{photo_id}": ("photo_id",),
    "GET /api/v1/stations/{station_id}": ("station_id",),
    "GET /api/v1/store/shops/{station_id}": ("station_id",),
    "GET /api/v1/volunteering/projects/{project_id}": ("project_id",),
    "POST /api/v1/reports/{report_id}/support": ("report_id",),
    "POST /api/v1/volunteering/sessions/{session_id}/claim": ("session_id",),
    "POST /api/v1/party/meetings/{meeting_id}/absence": ("meeting_id",),
    "POST /api/v1/party/meetings/{meeting_id}/sign-in": ("meeting_id",),
    "POST /api/v1/reports/{report_id}/photos": ("report_id",),
    "POST /api/v1/reports/{report_id}/reopen": ("report_id",),
    "POST /api/v1/volunteering/attendances/{attendance_id}/quantity": ("attendance_id",),
    "POST /api/v1/volunteering/claims/{claim_id}/withdraw": ("claim_id",),
}


# Worker operations whose rule names nobody: the world asks them about what no one may reach
# there (a rejected report, a draft project); workers use them on public ones.
WORKERS_ON_PUBLIC_ONES = {
    "POST /api/v1/reports/{report_id}/support",
    "GET /api/v1/volunteering/projects/{project_id}",
    "POST /api/v1/volunteering/sessions/{session_id}/claim",
}


def test_integer_ids_in_worker_operations_are_known() -> None:
    found = {}
    for operation in OPERATIONS:
        worker_uses = Role.WORKER in API.get(operation.key, {})
        if not (worker_uses or operation.key in WORKERS_ON_PUBLIC_ONES):
            continue
        integers = tuple(
            p["name"]
            for p in operation.schema.get("parameters", [])
            if p["in"] == "path" and p.get("schema", {}).get("type") == "integer"
        )
        if integers:
            found[operation.key] = integers
    assert found == GUESSABLE_FOR_WORKERS


# --- Pages -----------------------------------------------------------------------------------
# Every page whose URL names an object, asked as ``test_refusals_pages`` asks it (its methods
# and form), by each role's two callers. A page answers a refusal in many ways (404, 403, a
# redirect with a message), so here a page refused the caller when it answers exactly as it
# does for a missing id of the same shape, and allowed them when the answer differs. A page
# whose parameters are fixed values (an icon's size, a table's name) has no missing twin: its
# status alone tells. The world's tokens name nothing (``"nothing"``), so the pages reached by
# scanning one refuse everybody here (but a member's own meeting); the reports a worker may
# support are public ones, and the world's is rejected. A method the page does not take (405)
# is not asked.

PAGE_OWNERS = {"order": "order_owner", "party_meeting": "party_member_b"}

PAGES: dict[str, dict[str, str]] = {
    "None:pwa_icon": PUBLIC,
    "None:pwa_icon_maskable": {},
    "core:notification_open": WORKER_OWN,
    "registry:enterprise": rule(((L, C, S, Y, T), OWN)),
    "registry:enterprise_edit": rule(((L, C, S, Y, T), OWN)),
    "registry:worker": REGION_OWN,
    "registry:worker_edit": REGION_OWN,
    "registry:registration_accept": REGION_OWN,
    "registry:registration_reject": REGION_OWN,
    "registry:registration_withdraw": REGION_OWN,
    "registry:join": ANYONE_SIGNED_IN,
    "registry:join_qr": REGION_OWN,
    "registry:join_poster": REGION_OWN,
    "registry:import_job": rule(((Y,), OWN)),
    "registry:import_errors": rule(((Y,), OWN)),
    "registry:campaign": REGION_OWN,
    "registry:campaign_close": rule(((Y, T), OWN)),
    "registry:campaign_find": REGION_OWN,
    "stations:detail": PUBLIC,
    "stations:poster": rule(((K, C, S, Y, T), OWN)),
    "stations:qr_png": rule(((K, C, S, Y, T), OWN)),
    "stations:live_code": rule(((K, C, S, Y, T), OWN)),
    "stations:qr_svg": rule(((K, C, S, Y, T), OWN)),
    "stations:checkin": {},
    "reports:support": {},
    "reports:mine_detail": WORKER_OWN,
    "reports:reopen": WORKER_OWN,
    "reports:staff_detail": REGION_OWN,
    "reports:staff_action": REGION_OWN,
    "reports:photo": rule(((W, C, S, Y, T), OWN)),
    "store:item": ANYONE_SIGNED_IN,
    "store:order": WORKER_OWN,
    "store:order_cancel": WORKER_OWN,
    "store:stock_change": rule(((K, C, S, Y, T), OWN)),
    "volunteering:project": {},
    "volunteering:claim": {},
    "volunteering:withdraw": WORKER_OWN,
    "volunteering:scan": {},
    "volunteering:quantity": WORKER_OWN,
    "volunteering:errands": WORKER_OWN,
    "volunteering:livestream": WORKER_OWN,
    "volunteering:staff_project": REGION_OWN,
    "volunteering:staff_project_action": REGION_OWN,
    "volunteering:staff_sheet": REGION_OWN,
    "volunteering:staff_poster": REGION_OWN,
    "volunteering:staff_code": REGION_OWN,
    "volunteering:staff_record": REGION_OWN,
    "volunteering:staff_promote": REGION_OWN,
    "volunteering:staff_mark": REGION_OWN,
    "volunteering:staff_verify": REGION_OWN,
    "volunteering:staff_cancel_claim": REGION_OWN,
    "volunteering:staff_correct": REGION_OWN,
    "volunteering:staff_retry_award": REGION_OWN,
    "party:meeting": WORKER_OWN,
    "party:sign_in": WORKER_OWN,
    "party:absence": WORKER_OWN,
    "party:scan": WORKER_OWN,  # the member's meeting; the bad code is told there
    "party:grid_member_leave": REGION_OWN,
    "party:mass_detail": REGION_OWN,
    "party:mass_member_add": REGION_OWN,
    "party:mass_sync": REGION_OWN,
    "party:mass_end": REGION_OWN,
    "party:mass_member_leave": REGION_OWN,
    "party:instructor_end": REGION_OWN,
    "party:officer_appoint": rule(((S, Y, T), OWN)),
    "party:organisation_end": rule(((S, Y, T), OWN)),
    "party:officer_end": rule(((S, Y, T), OWN)),
    "party:organisation": rule(((S, Y, T), OWN)),
    "party:schedule": rule(((S, Y, T), OWN)),
    "party:transfer": rule(((S, Y, T), OWN)),
    "party:leave": rule(((S, Y, T), OWN)),
    "party:staff_meeting": rule(((S, Y, T), OWN)),
    "party:minutes": rule(((S, Y, T), OWN)),
    "party:meeting_cancel": rule(((S, Y, T), OWN)),
    "party:membership_kind": rule(((S, Y, T), OWN)),
    "party:membership_mobile": rule(((S, Y, T), OWN)),
    "party:organisation_covered": rule(((S, Y, T), OWN)),
    "coverage:siting_run": rule(((Y,), OWN)),
    "coverage:siting_run_progress": rule(((Y,), OWN)),
    "coverage:siting_run_export_xlsx": rule(((Y,), OWN)),
    "coverage:siting_run_export_geojson": rule(((Y,), OWN)),
    "dashboard:export": REGION_STAFF,
}
PAGE_LEVEL_REFUSALS = {"registry:campaign_close": {C, S}}
OBJECT_PAGES = [
    (name, route)
    for name, route in refusal_pages.pages_with_parameters()
    if name != "None:public_media"
]


def test_every_page_with_an_object_has_a_rule() -> None:
    listed = {name for name, _route in OBJECT_PAGES}
    assert sorted(listed - set(PAGES)) == [], "add a rule to PAGES for each new page"
    assert sorted(set(PAGES) - listed) == [], "these rules name pages that are gone"


def _page(world: AuthzWorld, name: str, route: str, method: str, who: str | None, missing: bool):
    w = world.world
    spec = refusal_pages.PAGES[name]
    body = {
        k: refusal_pages._value(w, v[1:], missing) if str(v).startswith("@") else v
        for k, v in spec.body.items()
    }
    ids = [str(refusal_pages._value(w, kind, missing)) for kind in spec.names.values()]
    url = refusal_pages._url(w, route, spec, missing)
    return calls.ask(world.client(who), method, url, body=body, form=True, ids=ids, page=True)


@pytest.mark.parametrize("page", OBJECT_PAGES, ids=[name for name, _route in OBJECT_PAGES])
def test_each_role_gets_the_pages_the_matrix_says(world: AuthzWorld, page: tuple[str, str]) -> None:
    name, route = page
    assert name in PAGES and name in refusal_pages.PAGES, f"{name}: no rule in the matrix"
    problems = []
    for role in ROLES:
        problems += [(role, *problem) for problem in _page_problems(world, name, route, role)]
    assert problems == [], _mismatches(name, problems)


def _page_problems(world: AuthzWorld, name: str, route: str, role: str) -> list[tuple[Any, ...]]:
    reach = PAGES[name].get(role)
    spec = refusal_pages.PAGES[name]
    owner = next((PAGE_OWNERS[k] for k in spec.names.values() if k in PAGE_OWNERS), None)
    fixed = all(kind in refusal_pages.FIXED for kind in spec.names.values()) and not any(
        str(value).startswith("@") for value in spec.body.values()
    )
    problems = []
    for inside in (True, False):
        who = _caller(role, owner or "worker_2", inside)
        if who is None and not (role == ANONYMOUS and inside):
            continue
        for method in spec.methods:
            seen = _page(world, name, route, method, who, missing=False)
            nowhere = _page(world, name, route, method, who, missing=True)
            if seen.status == nowhere.status == 405:
                continue
            if fixed:
                nowhere = calls.Answer(404, ("", (), ()))  # no twin: the status alone tells
            allowed = not seen.refused and seen != nowhere
            if reach == ANY or (reach == OWN and inside):
                if not allowed:
                    problems.append((who, method, "refused, the matrix allows", seen))
            elif fixed:
                if not seen.refused:
                    problems.append((who, method, "allowed, the matrix refuses", seen))
            elif seen != nowhere:
                level = inside and role in PAGE_LEVEL_REFUSALS.get(name, set())
                if not (level and seen.status == 403):
                    problems.append((who, method, "differs from a missing id's", seen, nowhere))
    return problems
