"""Who may open the admin and write through it: every model registered in
``django.contrib.admin.site`` (its changelist, add, change, delete and history views; below,
its writes) x every role x the caller who holds the world's object and the caller who does
not, against the tables ``ADMIN`` and ``WRITES`` below.

``ScopedAdmin`` decides: region staff who govern the model's rows see them (some models: only
the city's admin, party staff, the station's keeper, the enterprise's liaison); adding and
changing are opened per model; deleting is off but for a station's photos and closing days.
A view is allowed when it answers 200; anything else (the login page for callers who are not
staff, 403, the redirect "does not exist" to the index) is a refusal, and for change, delete
and history of an object out of the caller's reach the refusal must be the very answer
(status, redirect, messages) that a missing id gets.

The world's objects are ``authz_world``'s (all in county B, or the city's). For a model the
world has no object of (``open`` is None), only the changelist and add views are asked. A
registered model with no entry fails, and so does an entry for one that is gone; so does an
admin's own URL (``get_urls``) with no entry in ``CUSTOM`` below.
"""

import dataclasses
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.sites import all_sites
from openpyxl import load_workbook

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


# The city's lists: everyone governing reads them, whatever the row, the city edits.
CITY_SETTINGS = Admin(REGION, (T,), open=rule((REGION, ANY)), delete={})
# The city's records, read-only (the coverage imports): everyone governing reads them.
CITY_RECORDS = Admin(REGION, open=rule((REGION, ANY)), delete={})
# django-axes' login rows: the city's admin alone, whoever's login they are.
CITY_ONLY = Admin((T,), open=rule(((T,), ANY)), delete={})
REGION_OWN = rule((REGION, OWN))
STATION_OWN = rule((STATION, OWN))
# Read-only rows of one's area (the ledger's, the shop's, volunteering's, the log's).
REGION_ROWS = Admin(REGION, open=REGION_OWN, delete={})
# The party's street-level objects (the branch in B1, its meetings, members and officers):
# the community's staff do not govern them.
PARTY_STREET = Admin(REGION, open=rule(((S, Y, T), OWN)), delete={})
# The party's objects of the community and its grids.
PARTY_COMMUNITY = Admin(REGION, open=REGION_OWN, delete={})
# The city's party committee: its rows belong to no region.
PARTY_CITY = Admin(REGION, open=rule((REGION, ANY)), delete={})

