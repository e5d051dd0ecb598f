"""Demo part: volunteer projects in the streets the article names, with their past sessions
verified and points paid, and upcoming sessions open for claims.

* 廉江市城南街道 and 霞山区新园街道: riders hand out policy leaflets (随手派) and patrol stairwells
  while delivering; 35 riders handed out 600+ leaflets there, as the article says (城南's
  red-orange livestream of ``demo.channels`` has streamers of its own, outside that figure).
* 赤坎区沙湾街道: civic-transport publicity and exam support led by the Didi drivers' mobile
  party branch (party members first).
* 坡头区南调街道海盛社区: a community project the demo worker 13800000007 has joined.

Everything goes through the volunteering services: staff post projects (past dates are
recorded afterwards, 补录), sign riders up on the sheet, mark their check-in and check-out times,
and verify; the points come from the paying communities' pools, which this part funds from the
city fund with fixed transfer ids (so a second run adds nothing).
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from nuanxin.accounts.models import Role, User
from nuanxin.accounts.services import user_create
from nuanxin.demo.clock import as_of, before_today, start_of_today
from nuanxin.demo.loader import DEMO_PASSWORD, DemoContext
from nuanxin.geo.models import Region
from nuanxin.points import services as points
from nuanxin.volunteering import services
from nuanxin.volunteering.models import (
    AwardRule,
    Outcome,
    Project,
    ProjectKind,
    Recurrence,
    Requirement,
    Session,
)

RIDERS_IN_TWO_STREETS = 35
LEAFLETS_AT_LEAST = 600
POOL_BUDGET = 4000

STAFF = [
    # (phone, name, street name, county code)
    ("13700000001", "城南街道管理员", "城南街道", "440881"),
    ("13700000002", "新园街道管理员", "新园街道", "440803"),
    ("13700000003", "沙湾街道管理员", "沙湾街道", "440802"),
]


@dataclass
class Plan:
    """One demo project: who posts it, where, when, and its rule."""

    key: str
    street: str
    community: int  # index of the meeting place's community in the street, by code
    title: str
    kind: str
    place: str
    weekdays: list[int]
    start: dt.time
    end: dt.time
    places: int
    weeks_back: int
    weeks_ahead: int
    rule: str = AwardRule.PER_HOUR
    per_task: int | None = None
    target: int | None = None
    requirement: str = Requirement.NONE
    description: str = ""


PLANS = [
    Plan(
        "cn-leaflets",
        "城南街道",
        1,
        "政策传单随手派·中山一路",
        ProjectKind.LEAFLETS,
        "中山一路暖新驿站门口",
        [2, 4],
        dt.time(14, 0),
        dt.time(17, 0),
        12,
        4,
        2,
        rule=AwardRule.PER_TASK,
        per_task=20,
        target=150,
        description="骑手在送餐途中向商户、住户发放就业和社保政策传单，签退时上报发放份数。",
    ),
    Plan(
        "cn-patrol",
        "城南街道",
        0,
        "送餐入户·楼道巡查",
        ProjectKind.STAIRWELL_PATROL,
        "太和社区党群服务中心",
        [6],
        dt.time(15, 0),
        dt.time(17, 0),
        8,
        4,
        2,
        description="送餐进楼入户时查看楼道消防通道、电动车充电和堆物隐患，发现问题随手拍上报。",
    ),
    Plan(
        "xy-leaflets",
        "新园街道",
        1,
        "政策传单随手派·新园",
        ProjectKind.LEAFLETS,
        "民主社区新就业群体驿站",
        [1, 3],
        dt.time(14, 30),
        dt.time(17, 0),
        12,
        4,
        2,
        rule=AwardRule.PER_TASK,
        per_task=20,
        target=150,
        description="向沿街商户和小区住户发放政策传单，宣传新就业群体权益保障和文明城市创建。",
    ),
    Plan(
        "xy-patrol",
        "新园街道",
        2,
        "文明宣传与楼道巡查",
        ProjectKind.CIVIC_PUBLICITY,
        "新城社区居委会",
        [5],
        dt.time(15, 0),
        dt.time(17, 0),
        8,
        4,
        2,
        description="送餐进楼时开展文明宣传，顺带巡查楼道安全隐患。",
    ),
    Plan(
        "sw-party",
        "沙湾街道",
        0,
        "滴滴司机流动党支部·文明出行宣传",
        ProjectKind.SAFETY_CAMPAIGN,
        "沙湾街道党群服务中心广场",
        [6],
        dt.time(9, 0),
        dt.time(11, 0),
        15,
        3,
        3,
        requirement=Requirement.PARTY_FIRST,
        description="流动党支部党员司机亮身份，在站点宣传安全驾驶、文明出行。",
    ),
]


def _street(name: str) -> Region:
    return Region.objects.get(name=name, level="street")


def street_admin(ctx: DemoContext, phone: str, name: str, street_name: str, county: str) -> User:
    """The street's demo administrator (made on the first run), listed with the accounts."""
    street = Region.objects.get(name=street_name, level="street", parent__code=county)
    user = User.objects.filter(phone=phone).first()
    created = user is None
    if user is None:
        user = user_create(
            phone=phone, name=name, role=Role.STREET_ADMIN, region=street, password=DEMO_PASSWORD
        )
    ctx.account(str(Role.STREET_ADMIN.label), name, phone, created=created)
    return user


