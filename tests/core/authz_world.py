"""The callers of the authorisation matrix: for every role, one caller whose reach holds the
objects of ``refusal_world`` (all in community B1a of county B) and one whose reach does not.

Workers are told apart by ownership (the reporter of the report, the buyer of the order), staff
by jurisdiction (B1a, B1, B, the city against A1a, A1, A). Every caller has a bearer token for
the API (staff tokens passed the second factor) and a logged-in client for the pages.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.test import Client

from nuanxin.accounts.models import Role
from nuanxin.accounts.services import token_issue
from nuanxin.geo.models import Region
from nuanxin.party import services as party
from nuanxin.registry.models import Enterprise
from nuanxin.registry.services import enterprise_set_liaisons
from tests.core.refusal_world import World, build_world
from tests.factories import UserFactory, staff
from tests.helpers import verify_second_factor

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
    return AuthzWorld(world=world, tokens=tokens, clients=clients, api_client=api_client)


def _sharing(client: Client, other: Client) -> Client:
    client.handler = other.handler
    return client
