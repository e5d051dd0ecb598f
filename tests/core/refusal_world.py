"""A city with one of everything in county B, and callers from county A who may see none of it.

The refusal tests ask every endpoint and page about these objects and about ids that do not
exist, and expect the same answer for both.
"""

import datetime as dt
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from nuanxin.accounts.models import Role
from nuanxin.core.models import Notification
from nuanxin.coverage.services import siting_run_request
from nuanxin.party import services as party
from nuanxin.points import services as points
from nuanxin.registry.exporting import template_workbook
from nuanxin.registry.importing.engine import import_file
from nuanxin.registry.models import Enterprise, ImportMode
from nuanxin.registry.services import (
    campaign_create,
    enterprise_set_liaisons,
    registration_submit,
)
from nuanxin.reports.models import ReportPhoto
from nuanxin.reports.services import report_reject
from nuanxin.stations import services as stations
from nuanxin.store import services as store
from nuanxin.volunteering import services as volunteering
from nuanxin.volunteering.models import Attendance, Award, Outcome
from tests.factories import UserFactory, staff
from tests.helpers import Clock
from tests.points.factories import city_admin, worker_with_points
from tests.registry.factories import make_enterprise, make_worker
from tests.reports import factories as reports
from tests.stations.factories import make_station
from tests.volunteering.factories import DAY, TZ, make_project, only_session

IN_B1A = (110.25, 21.05)
MISSING_ID = 10**9


@dataclass
class World:
    people: dict[str, Any]
    ids: dict[str, Any]  # kind -> the id of an existing object in county B
    extra: dict[str, Any] = field(default_factory=dict)

    def missing(self, kind: str) -> Any:
        """An id of the same kind that names nothing."""
        return {
            "order": uuid.UUID(int=1),
            "siting_run": uuid.UUID(int=1),
            "adjustment": uuid.UUID(int=1),
            "claim_code": "ZZZZZZ",
            "region": "999999",
            "token": "nothing",
        }.get(kind, MISSING_ID)


def jpeg() -> bytes:
    return reports.jpeg_bytes()


