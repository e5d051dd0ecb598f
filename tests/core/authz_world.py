"""The callers of the authorisation matrix: for every role, one caller whose reach holds the
objects of ``refusal_world`` (all in community B1a of county B) and one whose reach does not.

Workers are told apart by ownership (the reporter of the report, the buyer of the order), staff
by jurisdiction (B1a, B1, B, the city against A1a, A1, A). Every caller has a bearer token for
the API (staff tokens passed the second factor) and a logged-in client for the pages.
"""

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group
from django.test import Client

from nuanxin.accounts.models import (
    ApiToken,
    LoginAttempt,
    LoginEvent,
    LoginFailureRecord,
    LoginMethod,
    LoginRecord,
    Role,
    login_account,
)
from nuanxin.accounts.services import location_consent_give, token_issue
from nuanxin.core.models import AuditLog
from nuanxin.core.timeutil import local_date
from nuanxin.coverage.models import HotSpot
from nuanxin.coverage.services import hotspots_import, roads_import
from nuanxin.geo.models import Region
from nuanxin.open311.services import client_create
from nuanxin.party import services as party
from nuanxin.party.models import (
    CommitteeSeat,
    IndustryScope,
    IndustryTheme,
    Meeting,
    OrgStatusChange,
)
from nuanxin.points.models import EarningPolicy, Entry, Hold
from nuanxin.points.services import worker_account
from nuanxin.registry.models import Enterprise, SurveyCampaign
from nuanxin.registry.services import enterprise_set_liaisons, finding_record_enterprise
from nuanxin.reports.models import Category, Department, Report, ResponseTemplate
from nuanxin.reports.services.categories import category_route_set, template_save
from nuanxin.stations.models import Station
from nuanxin.stations.services.amenities import amenity_save
from nuanxin.stations.services.hours import station_set_exception
from nuanxin.store.models import Movement, Stock
from tests.core.refusal_world import IN_B1A, World, build_world
from tests.coverage.osm import street_grid, write_osm
from tests.factories import TEST_PASSWORD, UserFactory, staff
from tests.helpers import verify_second_factor
from tests.points.factories import funded_pool

ANONYMOUS = "anonymous"
# Every role there is, and nobody at all.
ROLES: tuple[str, ...] = (ANONYMOUS, *Role.values)

# role -> (the caller who holds the world's objects, the caller who does not). The city's admin
# governs everything: there is no city outside it. Workers own what the world gave them; which
# worker owns an object is the entry's to say (``owner``), the other worker owns none of it.
CALLERS: dict[str, tuple[str | None, str | None]] = {
    ANONYMOUS: (None, None),
    Role.WORKER: ("worker_2", "worker_1"),
    Role.STATION_KEEPER: ("keeper_b", "keeper_a"),
    Role.ENTERPRISE_LIAISON: ("liaison_b", "liaison_a"),
    Role.COMMUNITY_STAFF: ("community_b", "community_a"),
    Role.STREET_ADMIN: ("street_b", "street_a"),
    Role.COUNTY_ADMIN: ("county_b", "county_a"),
    Role.CITY_ADMIN: ("city_admin", None),
}


@dataclass
class AuthzWorld:
    world: World
    tokens: dict[str, str]
    clients: dict[str, Client]  # who -> a client logged in as them; None -> nobody's
    # The API's client: it logs nobody in, the bearer token says who asks.
    api_client: Client

    def client(self, who: str | None) -> Client:
        return self.clients[who]

    def bearer(self, who: str | None) -> dict[str, str]:
        return {} if who is None else {"Authorization": f"Bearer {self.tokens[who]}"}


def _party_worker(user: Any) -> Any:
    party.party_work_grant(actor=None, user=user)
    return type(user).objects.get(pk=user.pk)