ADMIN: dict[str, Admin] = {
    "accounts.ApiToken": REGION_ROWS,
    "accounts.LocationConsent": REGION_ROWS,
    "accounts.LoginAttempt": CITY_ONLY,
    "accounts.LoginEvent": REGION_ROWS,
    "accounts.LoginFailureRecord": CITY_ONLY,
    "accounts.LoginRecord": CITY_ONLY,
    "accounts.User": Admin(REGION, REGION, open=REGION_OWN, delete={}),
    "auth.Group": Admin(NOBODY, open={}, delete={}),  # superusers only
    "core.AuditLog": REGION_ROWS,
    "coverage.HotSpot": CITY_RECORDS,
    "coverage.RoadNetworkImport": CITY_RECORDS,
    "geo.Region": Admin(REGION, (T,), open=REGION_OWN, delete={}),
    "open311.ClientApplication": Admin((T,), (T,), open=rule(((T,), ANY)), delete={}),
    "party.ActionItem": PARTY_CITY,
    "party.Attendance": PARTY_STREET,
    "party.Badge": PARTY_COMMUNITY,
    "party.CommitteeDepartment": PARTY_CITY,
    "party.CommitteeMeeting": PARTY_CITY,
    "party.CommitteeSeat": PARTY_CITY,
    "party.GridMember": PARTY_COMMUNITY,
    "party.IndustryFigure": PARTY_COMMUNITY,
    "party.InstructorAssignment": PARTY_COMMUNITY,
    "party.MassMembership": PARTY_COMMUNITY,
    "party.MassOrganisation": PARTY_COMMUNITY,
    "party.Meeting": PARTY_STREET,
    "party.Membership": PARTY_STREET,
    "party.Officer": PARTY_STREET,
    "party.OrgStatusChange": PARTY_STREET,
    "party.Organisation": Admin(REGION, REGION, open=rule(((S, Y, T), OWN)), delete={}),
    "points.Account": REGION_ROWS,
    "points.Adjustment": Admin(REGION, open=REGION_OWN, delete={}),
    "points.EarningPolicy": Admin(REGION, open=rule((REGION, ANY)), delete={}),
    "points.Entry": REGION_ROWS,
    "points.Hold": REGION_ROWS,
    "registry.Enterprise": Admin(LIAISON, REGION, open=rule((LIAISON, OWN)), delete={}),
    # Import jobs are the county's: the street and the community list them but open none.
    "registry.ImportJob": Admin(LIAISON, open=rule(((Y, T), OWN)), delete={}),
    "registry.Registration": Admin(LIAISON, open=REGION_OWN, delete={}),
    "registry.SurveyCampaign": Admin(REGION, REGION, open=REGION_OWN, delete={}),
    "registry.SurveyFinding": REGION_ROWS,
    "registry.Worker": Admin(LIAISON, LIAISON, open=REGION_OWN, delete={}),
    "reports.Category": CITY_SETTINGS,
    "reports.CategoryRoute": CITY_SETTINGS,
    "reports.Department": CITY_SETTINGS,
    "reports.Report": Admin(REGION, open=REGION_OWN, delete={}),
    "reports.ResponseTemplate": CITY_SETTINGS,
    "stations.Amenity": CITY_SETTINGS,
    "stations.HoursException": Admin(STATION, STATION, open=STATION_OWN, delete=STATION_OWN),
    "stations.Station": Admin(STATION, REGION, open=rule((STATION, OWN)), delete={}),
    "stations.StationPhoto": Admin(
        STATION, STATION, open=rule((STATION, OWN)), delete=rule((STATION, OWN))
    ),
    "store.Item": Admin(REGION, (T,), open=rule((REGION, ANY)), delete={}),
    "store.Movement": REGION_ROWS,
    "store.Order": Admin(REGION, open=REGION_OWN, delete={}),
    "store.Shop": Admin(REGION, open=REGION_OWN, delete={}),
    "store.Stock": REGION_ROWS,
    "volunteering.Attendance": REGION_ROWS,
    "volunteering.Award": REGION_ROWS,
    "volunteering.Claim": REGION_ROWS,
    "volunteering.Project": REGION_ROWS,
    "volunteering.Session": REGION_ROWS,
}
MODELS = authz_admin.registered()


def test_every_admin_model_has_a_rule() -> None:
    assert sorted(set(MODELS) - set(ADMIN)) == [], "add an entry to ADMIN for each new model"
    assert sorted(set(ADMIN) - set(MODELS)) == [], "these entries name models that are gone"


def test_the_project_has_one_admin_site() -> None:
    """A second site would register its own admins: they would need their own tables."""
    assert list(all_sites) == [admin.site]


def test_the_world_has_an_object_for_every_entry_that_opens_one() -> None:
    with_object = sorted(label for label, entry in ADMIN.items() if entry.open is not None)
    assert with_object == sorted(authz_admin.OBJECTS)
    assert all((e.open is None) == (e.delete is None) for e in ADMIN.values())


def _ask(
    world: AuthzWorld, who: str | None, label: str, view: str, pk: str | None, render: bool = True
):
    url = authz_admin.url(label, view, pk)
    ids = [pk] if pk else []
    return calls.ask(world.client(who), "get", url, ids=ids, page=True, render=render)


@pytest.mark.parametrize("label", MODELS)
def test_each_role_opens_the_admin_views_the_table_says(world: AuthzWorld, label: str) -> None:
    assert label in ADMIN, f"{label}: no entry in ADMIN"
    entry = ADMIN[label]
    pk = authz_admin.object_pk(world, label)
    missing = str(authz_admin.MISSING_PK)
    problems = []
    rendered: set[str] = set()  # each view's page is rendered for the first caller it opens to

    def ask(who: str | None, view: str, pk: str | None) -> calls.Answer:
        answer = _ask(world, who, label, view, pk, render=view not in rendered)
        if answer.status == 200:
            rendered.add(view)
        return answer

    for role in ROLES:
        for inside in (True, False):
            who = _caller(role, None, inside)
            if who is None and not (role == ANONYMOUS and inside):
                continue
            for view, roles in (("changelist", entry.changelist), ("add", entry.add)):
                answer = ask(who, view, None)
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
                answer = ask(who, view, pk)
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