def _staff(ctx: DemoContext) -> dict[str, User]:
    return {
        street: street_admin(ctx, phone, name, street, county)
        for phone, name, street, county in STAFF
    }


def fund_pools(communities: list[Region], *, budget: int, label: str) -> None:
    """``budget`` for each paying pool, from the city fund, under fixed transfer ids named
    ``demo:<label>:…`` (so a second run pays nothing twice)."""
    admin = User.objects.get(phone="13800000001")
    city = Region.objects.get(level="city")
    fund = points.fund_account(city)
    points.fund_top_up(
        transfer_id=f"demo:{label}:top-up",
        fund=fund,
        amount=budget * len(communities),
        actor=admin,
    )
    for community in communities:
        points.budget_allocate(
            transfer_id=f"demo:{label}:allocate:{community.code}",
            fund=fund,
            community=community,
            amount=budget,
            actor=admin,
        )


def _post(plan: Plan, staff: User, today: dt.date) -> Project:
    street = _street(plan.street)
    community = list(street.children.order_by("code"))[plan.community]
    return services.project_create(
        actor=staff,
        title=plan.title,
        kind=plan.kind,
        region=street,
        pool_region=community,
        place_name=plan.place,
        place=(community.centre_lon, community.centre_lat),
        recurrence=Recurrence.WEEKLY,
        first_date=today - dt.timedelta(weeks=plan.weeks_back),
        last_date=today + dt.timedelta(weeks=plan.weeks_ahead),
        weekdays=plan.weekdays,
        start_time=plan.start,
        end_time=plan.end,
        places=plan.places,
        award_rule=plan.rule,
        points_per_task=plan.per_task,
        quantity_target=plan.target,
        requirement=plan.requirement,
        description=plan.description,
        publish=True,
    )


def _attend(
    rng: random.Random,
    session: Session,
    worker: User,
    staff: User,
    *,
    quantity: int | None = None,
    outcome: str = Outcome.FULL,
) -> int:
    """Sign a worker up for a past session, mark the times, verify; returns the points paid."""
    claim = services.claim_record(session=session, worker=worker, staff=staff)
    if outcome != Outcome.NO_SHOW:
        arrive = session.starts_at + dt.timedelta(minutes=rng.randint(-10, 10))
        leave = session.ends_at - dt.timedelta(minutes=rng.randint(0, 20))
        services.attendance_staff_check_in(claim=claim, staff=staff, at=arrive)
        services.attendance_staff_check_out(claim=claim, staff=staff, at=leave, quantity=quantity)
    # Verified half an hour after the session, on that day: its points count on that day.
    with as_of(before_today(session.ends_at + dt.timedelta(minutes=30))):
        attendance = services.attendance_verify(
            claim=claim, staff=staff, outcome=outcome, quantity=quantity
        )
    return attendance.points_awarded