def build_authz_world(tree: Any, monkeypatch: Any) -> AuthzWorld:
    world = build_world(tree, monkeypatch)
    people = world.people
    # Region staff at every level, on both sides; all of them do party work, so that the
    # party's pages and operations are asked by callers who could use them.
    for side, community, street in (("a", "A1a", "A1"), ("b", "B1a", "B1")):
        people[f"community_{side}"] = staff(Role.COMMUNITY_STAFF, tree[community])
        people[f"street_{side}"] = staff(Role.STREET_ADMIN, tree[street])
    for who in ("community_a", "community_b", "street_a", "street_b", "city_admin"):
        people[who] = _party_worker(people[who])
    # The liaison of county B's enterprise (county A's liaison has their own).
    people["liaison_b"] = UserFactory(role=Role.ENTERPRISE_LIAISON)
    enterprise_set_liaisons(
        enterprise=Enterprise.objects.get(pk=world.ids["enterprise"]),
        liaisons=[people["liaison_b"]],
        actor=None,
    )
    if "party_grid_member" not in world.ids:
        # A part-time grid member in county B's first grid.
        grid = Region.objects.get(parent=tree["B1a"], code__endswith="01")
        world.ids["party_grid_member"] = party.grid_member_enrol(
            actor=None, user=people["worker_2"], grid=grid, on=dt.date(2021, 1, 1)
        ).pk
    world.ids["token"] = "nothing"  # a scanned code that names nothing
    # The buyer's points account, and points in their community's pool: a manual adjustment
    # and the approval of the waiting one move points there when they are allowed.
    world.ids["points_account"] = worker_account(people["order_owner"]).pk
    funded_pool(tree, "B1a", 1_000)
    tokens: dict[str, str] = {}
    # One handler for every client: each would otherwise load the middleware chain (and let
    # WhiteNoise walk the static files) on its first request. The clients differ only in
    # their cookies.
    api_client = Client()
    clients: dict[str | None, Client] = {None: _sharing(Client(), api_client)}
    for who, user in people.items():
        tokens[who] = token_issue(user=user, second_factor=user.is_staff)[0]
        client = _sharing(Client(), api_client)
        client.force_login(user)
        if user.is_staff:
            verify_second_factor(client, user)
        clients[who] = client
    _name_listed_rows(world)
    _add_settings_and_records(world, tree)
    _log_in_through_the_page(world, _sharing(Client(), api_client))
    _add_imports_and_party_records(world)
    return AuthzWorld(world=world, tokens=tokens, clients=clients, api_client=api_client)


def _name_listed_rows(world: World) -> None:
    """Give the ids of rows the world made on its way (the ledger's, the shop's, the log's,
    the city's settings and committee seats), so that the admin opens real ones of them.
    Each is county B's (the buyer's, the station's, the waiting adjustment's) or the city's."""
    ids = world.ids
    account = ids["points_account"]
    ids["points_entry"] = Entry.objects.filter(credit_id=account).order_by("pk").first().pk
    ids["points_hold"] = Hold.objects.filter(debit_id=account).order_by("pk").first().pk
    ids["points_policy"] = EarningPolicy.objects.order_by("pk").first().pk
    stock = Stock.objects.get(station_id=ids["station"], item_id=ids["item"])
    ids["stock"] = stock.pk
    ids["movement"] = Movement.objects.filter(stock=stock).order_by("pk").first().pk
    ids["audit"] = AuditLog.objects.get(action="points.adjustment_request").pk
    ids["api_token"] = ApiToken.objects.filter(user=world.people["worker_2"]).first().pk
    ids["category"] = Report.objects.get(pk=ids["report"]).category_id
    ids["department"] = Department.objects.get(code=world.extra["department"]).pk
    ids["party_seat"] = CommitteeSeat.objects.get(department_id=ids["party_department"]).pk