# --- Writes ----------------------------------------------------------------------------------
# Every write path of every admin, POSTed by each role's two callers: the add form, the change
# form of the world's object, its deletion, and each action of the changelist on its row (the
# site's delete_selected among them). Adding uses the ``add`` roles of ``ADMIN`` (the form and
# its POST are one permission), deleting its ``delete`` reach; ``WRITES`` says who may change
# the object and run each action. An admin that nobody may change (most are read-only: their
# records change through services, or never) refuses the city's admin too.
#
# A write is refused when it answers exactly as the same write about a missing id does (the
# add form, which names no object: 403 or the login page) and it left the database as it
# was: the model's rows, the object's fields, the audit and admin logs. It is allowed when it
# is not refused: saved, redirected, or the form shown again with its errors or a service's
# refusal (past authorisation). A model the world has no object of is written to with a
# missing id only, which must change nothing. The bodies are what the forms show (the change
# form as the city's admin sees it), an action confirms at once (``post``).


@dataclass(frozen=True)
class Writes:
    """Who may POST the change form of the world's object, and who may run each action on
    it (action name -> reach)."""

    change: dict[str, str] = field(default_factory=dict)
    actions: dict[str, dict[str, str]] = field(default_factory=dict)


READ_ONLY = Writes()
LIAISON_OWN = rule((LIAISON, OWN))
CITY_EDITS = rule(((T,), ANY))

WRITES: dict[str, Writes] = {
    "accounts.ApiToken": Writes(actions={"revoke": REGION_OWN}),
    "accounts.LocationConsent": READ_ONLY,
    "accounts.LoginAttempt": Writes(
        actions={"lift_accounts": CITY_EDITS, "lift_addresses": CITY_EDITS}
    ),
    "accounts.LoginEvent": READ_ONLY,
    "accounts.LoginFailureRecord": READ_ONLY,
    "accounts.LoginRecord": READ_ONLY,
    "accounts.User": Writes(REGION_OWN, {"reset_second_factor": REGION_OWN}),
    "auth.Group": READ_ONLY,
    "core.AuditLog": Writes(actions={"export_xlsx": REGION_OWN}),
    "coverage.HotSpot": READ_ONLY,
    "coverage.RoadNetworkImport": READ_ONLY,
    "geo.Region": Writes(rule(((T,), ANY))),
    "open311.ClientApplication": Writes(CITY_EDITS, {"rotate_key": CITY_EDITS}),
    "party.ActionItem": READ_ONLY,
    "party.Attendance": READ_ONLY,
    "party.Badge": READ_ONLY,
    "party.CommitteeDepartment": READ_ONLY,
    "party.CommitteeMeeting": READ_ONLY,
    "party.CommitteeSeat": READ_ONLY,
    "party.GridMember": READ_ONLY,
    "party.IndustryFigure": READ_ONLY,
    "party.InstructorAssignment": READ_ONLY,
    "party.MassMembership": READ_ONLY,
    "party.MassOrganisation": READ_ONLY,
    "party.Meeting": READ_ONLY,
    "party.Membership": READ_ONLY,
    "party.Officer": READ_ONLY,
    "party.OrgStatusChange": READ_ONLY,
    "party.Organisation": READ_ONLY,
    "points.Account": READ_ONLY,
    "points.Adjustment": READ_ONLY,
    "points.EarningPolicy": Writes(CITY_EDITS),
    "points.Entry": READ_ONLY,
    "points.Hold": READ_ONLY,
    "registry.Enterprise": Writes(LIAISON_OWN),
    "registry.ImportJob": READ_ONLY,
    "registry.Registration": Writes(actions={"accept_selected": REGION_OWN}),
    "registry.SurveyCampaign": READ_ONLY,
    "registry.SurveyFinding": READ_ONLY,
    "registry.Worker": Writes(REGION_OWN),
    "reports.Category": Writes(CITY_EDITS),
    "reports.CategoryRoute": Writes(CITY_EDITS),
    "reports.Department": Writes(CITY_EDITS),
    "reports.Report": Writes(actions={"accept_selected": REGION_OWN}),
    "reports.ResponseTemplate": Writes(CITY_EDITS),
    "stations.Amenity": Writes(CITY_EDITS),
    "stations.HoursException": Writes(STATION_OWN),
    "stations.Station": Writes(
        STATION_OWN, {"suspend": STATION_OWN, "reopen": STATION_OWN, "rotate_qr": STATION_OWN}
    ),
    "stations.StationPhoto": READ_ONLY,
    "store.Item": Writes(rule(((T,), ANY))),
    "store.Movement": READ_ONLY,
    "store.Order": READ_ONLY,
    "store.Shop": Writes(actions={"pause": REGION_OWN, "reopen": REGION_OWN}),
    "store.Stock": READ_ONLY,
    "volunteering.Attendance": READ_ONLY,
    "volunteering.Award": READ_ONLY,
    "volunteering.Claim": READ_ONLY,
    "volunteering.Project": Writes(actions={"publish": REGION_OWN, "close": REGION_OWN}),
    "volunteering.Session": READ_ONLY,
}


