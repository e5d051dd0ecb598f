"""Who may open the admin: every model registered in ``django.contrib.admin.site`` (its
changelist, add, change, delete and history views) x every role x the caller who holds the
world's object and the caller who does not, against the table ``ADMIN`` below.

``ScopedAdmin`` decides: region staff who govern the model's rows see them (some models: only
the city's admin, party staff, the station's keeper, the enterprise's liaison); adding and
changing are opened per model; deleting is off but for a station's photos and closing days.
A view is allowed when it answers 200; anything else (the login page for callers who are not
staff, 403, the redirect "does not exist" to the index) is a refusal, and for change, delete
and history of an object out of the caller's reach the refusal must be the very answer
(status, redirect, messages) that a missing id gets.

The world's objects are ``authz_world``'s (all in county B). For a model the world has no
object of (``open`` is None: its logs, ledgers and settings), only the changelist and add
views are asked. A registered model with no entry fails, and so does an entry for one that is
gone.
"""

from dataclasses import dataclass

import pytest

from tests.core import authz_admin
from tests.core import authz_calls as calls
from tests.core import test_authorisation_matrix as matrix
from tests.core.authz_world import ANONYMOUS, ROLES, AuthzWorld
from tests.core.test_authorisation_matrix import ANY, OWN, C, K, L, S, T, Y, _caller, rule

# The matrix's world, built once for this module too.
authz = matrix.authz
world = matrix.world

pytestmark = pytest.mark.django_db

REGION = (C, S, Y, T)
STATION = (K, *REGION)
LIAISON = (L, *REGION)
NOBODY: tuple[str, ...] = ()


@dataclass(frozen=True)
class Admin:
    """Who opens the changelist and the add form (whatever the object), and, for the world's
    object, the change/history views (``open``) and the delete view (``delete``)."""

    changelist: tuple[str, ...]
    add: tuple[str, ...] = NOBODY
    open: dict[str, str] | None = None
    delete: dict[str, str] | None = None


LISTS = Admin(REGION)  # read-only rows of one's area; the world has none of them
CITY_SETTINGS = Admin(REGION, (T,))  # the city's lists: everyone governing reads, the city edits
CITY_ONLY = Admin((T,))  # the city's admin alone (logins, Open311 clients)
REGION_OWN = rule((REGION, OWN))
# The party's street-level objects (the branch in B1, its meetings, members and officers):
# the community's staff do not govern them.
PARTY_STREET = Admin(REGION, open=rule(((S, Y, T), OWN)), delete={})
# The party's objects of the community and its grids.
PARTY_COMMUNITY = Admin(REGION, open=REGION_OWN, delete={})
# The city's party committee: its rows belong to no region.
PARTY_CITY = Admin(REGION, open=rule((REGION, ANY)), delete={})

