"""Builders for volunteering tests: staff, workers, projects on a fixed day, funded pools."""

import datetime as dt
import itertools
import zoneinfo

from nuanxin.accounts.models import Role
from nuanxin.points import services as points
from nuanxin.volunteering import services
from nuanxin.volunteering.models import Claim, Project, ProjectKind
from tests.factories import UserFactory, staff
from tests.helpers import error_code as code_of  # noqa: F401 - used by the tests

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
# The standard session: a Monday, 09:00-11:00 local time, far from any real date.
DAY = dt.date(2031, 3, 3)
START, END = dt.time(9, 0), dt.time(11, 0)

_phones = itertools.count(1)


def community_staff(tree, community: str = "A1a"):
    return staff(Role.COMMUNITY_STAFF, tree[community])


def street_admin(tree, street: str = "A1"):
    return staff(Role.STREET_ADMIN, tree[street])


def worker(tree, community: str = "A1a", **fields):
    return UserFactory(role=Role.WORKER, region=tree[community], **fields)


def make_project(
    tree, *, region: str = "A1a", actor=None, publish: bool = True, **fields
) -> Project:
    actor = actor or staff(
        Role.COMMUNITY_STAFF if len(region) == 3 else Role.STREET_ADMIN, tree[region]
    )
    values = {
        "title": "楼道巡查",
        "kind": ProjectKind.STAIRWELL_PATROL,
        "place_name": "社区党群服务中心",
        "first_date": DAY,
        "start_time": START,
        "end_time": END,
        "places": 3,
    }
    values.update(fields)
    return services.project_create(actor=actor, region=tree[region], publish=publish, **values)


def only_session(project: Project):
    return project.sessions.get()


def fund(tree, community: str = "A1a", amount: int = 1000) -> None:
    """Put ``amount`` points into the community's pool (city fund -> pool)."""
    admin = staff(Role.CITY_ADMIN, tree.city)
    fund_account = points.fund_account(tree.city)
    n = next(_phones)
    points.fund_top_up(transfer_id=f"vt-top-{n}", fund=fund_account, amount=amount, actor=admin)
    points.budget_allocate(
        transfer_id=f"vt-alloc-{n}",
        fund=fund_account,
        community=tree[community],
        amount=amount,
        actor=admin,
    )


def seated(tree, session, community: str = "A1a") -> Claim:
    claim = services.claim_create(session=session, worker=worker(tree, community))
    assert claim.status == "claimed"
    return claim