# The site's action deletes what the delete view would: its reach is the ``delete`` of ADMIN.
SITE_ACTIONS = ("delete_selected",)
# Actions that only read, and leave an audit row of the reading even when nothing was read.
# Their answer is the same download whatever was selected: the rows in it tell what was read.
AUDITED_READS = {("core.AuditLog", "export_xlsx")}


def _read(answer: calls.Answer, write: tuple[str, str]) -> calls.Answer:
    """The answer of an audited read with the number of rows it handed out."""
    if write not in AUDITED_READS or answer.status != 200:
        return answer
    sheet = load_workbook(io.BytesIO(answer.response.content)).active
    return dataclasses.replace(answer, shown=(*answer.shown, sheet.max_row - 1))


def _actions(label: str) -> dict[str, dict[str, str]]:
    site = {name: ADMIN[label].delete or {} for name in SITE_ACTIONS}
    return {**site, **WRITES[label].actions}


def test_every_admin_model_has_its_writes() -> None:
    assert sorted(set(MODELS) - set(WRITES)) == [], "add an entry to WRITES for each new model"
    assert sorted(set(WRITES) - set(MODELS)) == [], "these entries name models that are gone"
    declared = {label: authz_admin.actions_of(label) for label in MODELS}
    listed = {label: sorted(_actions(label)) for label in MODELS}
    assert listed == declared, "each action of an admin needs its rule in WRITES"
    without = [label for label, w in WRITES.items() if w.change and ADMIN[label].open is None]
    assert without == [], "a change rule needs the world's object (authz_admin.OBJECTS)"


def _post(world: AuthzWorld, who: str | None, label: str, url: str, body: Any, pk: str | None):
    ids = [pk] if pk else []
    look = functools.partial(authz_admin.fingerprint, label, pk)
    # Unrendered: a write is told by its status, redirect and messages (the forms' pages are
    # rendered by the test above).
    return calls.ask(world.client(who), "post", url, body=body, form=True, ids=ids, page=True,
                     look=look, render=False)  # fmt: skip


def _form(world: AuthzWorld, label: str, view: str, roles: Any, pk: str | None) -> Any:
    """The form of the view as the first caller who opens it sees it (the city's admin
    first), or a bare submit when nobody does."""
    for role in (T, *REGION, K, L):
        if role in roles:
            who = _caller(role, None, True)
            answer = _ask(world, who, label, view, pk)
            if answer.status == 200:
                return authz_admin.form_data(label, answer.response.content.decode())
    return {"_save": ["保存"]}