def _riders(rng: random.Random, street: str, count: int) -> list[User]:
    # The demo's riders have 139 numbers; compared here, not in SQL, as phones may be sealed.
    found = User.objects.filter(role=Role.WORKER, region__path__startswith=_street(street).path)
    pool = sorted((u for u in found if u.phone.startswith("139")), key=lambda u: u.phone)
    return rng.sample(pool, min(count, len(pool)))


def _leaflet_quantities(rng: random.Random, count: int) -> list[int]:
    quantities = [rng.randint(11, 19) for _ in range(count)]
    short = LEAFLETS_AT_LEAST - sum(quantities)
    if short > 0:
        quantities[-1] += short + rng.randint(10, 40)
    return quantities


def _run_two_streets(
    rng: random.Random, projects: dict[str, Project], staff: dict[str, User], now: dt.datetime
) -> tuple[int, int]:
    """35 riders in 城南 and 新园: everyone hands out leaflets at least once, many also patrol."""
    split = {"城南街道": 16, "新园街道": RIDERS_IN_TWO_STREETS - 16}
    keys = {"城南街道": ("cn-leaflets", "cn-patrol"), "新园街道": ("xy-leaflets", "xy-patrol")}
    leaflet_visits: list[tuple[Session, User, User]] = []
    patrol_visits: list[tuple[Session, User, User]] = []
    for street, count in split.items():
        leaflet_key, patrol_key = keys[street]
        leaflet_sessions = list(projects[leaflet_key].sessions.filter(ends_at__lt=now))
        patrol_sessions = list(projects[patrol_key].sessions.filter(ends_at__lt=now))
        for index, rider in enumerate(_riders(rng, street, count)):
            first = leaflet_sessions[index % len(leaflet_sessions)]
            leaflet_visits.append((first, rider, staff[street]))
            if rng.random() < 0.3:
                second = leaflet_sessions[(index + 3) % len(leaflet_sessions)]
                if second != first:
                    leaflet_visits.append((second, rider, staff[street]))
            if patrol_sessions and rng.random() < 0.6:
                patrol_visits.append(
                    (patrol_sessions[index % len(patrol_sessions)], rider, staff[street])
                )
    paid = 0
    for (session, rider, by), quantity in zip(
        leaflet_visits, _leaflet_quantities(rng, len(leaflet_visits)), strict=True
    ):
        paid += _attend(rng, session, rider, by, quantity=quantity)
    for session, rider, by in patrol_visits:
        paid += _attend(rng, session, rider, by)
    # Two riders signed up for a patrol and did not come: recorded as no-shows.
    for session, rider, by in patrol_visits[:2]:
        later = session.project.sessions.filter(ends_at__lt=now, starts_at__gt=session.starts_at)
        if later.exists():
            _attend(rng, later.first(), rider, by, outcome=Outcome.NO_SHOW)
    return len(leaflet_visits) + len(patrol_visits), paid


def _run_drivers(
    rng: random.Random, project: Project, staff: User, now: dt.datetime
) -> tuple[int, int]:
    drivers = _riders(rng, "沙湾街道", 14)
    chen = User.objects.filter(phone="13800000009").first()
    if chen is not None:
        drivers.append(chen)
    visits = paid = 0
    for index, session in enumerate(project.sessions.filter(ends_at__lt=now)):
        for driver in drivers[index::2][: project.places]:
            paid += _attend(rng, session, driver, staff)
            visits += 1
    return visits, paid