def build_world(tree: Any, monkeypatch: Any) -> World:
    clock = Clock(monkeypatch, dt.datetime.combine(DAY - dt.timedelta(days=2), dt.time(9), TZ))
    people = {
        "county_a": staff(Role.COUNTY_ADMIN, tree["A"]),
        "keeper_a": staff(Role.STATION_KEEPER, tree["A1a"]),
        "liaison_a": UserFactory(role=Role.ENTERPRISE_LIAISON),
        "worker_1": UserFactory(role=Role.WORKER, region=tree["A1a"]),
        "county_b": staff(Role.COUNTY_ADMIN, tree["B"]),
        "keeper_b": staff(Role.STATION_KEEPER, tree["B1a"]),
        "worker_2": UserFactory(role=Role.WORKER, region=tree["B1a"]),
        "city_admin": city_admin(tree),
    }
    # What county A's callers legitimately hold: a station, an enterprise.
    make_station(lon=110.05, lat=21.05, name="A驿站", keepers=[people["keeper_a"]], amenities=())
    enterprise_set_liaisons(
        enterprise=make_enterprise(tree["A1a"]), liaisons=[people["liaison_a"]], actor=None
    )
    ids: dict[str, Any] = {"region": tree["B1a"].code}
    extra: dict[str, Any] = {"b1b": tree["B1b"].code}

    # Reports: one waiting for review with a photo (photos of its category are not public),
    # and one rejected (the public never sees it).
    category = reports.category(public_photos=False)
    extra["department"] = reports.department().code
    report = reports.submitted(
        tree, reporter=people["worker_2"], cat=category, point=IN_B1A, photos=[jpeg()]
    )
    ids["report"] = report.pk
    ids["report_photo"] = ReportPhoto.objects.get(report=report).pk
    rejected = reports.submitted(tree, reporter=people["worker_2"], cat=category, point=IN_B1A)
    report_reject(report=rejected, reviewer=people["county_b"], reason="不属实")
    ids["rejected_report"] = rejected.pk

    # A station with a photo and a shop, and a worker's waiting order there.
    station = make_station(
        lon=IN_B1A[0], lat=IN_B1A[1], name="B驿站", keepers=[people["keeper_b"]], amenities=()
    )
    ids["station"] = station.pk
    ids["station_photo"] = stations.station_photo_add(station=station, actor=None, data=jpeg()).pk
    store.shop_open(actor=None, station=station)
    item = store.item_create(
        actor=people["city_admin"], name="大米", category="grain_oil", points_price=10
    )
    ids["item"] = item.pk
    store.stock_restock(actor=None, station=station, item=item, quantity=5)
    buyer, _account = worker_with_points(tree, 100, "B1a")
    people["order_owner"] = buyer
    ids["order"] = store.order_create(worker=buyer, station=station, item=item).public_id
    # A manual adjustment above the approval threshold, waiting for county B's admin.
    ids["adjustment"] = points.adjustment_request(
        transfer_id="refusal-world",
        worker=buyer,
        amount=500,
        reason="补发",
        actor=staff(Role.COMMUNITY_STAFF, tree["B1a"]),
    ).public_id

    # Volunteering: a published project whose session a worker attended (verified, the award
    # waits for the empty pool), and a draft project.
    project = make_project(tree, region="B1a", actor=people["county_b"])
    session = only_session(project)
    claim = volunteering.claim_create(session=session, worker=people["worker_2"])
    people["claim_owner"] = people["worker_2"]
    token = volunteering.session_token(session)
    clock.at = dt.datetime.combine(DAY, dt.time(9, 5), TZ)
    volunteering.attendance_check_in(token=token, worker=people["worker_2"])
    clock.at = dt.datetime.combine(DAY, dt.time(11, 0), TZ)
    volunteering.attendance_check_out(token=token, worker=people["worker_2"])
    volunteering.attendance_verify(claim=claim, staff=people["county_b"], outcome=Outcome.FULL)
    draft = make_project(tree, region="B1a", actor=people["county_b"], publish=False)
    ids.update(
        project=project.pk,
        session=session.pk,
        claim=claim.pk,
        claim_code=claim.code,
        attendance=Attendance.objects.get(claim=claim).pk,
        award=Award.objects.get(attendance__claim=claim).pk,
        draft_project=draft.pk,
        draft_session=only_session(draft).pk,
    )

    # The registry: an enterprise, a worker registered with their community, a campaign over
    # county B, an import by county B's admin.
    ids["enterprise"] = make_enterprise(tree["B1a"]).pk
    person = make_worker(tree["B1a"])
    ids["worker"] = person.pk
    ids["registration"] = registration_submit(community=tree["B1a"], actor=None, worker=person).pk
    ids["campaign"] = campaign_create(
        actor=people["county_b"],
        name="B区三找行动",
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=30),
        target_regions=[tree["B"]],
    ).pk
    ids["import"] = import_file(
        file=io.BytesIO(template_workbook()),
        actor=people["county_b"],
        mode=ImportMode.DRY_RUN,
        file_name="b.xlsx",
    ).job.pk
    # A siting run county B's planner asked for (queued: the test runs no worker).
    ids["siting_run"] = siting_run_request(user=people["county_b"], query="p=2").pk
    # The party: a mobile branch in county B with one member who has an account, and a meeting;
    # both county admins do party work (county A's inside county A only).
    for who in ("county_a", "county_b"):
        party.party_work_grant(actor=None, user=people[who])
        people[who] = type(people[who]).objects.get(pk=people[who].pk)
    branch = party.organisation_create(
        actor=None, name="B区流动党支部", kind="branch", branch_type="mobile",
        attachment="region", region=tree["B1"], founded_on=dt.date(2021, 1, 1),
    )  # fmt: skip
    ids["party_org"] = branch.pk
    people["party_member_b"] = UserFactory(role=Role.WORKER, region=tree["B1a"])
    comrade = make_worker(tree["B1a"], political_status="party_member")
    type(comrade).objects.filter(pk=comrade.pk).update(user=people["party_member_b"])
    ids["party_membership"] = party.membership_join(
        actor=None, worker=comrade, organisation=branch, kind="formal",
        joined_on=dt.date(2021, 1, 1), mobile=True,
    ).pk  # fmt: skip
    ids["party_membership_leaving"] = party.membership_join(
        actor=None, worker=make_worker(tree["B1a"], political_status="party_member"),
        organisation=branch, kind="formal", joined_on=dt.date(2021, 1, 1),
    ).pk  # fmt: skip
    start = dt.datetime.combine(DAY, dt.time(19), TZ)
    ids["party_meeting"] = party.meeting_schedule(
        actor=None, organisation=branch, kind="theme_day", title="主题党日",
        starts_at=start, ends_at=start + dt.timedelta(hours=2), place="B区党群服务中心",
    ).pk  # fmt: skip
    # County B's mass organisation with a member, an instructor at its enterprise, an officer.
    union = party.mass_organisation_create(
        actor=None, name="B区某企业工会", kind="union", region=tree["B1a"],
        founded_on=dt.date(2021, 1, 1), enterprise=Enterprise.objects.get(pk=ids["enterprise"]),
    )  # fmt: skip
    ids["party_mass"] = union.pk
    ids["party_mass_member"] = party.mass_member_add(
        actor=None, organisation=union, worker=comrade, on=dt.date(2021, 2, 1)
    ).pk
    ids["party_instructor"] = party.instructor_assign(
        actor=None, enterprise=union.enterprise, name="王指导", on=dt.date(2021, 3, 1)
    ).pk
    ids["party_officer"] = party.officer_appoint(
        actor=None, organisation=branch, post="secretary", name="李书记", on=dt.date(2021, 1, 1)
    ).pk
    # A part-time grid member of a grid in county B.
    ids["party_grid_member"] = party.grid_member_enrol(
        actor=None, user=people["worker_2"], grid=tree["B1a-1"], on=dt.date(2021, 1, 1)
    ).pk
    # The committee is the city's: a member unit, a meeting and an action item, kept by the
    # city's party-work staff (county staff are refused them whatever the id).
    people["city_party"] = staff(Role.CITY_ADMIN, tree.city)
    party.party_work_grant(actor=None, user=people["city_party"])
    people["city_party"] = type(people["city_party"]).objects.get(pk=people["city_party"].pk)
    seat = party.department_join(actor=None, name="市人社局", on=dt.date(2021, 1, 1))
    ids["party_department"] = seat.department_id
    committee_meeting = party.committee_meeting_record(
        actor=None, kind="coordination", title="联席会议", held_on=dt.date(2021, 3, 1),
        attendees=[seat.department],
    )  # fmt: skip
    ids["party_committee_meeting"] = committee_meeting.pk
    ids["party_action_item"] = party.action_item_add(
        actor=None, meeting=committee_meeting, title="骑手职业伤害保障", owner=seat.department,
        due_on=dt.date(2021, 6, 1),
    ).pk  # fmt: skip
    # A message in county B's worker's inbox.
    ids["notification"] = Notification.objects.create(
        user=people["worker_2"], kind="reports.accepted", title="随手拍已受理"
    ).pk
    return World(people=people, ids=ids, extra=extra)