def _changed(before: tuple[Any, ...], after: tuple[Any, ...], write: tuple[str, str]) -> bool:
    rows, own, audit, logged = after
    if write in AUDITED_READS:  # the audit row of the reading (the log's own rows, for its own)
        audit, rows = before[2], before[0] if write[0] == "core.AuditLog" else rows
    return (rows, own, audit, logged) != before


def _write(world: AuthzWorld, who: str | None, label: str, view: str, body: Any, pk: str):
    if view.startswith("action "):
        url, body = authz_admin.url(label, "changelist"), authz_admin.action_data(body, pk)
    else:
        url = authz_admin.url(label, view, pk)
    return _post(world, who, label, url, body, pk)


@pytest.mark.parametrize("label", MODELS)
def test_each_role_writes_through_the_admin_what_the_table_says(
    world: AuthzWorld, label: str
) -> None:
    assert label in ADMIN and label in WRITES, f"{label}: no entry in ADMIN or WRITES"
    entry, writes = ADMIN[label], WRITES[label]
    pk = authz_admin.object_pk(world, label)
    missing = str(authz_admin.MISSING_PK)
    before = authz_admin.fingerprint(label, pk)
    empty = authz_admin.fingerprint(label, None)
    add_form = _form(world, label, "add", entry.add, None)
    change_form = _form(world, label, "change", entry.open or {}, pk) if pk else {}
    # (view, reach, body): the writes that name the object.
    named = [
        ("change", writes.change, change_form),
        ("delete", entry.delete or {}, {"post": "yes"}),
    ]
    named += [(f"action {a}", reach, a) for a, reach in _actions(label).items()]
    problems = []
    for role in ROLES:
        for inside in (True, False):
            who = _caller(role, None, inside)
            if who is None and not (role == ANONYMOUS and inside):
                continue
            answer = _post(world, who, label, authz_admin.url(label, "add"), add_form, None)
            if role in entry.add:
                if answer.refused:
                    problems.append((role, who, "add", "refused, the table allows", answer))
            elif not answer.refused or answer.left != empty:
                problems.append((role, who, "add", "allowed, the table refuses", answer))
            for view, reach, body in named:
                write = (label, view.removeprefix("action "))
                nowhere = _read(_write(world, who, label, view, body, missing), write)
                if _changed(empty, nowhere.left, write):
                    problems.append((role, who, view, "a missing id changed something", nowhere))
                if pk is None:
                    continue
                answer = _read(_write(world, who, label, view, body, pk), write)
                allowed = reach.get(role) == ANY or (reach.get(role) == OWN and inside)
                if allowed:
                    if answer.refused or answer == nowhere:
                        problems.append((role, who, view, "refused, the table allows", answer))
                elif answer != nowhere:
                    differs = "differs from a missing id's"
                    problems.append((role, who, view, differs, answer, nowhere))
                elif _changed(before, answer.left, write):
                    problems.append((role, who, view, "refused, but changed", answer.left))
    assert problems == [], matrix._mismatches(label, problems)


# --- The admin's own URLs --------------------------------------------------------------------
# The URLs an admin adds through ``get_urls`` beside Django's standard views (found from the
# site's URL conf: ``authz_admin.custom_urls``), asked by each role's two callers with GET and
# with a POST that writes (a real adjustment, an approval, a small valid sheet). Those that
# name an object name the world's object of their model (``authz_admin.OBJECTS``): a refusal
# is the very answer a missing id gets, and a refused POST leaves the ledger, the adjustments,
# the registry and the logs as they were (``authz_admin.ledger_fingerprint``); an allowed POST
# changes them. A caller who may open the object but not write (a community's staff, who
# are not senior to the requester of an adjustment) is told why and nothing changes.
#
# The upload names no object: the admin turns away callers it does not open to (the login
# page, or the index as the admin does for an app one may not use), and a sheet's rows
# outside the caller's reach are refused row by row (the import job records them), so
# ``post`` says whose upload of the world's community's rows writes them: its region staff;
# a liaison opens the upload, but a new enterprise and its rider are not theirs to add.


@dataclass(frozen=True)
class Own:
    """Who may open an admin's own URL (``get``) and who may write through it (``post``)."""

    get: dict[str, str]
    post: dict[str, str]
    body: Callable[[AuthzWorld], dict[str, Any]]