def _add_settings_and_records(world: World, tree: Any) -> None:
    """One row of each model the admin lists that the world had none of: county B's (the
    worker's consent, the member's badge, the branch's set-up, the campaign's finding, the
    station's closing day) and the city's (a route, a reply, an amenity, an Open311 client, a
    group), each made the way the project makes it."""
    ids, people = world.ids, world.people
    city = people["city_admin"]
    ids["location_consent"] = location_consent_give(user=people["worker_2"]).pk
    ids["party_badge"] = party.badge_set(user=people["party_member_b"], shown=True).pk
    ids["party_status_change"] = (
        OrgStatusChange.objects.filter(organisation_id=ids["party_org"]).order_by("pk").first().pk
    )
    ids["finding"] = finding_record_enterprise(
        campaign=SurveyCampaign.objects.get(pk=ids["campaign"]),
        actor=people["county_b"],
        enterprise=Enterprise.objects.get(pk=ids["enterprise"]),
    ).pk
    ids["hours_exception"] = station_set_exception(
        station=Station.objects.get(pk=ids["station"]),
        actor=people["keeper_b"],
        date=local_date() + dt.timedelta(days=3),
        closed=True,
        note="盘点",
    ).pk
    category = Category.objects.get(pk=ids["category"])
    ids["category_route"] = category_route_set(
        actor=city, category=category, region=tree["B1a"],
        department=Department.objects.get(pk=ids["department"]),
    ).pk  # fmt: skip
    state = ResponseTemplate._meta.get_field("state").choices[0][0]
    ids["response_template"] = template_save(
        actor=city, state=state, title="已受理", text="您的反映已受理。", category=category
    ).pk
    ids["amenity"] = amenity_save(code="authz_water", name="饮水", actor=city).pk
    ids["open311_client"] = client_create(actor=city, code="authz", name="市民热线")[0].pk
    ids["group"] = Group.objects.create(name="授权测试组").pk  # only superusers see groups


# Where county B's worker logs in from (the login records' address).
LOGIN_ADDRESS = "203.0.113.21"


def _log_in_through_the_page(world: World, client: Client) -> None:
    """County B's worker mistypes their password on the login page, then logs in: the page's
    password login writes the login history (``LoginEvent``) and django-axes' handler the
    attempt, the failure log and, on success, the login record; the world names each row.
    The page is asked by a client of its own: the world's clients stay logged in as they are."""
    user = world.people["worker_2"]
    for password in ("wrong-password", TEST_PASSWORD):
        answer = client.post(
            "/accounts/login/",
            {"mode": "password", "phone": user.phone, "password": password},
            REMOTE_ADDR=LOGIN_ADDRESS,
        )
        assert answer.status_code == (400 if password != TEST_PASSWORD else 302), answer
    account = login_account(user.phone)
    ids = world.ids
    ids["login_event"] = LoginEvent.objects.get(
        user=user, method=LoginMethod.PASSWORD, succeeded=True
    ).pk
    ids["login_attempt"] = LoginAttempt.objects.get(username=account, ip_address=LOGIN_ADDRESS).pk
    ids["login_failure"] = LoginFailureRecord.objects.get(
        username=account, ip_address=LOGIN_ADDRESS
    ).pk
    ids["login_record"] = LoginRecord.objects.get(username=account, ip_address=LOGIN_ADDRESS).pk


def _add_imports_and_party_records(world: World) -> None:
    """The coverage imports (a few streets and a hot spot in county B's B1a, both the city's
    as a whole: they replace what was there), a member's leave from the branch's meeting, and
    the figures of county B's enterprise, each through its service."""
    ids, people = world.ids, world.people
    with tempfile.TemporaryDirectory() as folder:
        nodes, ways = street_grid(3, 3, lon0=IN_B1A[0], lat0=IN_B1A[1], step=0.0025)
        ids["road_import"] = roads_import(
            path=write_osm(Path(folder) / "b1a.osm.pbf", nodes, ways),
            actor=people["city_admin"],
        )[0].pk
    sheet = "名称,经度,纬度,权重\nB1a外卖站点,{},{},25\n".format(*IN_B1A)
    hotspots_import(data=sheet.encode(), filename="b1a.csv", actor=people["city_admin"])
    ids["hot_spot"] = HotSpot.objects.get(name="B1a外卖站点").pk
    ids["party_attendance"] = party.meeting_absence(
        user=people["party_member_b"],
        meeting=Meeting.objects.get(pk=ids["party_meeting"]),
        reason="出车送单",
    ).pk
    ids["party_industry_figure"] = party.industry_figure_record(
        actor=people["community_b"],
        theme=IndustryTheme.ECOMMERCE,
        scope=IndustryScope.ENTERPRISE,
        period_start=dt.date(2031, 1, 1),
        period_end=dt.date(2031, 1, 31),
        enterprise=Enterprise.objects.get(pk=ids["enterprise"]),
        sales_yuan=120_000,
    ).pk


def _sharing(client: Client, other: Client) -> Client:
    client.handler = other.handler
    return client