ADMIN: dict[str, Admin] = {
    "accounts.ApiToken": LISTS,
    "accounts.LocationConsent": LISTS,
    "accounts.LoginAttempt": CITY_ONLY,
    "accounts.LoginEvent": LISTS,
    "accounts.LoginFailureRecord": CITY_ONLY,
    "accounts.LoginRecord": CITY_ONLY,
    "accounts.User": Admin(REGION, REGION, open=REGION_OWN, delete={}),
    "auth.Group": Admin(NOBODY),  # superusers only
    "core.AuditLog": LISTS,
    "coverage.HotSpot": LISTS,
    "coverage.RoadNetworkImport": LISTS,
    "geo.Region": Admin(REGION, (T,), open=REGION_OWN, delete={}),
    "open311.ClientApplication": Admin((T,), (T,)),
    "party.ActionItem": PARTY_CITY,
    "party.Attendance": LISTS,
    "party.Badge": LISTS,
    "party.CommitteeDepartment": PARTY_CITY,
    "party.CommitteeMeeting": PARTY_CITY,
    "party.CommitteeSeat": LISTS,
    "party.GridMember": PARTY_COMMUNITY,
    "party.IndustryFigure": LISTS,
    "party.InstructorAssignment": PARTY_COMMUNITY,
    "party.MassMembership": PARTY_COMMUNITY,
    "party.MassOrganisation": PARTY_COMMUNITY,
    "party.Meeting": PARTY_STREET,
    "party.Membership": PARTY_STREET,
    "party.Officer": PARTY_STREET,
    "party.OrgStatusChange": LISTS,
    "party.Organisation": Admin(REGION, REGION, open=rule(((S, Y, T), OWN)), delete={}),
    "points.Account": LISTS,
    "points.Adjustment": Admin(REGION, open=REGION_OWN, delete={}),
    "points.EarningPolicy": LISTS,
    "points.Entry": LISTS,
    "points.Hold": LISTS,
    "registry.Enterprise": Admin(LIAISON, REGION, open=rule((LIAISON, OWN)), delete={}),
    # Import jobs are the county's: the street and the community list them but open none.
    "registry.ImportJob": Admin(LIAISON, open=rule(((Y, T), OWN)), delete={}),
    "registry.Registration": Admin(LIAISON, open=REGION_OWN, delete={}),
    "registry.SurveyCampaign": Admin(REGION, REGION, open=REGION_OWN, delete={}),
    "registry.SurveyFinding": LISTS,
    "registry.Worker": Admin(LIAISON, LIAISON, open=REGION_OWN, delete={}),
    "reports.Category": CITY_SETTINGS,
    "reports.CategoryRoute": CITY_SETTINGS,
    "reports.Department": CITY_SETTINGS,
    "reports.Report": Admin(REGION, open=REGION_OWN, delete={}),
    "reports.ResponseTemplate": CITY_SETTINGS,
    "stations.Amenity": CITY_SETTINGS,
    "stations.HoursException": Admin(STATION, STATION),
    "stations.Station": Admin(STATION, REGION, open=rule((STATION, OWN)), delete={}),
    "stations.StationPhoto": Admin(
        STATION, STATION, open=rule((STATION, OWN)), delete=rule((STATION, OWN))
    ),
    "store.Item": Admin(REGION, (T,), open=rule((REGION, ANY)), delete={}),
    "store.Movement": LISTS,
    "store.Order": Admin(REGION, open=REGION_OWN, delete={}),
    "store.Shop": Admin(REGION, open=REGION_OWN, delete={}),
    "store.Stock": LISTS,
    "volunteering.Attendance": LISTS,
    "volunteering.Award": LISTS,
    "volunteering.Claim": LISTS,
    "volunteering.Project": LISTS,
    "volunteering.Session": LISTS,
}
MODELS = authz_admin.registered()


def test_every_admin_model_has_a_rule() -> None:
    assert sorted(set(MODELS) - set(ADMIN)) == [], "add an entry to ADMIN for each new model"
    assert sorted(set(ADMIN) - set(MODELS)) == [], "these entries name models that are gone"


def test_the_world_has_an_object_for_every_entry_that_opens_one() -> None:
    with_object = sorted(label for label, entry in ADMIN.items() if entry.open is not None)
    assert with_object == sorted(authz_admin.OBJECTS)
    assert all((e.open is None) == (e.delete is None) for e in ADMIN.values())


def _ask(world: AuthzWorld, who: str | None, label: str, view: str, pk: str | None):
    url = authz_admin.url(label, view, pk)
    return calls.ask(world.client(who), "get", url, ids=[pk] if pk else [], page=True)


@pytest.mark.parametrize("label", MODELS)
def test_each_role_opens_the_admin_views_the_table_says(world: AuthzWorld, label: str) -> None:
    assert label in ADMIN, f"{label}: no entry in ADMIN"
    entry = ADMIN[label]
    pk = authz_admin.object_pk(world, label)
    missing = str(authz_admin.MISSING_PK)
    problems = []
    for role in ROLES:
        for inside in (True, False):
            who = _caller(role, None, inside)
            if who is None and not (role == ANONYMOUS and inside):
                continue
            for view, roles in (("changelist", entry.changelist), ("add", entry.add)):
                answer = _ask(world, who, label, view, None)
                allowed = role in roles
                if allowed != (answer.status == 200) or not (allowed or answer.refused):
                    problems.append((role, who, view, "allowed" if allowed else "refused", answer))
            if entry.open is None:
                continue
            for view, reach in (
                ("change", entry.open),
                ("history", entry.open),
                ("delete", entry.delete),
            ):
                answer = _ask(world, who, label, view, pk)
                allowed = reach.get(role) == ANY or (reach.get(role) == OWN and inside)
                if allowed:
                    if answer.status != 200:
                        problems.append((role, who, view, "refused, the table allows", answer))
                    continue
                nowhere = _ask(world, who, label, view, missing)
                if answer.status == 200:
                    problems.append((role, who, view, "allowed, the table refuses", answer))
                elif answer != nowhere:
                    differs = "differs from a missing id's"
                    problems.append((role, who, view, differs, answer, nowhere))
    assert problems == [], matrix._mismatches(label, problems)