def _open_claims(rng: random.Random, projects: list[Project], now: dt.datetime) -> int:
    """Riders claim upcoming sessions of their street's projects themselves; the next patrol
    in 城南 fills up and puts one rider on the waiting list."""
    made = 0
    for project in projects:
        if project.requirement == Requirement.PARTY_FIRST:
            continue  # held back until the registry says who the party members are
        upcoming = project.sessions.filter(starts_at__gt=now).first()
        if upcoming is None:
            continue
        riders = _riders(rng, project.street.name, upcoming.places + 1)
        wanted = upcoming.places + 1 if project.kind == ProjectKind.STAIRWELL_PATROL else 3
        for rider in riders[:wanted]:
            services.claim_create(session=upcoming, worker=rider)
            made += 1
    return made


def _haisheng(rng: random.Random, today: dt.date, now: dt.datetime) -> Project | None:
    """A community project of 海盛社区 that the demo rider 骑手小李 has joined."""
    staff = User.objects.filter(phone="13800000004").first()
    rider = User.objects.filter(phone="13800000007").first()
    if staff is None or rider is None:
        return None
    community = staff.region
    project = services.project_create(
        actor=staff,
        title="海盛社区·垃圾分类与消防宣传",
        kind=ProjectKind.COMMUNITY_SERVICE,
        region=community,
        place_name="海盛社区暖新驿站",
        place=(community.centre_lon, community.centre_lat),
        recurrence=Recurrence.WEEKLY,
        first_date=today - dt.timedelta(weeks=2),
        last_date=today + dt.timedelta(weeks=3),
        weekdays=[3],
        start_time=dt.time(16, 0),
        end_time=dt.time(18, 0),
        places=6,
        publish=True,
    )
    past = project.sessions.filter(ends_at__lt=start_of_today()).first()
    if past is not None:
        _attend(rng, past, rider, staff)
    upcoming = project.sessions.filter(starts_at__gt=now).first()
    if upcoming is not None:
        services.claim_create(session=upcoming, worker=rider)
    return project


def _exam_support(staff: User, today: dt.date) -> Project:
    street = _street("沙湾街道")
    community = street.children.order_by("code").first()
    return services.project_create(
        actor=staff,
        title="爱心助考·流动党支部送考",
        kind=ProjectKind.EXAM_SUPPORT,
        region=street,
        pool_region=community,
        place_name="湛江市第二中学考点门口",
        place=(community.centre_lon, community.centre_lat),
        first_date=today + dt.timedelta(days=10),
        start_time=dt.time(7, 0),
        end_time=dt.time(9, 30),
        places=20,
        requirement=Requirement.PARTY_FIRST,
        description="党员司机免费接送考生、维护考点周边交通秩序。",
        publish=True,
    )


def load(ctx: DemoContext) -> None:
    if Project.objects.filter(title=PLANS[0].title).exists():
        _staff(ctx)
        ctx.say("志愿服务：演示项目已存在，跳过。")
        return
    rng = ctx.rng("volunteering")
    staff = _staff(ctx)
    now = timezone.now()
    today = timezone.localdate()
    # Sessions attended are those that ended before today (their points were paid on their day).
    ended = start_of_today()
    projects = {plan.key: _post(plan, staff[plan.street], today) for plan in PLANS}
    haisheng_staff = User.objects.filter(phone="13800000004").first()
    paying = [p.pool_region for p in projects.values()]
    if haisheng_staff is not None:
        paying.append(haisheng_staff.region)
    fund_pools(sorted(set(paying), key=lambda r: r.code), budget=POOL_BUDGET, label="volunteering")
    visits, paid = _run_two_streets(rng, projects, staff, ended)
    driver_visits, driver_paid = _run_drivers(rng, projects["sw-party"], staff["沙湾街道"], ended)
    _haisheng(rng, today, now)
    _exam_support(staff["沙湾街道"], today)
    claims = _open_claims(rng, list(projects.values()), now)
    ctx.say(
        f"志愿服务：{len(projects) + 2} 个项目；城南、新园街道 {visits} 人次服务、"
        f"沙湾街道司机 {driver_visits} 人次，共发放 {paid + driver_paid} 积分；"
        f"即将开始的场次已有 {claims} 人认领（含候补）。"
    )
