"""Demo part: the two online "随手" channels as volunteer projects, recorded and verified.

* 徐闻县徐城街道: riders and couriers livestream 徐闻 pineapples for the farmers (随时推), as the
  article tells of the county's pineapple season; each reports the product, platform, minutes,
  viewers and items sold.
* 廉江市城南街道: a livestream of 廉江 red oranges (随时推).
* 坡头区南调街道海盛社区: riders do small online errands for elderly and disabled residents
  (随手办): paying bills, booking hospital appointments, pension certification; each reports how
  many errands and how many residents of each group, never who.

Everything goes through the services, as in ``demo.volunteering``: staff post the projects and
sign the workers up (补录), the workers report their evidence, staff verify, and the points come
from pools this part funds under fixed transfer ids.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from nuanxin.accounts.models import Role, User
from nuanxin.demo.clock import as_of, before_today, start_of_today
from nuanxin.demo.loader import DemoContext
from nuanxin.demo.volunteering import fund_pools, street_admin
from nuanxin.geo.models import Region
from nuanxin.volunteering import services
from nuanxin.volunteering.models import (
    AwardRule,
    HelpedGroup,
    LivestreamPlatform,
    Outcome,
    Project,
    ProjectKind,
    Recurrence,
    Session,
)

POOL_BUDGET = 3000
XUWEN_STAFF = ("13700000004", "徐城街道管理员", "徐城街道", "440825")


@dataclass
class Plan:
    key: str
    title: str
    kind: str
    place: str
    weekdays: list[int]
    start: dt.time
    end: dt.time
    places: int
    per_task: int
    products: tuple[str, ...] = ()
    description: str = ""


PINEAPPLE = Plan(
    "xw-pineapple",
    "随时推·徐闻菠萝助农直播",
    ProjectKind.LIVESTREAM,
    "线上直播（徐城街道暖新驿站可借用直播设备）",
    [3, 6],
    dt.time(19, 0),
    dt.time(21, 0),
    6,
    30,
    ("徐闻菠萝", "徐闻菠萝（金钻凤梨）", "徐闻菠萝礼盒"),
    "骑手、快递员在收工后直播推介徐闻菠萝，帮果农打开销路；下播后上报时长、观看人数和售出件数。",
)
RED_ORANGE = Plan(
    "lj-orange",
    "随时推·廉江红橙直播",
    ProjectKind.LIVESTREAM,
    "线上直播",
    [6],
    dt.time(20, 0),
    dt.time(21, 30),
    4,
    30,
    ("廉江红橙", "廉江红橙礼盒"),
    "推介廉江红橙产业链的产品，下播后上报直播情况。",
)
ERRANDS = Plan(
    "hs-errands",
    "随手办·帮老人线上办事",
    ProjectKind.ERRANDS,
    "线上代办（海盛社区暖新驿站）",
    [2, 5],
    dt.time(14, 0),
    dt.time(17, 0),
    8,
    20,
    description="骑手在送餐间隙帮社区老人、残疾人线上缴费、预约挂号、养老资格认证；"
    "只上报件数和人数，不记录居民姓名和电话。",
)
PLATFORMS = (LivestreamPlatform.DOUYIN, LivestreamPlatform.KUAISHOU, LivestreamPlatform.CHANNELS)
ERRAND_NOTES = ("代缴水电费", "网上预约挂号", "养老金资格认证", "医保缴费", "代办燃气缴费")


def _street(name: str, county: str) -> Region:
    return Region.objects.get(name=name, level="street", parent__code=county)


def _post(plan: Plan, staff: User, region: Region, pool: Region, today: dt.date) -> Project:
    return services.project_create(
        actor=staff,
        title=plan.title,
        kind=plan.kind,
        region=region,
        pool_region=pool if region.level == "street" else None,
        place_name=plan.place,
        recurrence=Recurrence.WEEKLY,
        first_date=today - dt.timedelta(weeks=4),
        last_date=today + dt.timedelta(weeks=2),
        weekdays=plan.weekdays,
        start_time=plan.start,
        end_time=plan.end,
        places=plan.places,
        award_rule=AwardRule.PER_TASK,
        points_per_task=plan.per_task,
        description=plan.description,
        publish=True,
    )


def _workers(rng: random.Random, within: Region, count: int) -> list[User]:
    # The demo's workers have 139 numbers; compared here, not in SQL, as phones may be sealed.
    found = User.objects.filter(role=Role.WORKER, region__path__startswith=within.path)
    pool = sorted((u for u in found if u.phone.startswith("139")), key=lambda u: u.phone)
    return rng.sample(pool, min(count, len(pool)))


def _verify(session: Session, claim, staff: User) -> None:
    # Verified the evening after the session, on that day: its points count on that day.
    with as_of(before_today(session.ends_at + dt.timedelta(minutes=30))):
        services.attendance_verify(claim=claim, staff=staff, outcome=Outcome.FULL)


def _livestreams(
    rng: random.Random, project: Project, plan: Plan, people: list[User], staff: User
) -> tuple[int, int]:
    """Two or three livestreams per past session, each worker at most twice."""
    done = items = 0
    turns = {person.pk: 0 for person in people}
    for session in project.sessions.filter(ends_at__lt=start_of_today()):
        free = [p for p in people if turns[p.pk] < 2]
        for person in rng.sample(free, min(len(free), rng.randint(2, 3))):
            turns[person.pk] += 1
            claim = services.claim_record(session=session, worker=person, staff=staff)
            sold = rng.randint(40, 420)
            with as_of(before_today(session.ends_at)):
                services.livestream_report(
                    claim=claim,
                    worker=person,
                    product=rng.choice(plan.products),
                    platform=rng.choice(PLATFORMS),
                    minutes=rng.randint(60, 120),
                    viewers=rng.randint(600, 9000),
                    items_sold=sold,
                )
            _verify(session, claim, staff)
            done += 1
            items += sold
    return done, items


def _errands(
    rng: random.Random, project: Project, people: list[User], staff: User, first: User | None
) -> int:
    """One or two workers per past session, each reporting a few errands; ``first`` (the demo
    rider) takes part in the first session."""
    done = 0
    turns = {person.pk: 0 for person in people}
    for index, session in enumerate(project.sessions.filter(ends_at__lt=start_of_today())):
        free = [p for p in people if turns[p.pk] < 2 and p != first]
        chosen = rng.sample(free, min(len(free), rng.randint(1, 2)))
        if index == 0 and first is not None:
            chosen = [first, *chosen[:1]]
            turns[first.pk] = 0
        for person in chosen:
            turns[person.pk] += 1
            claim = services.claim_record(session=session, worker=person, staff=staff)
            errands = rng.randint(2, 6)
            elderly = rng.randint(1, errands)
            disabled = rng.randint(0, errands - elderly)
            with as_of(before_today(session.ends_at)):
                services.errands_report(
                    claim=claim,
                    worker=person,
                    errands=errands,
                    helped={
                        HelpedGroup.ELDERLY: elderly,
                        HelpedGroup.DISABLED: disabled,
                        HelpedGroup.OTHER: 0,
                    },
                    note="、".join(rng.sample(ERRAND_NOTES, 2)),
                )
            _verify(session, claim, staff)
            done += errands
    return done


def load(ctx: DemoContext) -> None:
    xuwen_staff = street_admin(ctx, *XUWEN_STAFF)
    if Project.objects.filter(title=PINEAPPLE.title).exists():
        ctx.say("“随手”渠道：演示项目已存在，跳过。")
        return
    rng = ctx.rng("channels")
    today = timezone.localdate()
    xucheng = _street("徐城街道", "440825")
    chengnan = _street("城南街道", "440881")
    chengnan_staff = User.objects.get(phone="13700000001")
    haisheng_staff = User.objects.get(phone="13800000004")
    haisheng = haisheng_staff.region
    xucheng_pool = xucheng.children.order_by("code").first()
    chengnan_pool = chengnan.children.order_by("code").first()
    pools = sorted({xucheng_pool, chengnan_pool, haisheng}, key=lambda r: r.code)
    fund_pools(pools, budget=POOL_BUDGET, label="channels")
    pineapple = _post(PINEAPPLE, xuwen_staff, xucheng, xucheng_pool, today)
    orange = _post(RED_ORANGE, chengnan_staff, chengnan, chengnan_pool, today)
    errands = _post(ERRANDS, haisheng_staff, haisheng, haisheng, today)
    county = Region.objects.get(code="440825")
    streams, items = _livestreams(rng, pineapple, PINEAPPLE, _workers(rng, county, 12), xuwen_staff)
    more, more_items = _livestreams(
        rng, orange, RED_ORANGE, _workers(rng, chengnan, 6), chengnan_staff
    )
    helpers = _workers(rng, haisheng.parent, 10)
    rider = User.objects.filter(phone="13800000007").first()
    done = _errands(rng, errands, helpers, haisheng_staff, rider)
    ctx.say(
        f"“随手”渠道：随时推 {streams + more} 场直播（自报售出 {items + more_items} 件），"
        f"随手办 {done} 件线上代办，均已核验并发放积分。"
    )