CUSTOM: dict[str, Own] = {
    "points_account_adjust": Own(
        REGION_OWN,
        REGION_OWN,
        lambda w: {"transfer_id": "admin-authz", "amount": 5, "reason": "补发"},
    ),
    "points_adjustment_decide": Own(REGION_OWN, rule(((S, Y, T), OWN)), lambda w: {"note": ""}),
    "registry_upload": Own(rule((LIAISON, ANY)), REGION_OWN, authz_admin.upload_body),
}
CUSTOM_URLS = authz_admin.custom_urls()


def test_every_custom_admin_url_has_a_rule() -> None:
    assert sorted(set(CUSTOM_URLS) - set(CUSTOM)) == [], "add an entry to CUSTOM for each new URL"
    assert sorted(set(CUSTOM) - set(CUSTOM_URLS)) == [], "these entries name URLs that are gone"
    no_object = [n for n, (label, route) in CUSTOM_URLS.items()
                 if "<" in route and label not in authz_admin.OBJECTS]  # fmt: skip
    assert no_object == [], "a URL that names an object needs the world's (OBJECTS)"


def _turned_away(answer: calls.Answer) -> bool:
    return answer.refused or (answer.status == 302 and answer.shown[0] == "/admin/")


@pytest.mark.parametrize("name", sorted(CUSTOM_URLS))
def test_each_role_uses_the_admins_own_urls_as_the_table_says(world: AuthzWorld, name: str) -> None:
    assert name in CUSTOM, f"{name}: no entry in CUSTOM"
    label, route = CUSTOM_URLS[name]
    entry = CUSTOM[name]
    names_object = "<" in route
    pk = authz_admin.object_pk(world, label) if names_object else None
    missing = str(authz_admin.MISSING_PK) if names_object else None
    before = authz_admin.ledger_fingerprint()
    rendered = False
    problems = []

    def ask(who: str | None, method: str, at: str | None) -> calls.Answer:
        nonlocal rendered
        body = entry.body(world) if method == "post" else None
        answer = calls.ask(world.client(who), method, authz_admin.custom_url(label, route, at),
                           body=body, form=True, ids=[at] if at else [], page=True,
                           look=authz_admin.ledger_fingerprint,
                           render=method == "get" and not rendered)  # fmt: skip
        rendered = rendered or (method == "get" and answer.status == 200)
        return answer

    for role in ROLES:
        for inside in (True, False):
            who = _caller(role, None, inside)
            if who is None and not (role == ANONYMOUS and inside):
                continue
            opens = entry.get.get(role) == ANY or (entry.get.get(role) == OWN and inside)
            writes = entry.post.get(role) == ANY or (entry.post.get(role) == OWN and inside)
            for method, allowed in (("get", opens), ("post", writes)):
                answer = ask(who, method, pk)
                changed = answer.left != before
                # The rows a write is for: entries, adjustments, workers, enterprises.
                wrote = answer.left[:4] != before[:4]
                if names_object:
                    nowhere = ask(who, method, missing)
                    if nowhere.left != before:
                        problems.append((role, who, method, "a missing id changed something"))
                if allowed:
                    if _turned_away(answer) or (method == "get" and answer.status != 200):
                        problems.append((role, who, method, "refused, the table allows", answer))
                    elif method == "post" and not wrote:
                        problems.append((role, who, method, "allowed, but wrote nothing", answer))
                    continue
                if method == "post" and opens:
                    # Past authorisation, refused the write: nothing may change (the
                    # upload's job and its audit row record the refused rows).
                    if (changed if names_object else wrote) or _turned_away(answer):
                        problems.append((role, who, method, "may open, but wrote", answer))
                    continue
                if changed:
                    problems.append((role, who, method, "refused, but changed", answer))
                if names_object and answer != nowhere:
                    differs = "differs from a missing id's"
                    problems.append((role, who, method, differs, answer, nowhere))
                elif not names_object and not _turned_away(answer):
                    problems.append((role, who, method, "allowed, the table refuses", answer))
    assert problems == [], matrix._mismatches(name, problems)
