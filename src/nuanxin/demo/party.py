"""Demo part: the party and mass organisations of the article.

18 party organisations, among them 湛江市滴滴快车司机第一流动党支部 in 赤坎区沙湾街道 (the 27
Didi drivers the registry records as party members there), the 遂溪县 e-commerce park branch
(founded 2020-09, 7 members, 5 activists) and the 廉江 red-orange (红橙) industry joint
committee with its 4 branches; the registry's 165 party members all belong to one of them;
88 mass organisations (unions, Youth League, Women's Federation); the city committee with 22
member departments today (24 over its life: four joined in 2023, two left in 2024), three of
its meetings with action items, one overdue; 中通 couriers in 雷州市 enrolled as part-time grid
members; instructors (党建指导员) in six enterprises; the Didi branch's theme day under way,
with drivers signed in online; a party-work staff account; badges shown
by some of the Didi drivers.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F
from django.utils import timezone
from shapely.geometry import box, mapping, shape

from nuanxin.accounts.models import Role, User
from nuanxin.accounts.services import user_create
from nuanxin.core.timeutil import local_date
from nuanxin.demo.loader import DEMO_PASSWORD, DemoContext
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.geo.services import region_save
from nuanxin.party import services
from nuanxin.party.models import (
    Attachment,
    BranchType,
    CommitteeDepartment,
    MassKind,
    Membership,
    MembershipKind,
    Organisation,
    OrgKind,
)
from nuanxin.party.selectors.committee import departments_on
from nuanxin.registry.models import (
    PARTY_STATUSES,
    Enterprise,
    EnterpriseKind,
    PoliticalStatus,
    Worker,
    WorkerStatus,
)
from nuanxin.registry.services import worker_self_register

DIDI_BRANCH = "湛江市滴滴快车司机第一流动党支部"
SUIXI_BRANCH = "遂溪县电子商务产业园党支部"
SUIXI_PARK = "遂溪县电子商务产业园"
SUIXI_FOUNDED = dt.date(2020, 9, 18)
SUIXI_MEMBERS, SUIXI_ACTIVISTS = 7, 5
RED_ORANGE = "廉江市红橙产业联合党委"
CATCH_ALL = "湛江市新就业群体流动党员党支部"
PARTY_STAFF_PHONE = "13800000010"
GRID_MEMBERS = 6
INSTRUCTORS = 6
MASS_TOTAL = 88
DEPARTMENTS_NOW = 22


@dataclass
class Plan:
    name: str
    kind: str
    attachment: str
    region: str  # county code, or "county code/street name"
    founded: dt.date
    branch_type: str = BranchType.REGULAR
    parent: str = ""
    enterprise: str = ""  # enterprise name, or "brand:county" for the county's first site
    chain: str = ""
    brands: tuple[str, ...] = ()  # members working for these brands in its county go here


B, GB, JC = OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.JOINT_COMMITTEE
ENT, PARK, CHAIN, REG = Attachment.ENTERPRISE, Attachment.PARK, Attachment.CHAIN, Attachment.REGION
MOBILE = BranchType.MOBILE
PLANS = [
    Plan(RED_ORANGE, JC, CHAIN, "440881/城南街道", dt.date(2021, 7, 1), chain="红橙产业链"),
    Plan("廉江市红橙种植专业合作社党支部", B, CHAIN, "440881", dt.date(2021, 7, 1),
         parent=RED_ORANGE, chain="红橙产业链"),
    Plan("廉江市红橙电商直播党支部", B, CHAIN, "440881/城南街道", dt.date(2021, 7, 1),
         parent=RED_ORANGE, chain="红橙产业链", brands=("抖音", "快手")),
    Plan("廉江市红橙物流配送流动党支部", B, CHAIN, "440881", dt.date(2022, 3, 1), MOBILE,
         parent=RED_ORANGE, chain="红橙产业链", brands=("顺丰", "中通", "京东")),
    Plan("廉江市红橙精深加工企业党支部", B, CHAIN, "440881", dt.date(2022, 3, 1),
         parent=RED_ORANGE, chain="红橙产业链"),
    Plan(DIDI_BRANCH, B, ENT, "440802/沙湾街道", dt.date(2021, 5, 20), MOBILE,
         enterprise="滴滴出行湛江分公司"),
    Plan(SUIXI_BRANCH, B, PARK, "440823", SUIXI_FOUNDED, enterprise=SUIXI_PARK),
    Plan("中通快递湛江分公司党支部", B, ENT, "440882", dt.date(2022, 6, 30),
         enterprise="中通快递湛江分公司", brands=("中通",)),
    Plan("美团湛江外卖配送党总支", GB, ENT, "440802", dt.date(2021, 6, 28),
         enterprise="美团:440802"),
    Plan("美团外卖赤坎片区流动党支部", B, ENT, "440802", dt.date(2021, 6, 28), MOBILE,
         parent="美团湛江外卖配送党总支", enterprise="美团:440802", brands=("美团", "饿了么")),
    Plan("美团外卖霞山片区流动党支部", B, ENT, "440803", dt.date(2022, 1, 10), MOBILE,
         parent="美团湛江外卖配送党总支", enterprise="美团:440803", brands=("美团", "饿了么")),
    Plan("顺丰速运湛江分公司党支部", B, ENT, "440802", dt.date(2021, 12, 1),
         enterprise="顺丰速运湛江分公司", brands=("顺丰",)),
    Plan("坡头区南调街道新就业群体联合党支部", B, REG, "440804/南调街道", dt.date(2023, 4, 1)),
    Plan("霞山区新园街道快递行业联合党支部", B, REG, "440803/新园街道", dt.date(2023, 5, 1)),
    Plan("麻章区新就业群体联合党支部", B, REG, "440811", dt.date(2022, 8, 1)),
    Plan("徐闻县菠萝电商物流园党支部", B, PARK, "440825", dt.date(2022, 9, 1),
         enterprise="徐闻县菠萝电商物流园"),
    Plan("吴川市网约车司机流动党支部", B, REG, "440883", dt.date(2023, 7, 1), MOBILE),
    Plan(CATCH_ALL, B, REG, "440800", dt.date(2021, 7, 1), MOBILE),
]  # fmt: skip
# Where the members of a county go when no organisation of their brand is there.
COUNTY_HOME = {
    "440802": "美团外卖赤坎片区流动党支部", "440803": "霞山区新园街道快递行业联合党支部",
    "440804": "坡头区南调街道新就业群体联合党支部", "440811": "麻章区新就业群体联合党支部",
    "440825": "徐闻县菠萝电商物流园党支部", "440883": "吴川市网约车司机流动党支部",
    "440882": "中通快递湛江分公司党支部",
}  # fmt: skip
RED_ORANGE_BRANCHES = [p.name for p in PLANS if p.parent == RED_ORANGE]

# 24 departments over the committee's life: 20 from 2021, 4 more from 2023, 2 left in 2024.
FIRST_DEPARTMENTS = [
    "市委组织部", "市委宣传部", "市委政法委", "市委网信办", "市发展和改革局", "市工业和信息化局",
    "市公安局", "市民政局", "市人力资源和社会保障局", "市交通运输局", "市商务局",
    "市市场监督管理局", "市邮政管理局", "市总工会", "团市委", "市妇联", "市卫生健康局",
    "市住房和城乡建设局", "市城市管理和综合执法局", "市应急管理局",
]  # fmt: skip
JOINED_2023 = ["市税务局", "市医疗保障局", "市委社会工作部", "市司法局"]
LEFT_2024 = ["市住房和城乡建设局", "市应急管理局"]


def _region(key: str) -> Region:
    county_code, _sep, street = key.partition("/")
    county = Region.objects.get(code=county_code)
    if not street:
        return county
    return Region.objects.get(parent=county, name=street, level=RegionLevel.STREET)


def _enterprise(key: str) -> Enterprise | None:
    if not key:
        return None
    kind, _sep, county = key.partition(":")
    if not county:
        return Enterprise.objects.get(name=key)
    qs = Enterprise.objects.filter(region__path__contains=f"/{county}/").order_by("name")
    if kind == "park":
        return qs.filter(kind=EnterpriseKind.LOGISTICS_PARK).first()
    brand = qs.filter(platform_brand=kind)
    return brand.filter(name__startswith=kind).first() or brand.first()


def _county_of(worker: Worker) -> str:
    return worker.region.path.split("/")[1]


def _organisations() -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for plan in PLANS:
        enterprise = _enterprise(plan.enterprise)
        orgs[plan.name] = services.organisation_create(
            actor=None, name=plan.name, kind=plan.kind, attachment=plan.attachment,
            region=_region(plan.region), founded_on=plan.founded, branch_type=plan.branch_type,
            parent=orgs.get(plan.parent), enterprise=enterprise, chain_name=plan.chain,
        )  # fmt: skip
        services.officer_appoint(
            actor=None, organisation=orgs[plan.name], post="secretary",
            name=f"{plan.name[:2]}书记", on=plan.founded,
        )  # fmt: skip
    # The joint committee covers the red-orange chain's enterprises of 廉江; the street joint
    # branches the enterprises of their street that have no organisation of their own.
    services.organisation_set_covered(
        actor=None, organisation=orgs[RED_ORANGE],
        enterprises=list(Enterprise.objects.filter(region__path__contains="/440881/",
                                                   industry__in=["ecommerce", "livestream"])),
    )  # fmt: skip
    for name in ("坡头区南调街道新就业群体联合党支部", "霞山区新园街道快递行业联合党支部"):
        org = orgs[name]
        nearby = Enterprise.objects.filter(region__path__startswith=org.region.path).filter(
            party_organisations__isnull=True
        )
        services.organisation_set_covered(actor=None, organisation=org, enterprises=list(nearby))
    # Party-building instructors (党建指导员) in a few enterprises with no organisation at all.
    bare = Enterprise.objects.filter(
        party_organisations__isnull=True, covering_party_organisations__isnull=True,
        region__path__regex=r"/(440823|440883)/",
    ).order_by("name")[:INSTRUCTORS]  # fmt: skip
    for number, enterprise in enumerate(bare):
        services.instructor_assign(
            actor=None, enterprise=enterprise, name=f"指导员{number + 1:02d}",
            on=dt.date(2024, 4, 1) + dt.timedelta(days=30 * number),
        )  # fmt: skip
    return orgs


def _kind(worker: Worker) -> str:
    if worker.political_status == PoliticalStatus.PROBATIONARY:
        return MembershipKind.PROBATIONARY
    return MembershipKind.FORMAL


def _members(orgs: dict[str, Organisation]) -> dict[str, int]:
    members = list(
        Worker.objects.filter(political_status__in=PARTY_STATUSES)
        .select_related("region", "work_region")
        .prefetch_related("enterprises")
        .order_by("pk")
    )
    placed: dict[int, str] = {}
    shawan = _region("440802/沙湾街道")
    for w in members:
        brands = {e.platform_brand for e in w.enterprises.all()}
        if "滴滴" in brands and w.region.path.startswith(shawan.path):
            placed[w.pk] = DIDI_BRANCH
    suixi = [w for w in members if w.pk not in placed and _county_of(w) == "440823"]
    suixi.sort(key=lambda w: SUIXI_PARK not in {e.name for e in w.enterprises.all()})
    pool = suixi + [w for w in members if w.pk not in placed and w not in suixi]
    for w in pool[:SUIXI_MEMBERS]:
        placed[w.pk] = SUIXI_BRANCH
    red_orange = 0
    for w in members:
        if w.pk in placed:
            continue
        county = _county_of(w)
        brands = {e.platform_brand for e in w.enterprises.all()}
        match = next(
            (p.name for p in PLANS if p.brands and brands & set(p.brands)
             and _region(p.region).path.split("/")[1] == county),
            None,
        )  # fmt: skip
        if match is None and county == "440881":
            match = RED_ORANGE_BRANCHES[red_orange % len(RED_ORANGE_BRANCHES)]
            red_orange += 1
        placed[w.pk] = match or COUNTY_HOME.get(county, CATCH_ALL)
    for w in members:
        org = orgs[placed[w.pk]]
        services.membership_join(
            actor=None, worker=w, organisation=org, kind=_kind(w), joined_on=org.founded_on,
            mobile=org.branch_type == BranchType.MOBILE,
        )  # fmt: skip
    # Five activists (入党积极分子) at the e-commerce park.
    candidates = Worker.objects.filter(
        status=WorkerStatus.ACTIVE, political_status=PoliticalStatus.MASSES,
        region__path__contains="/440823/",
    ).order_by("pk")  # fmt: skip
    activists = list(candidates.filter(enterprises__name=SUIXI_PARK).distinct()[:SUIXI_ACTIVISTS])
    activists += list(
        candidates.exclude(pk__in=[w.pk for w in activists])[: SUIXI_ACTIVISTS - len(activists)]
    )
    for w in activists:
        services.membership_join(
            actor=None, worker=w, organisation=orgs[SUIXI_BRANCH],
            kind=MembershipKind.ACTIVIST, joined_on=dt.date(2023, 6, 1),
        )  # fmt: skip
    return {name: list(placed.values()).count(name) for name in orgs}


def _mass_organisations() -> int:
    """88 bodies: the three the 2024 survey found, unions at the largest sites, Youth League
    and Women's Federation bodies, and a federation of unions for each named street."""
    made = 0
    named = [
        ("顺丰速运湛江分公司工会", MassKind.UNION, "顺丰速运湛江分公司"),
        ("遂溪县电子商务产业园团支部", MassKind.LEAGUE, SUIXI_PARK),
        ("徐闻县菠萝电商物流园妇女委员会", MassKind.WOMEN, "徐闻县菠萝电商物流园"),
    ]
    plans = [(n, k, Enterprise.objects.get(name=e)) for n, k, e in named]
    streets = Region.objects.filter(
        level=RegionLevel.STREET, name__in=["城南街道", "南调街道", "沙湾街道", "新园街道"]
    ).order_by("code")
    regional = [(f"{s.name}新就业群体工会联合会", MassKind.UNION, s) for s in streets]
    largest = list(
        Enterprise.objects.annotate(n=Count("workers"))
        .exclude(name__in=[e for _n, _k, e in named])
        .order_by("-n", "name")
    )
    wanted = MASS_TOTAL - len(plans) - len(regional)
    unions, leagues = 50, 20
    for index, enterprise in enumerate(largest[:wanted]):
        if index < unions:
            plans.append((f"{enterprise.name}工会", MassKind.UNION, enterprise))
        elif index < unions + leagues:
            plans.append((f"{enterprise.name}团支部", MassKind.LEAGUE, enterprise))
        else:
            plans.append((f"{enterprise.name}妇女委员会", MassKind.WOMEN, enterprise))
    founded = dt.date(2022, 5, 1)
    for name, kind, enterprise in plans:
        body = services.mass_organisation_create(
            actor=None, name=name, kind=kind, region=enterprise.region, founded_on=founded,
            enterprise=enterprise,
        )  # fmt: skip
        if kind == MassKind.UNION:
            services.union_sync_from_registry(actor=None, organisation=body, on=founded)
        made += 1
    for name, kind, street in regional:
        services.mass_organisation_create(
            actor=None, name=name, kind=kind, region=street, founded_on=founded,
            station_name=f"{street.name}暖新服务中心",
        )  # fmt: skip
        made += 1
    return made


def _committee(today: dt.date) -> None:
    for name in FIRST_DEPARTMENTS:
        services.department_join(actor=None, name=name, on=dt.date(2021, 6, 1))
    for name in JOINED_2023:
        services.department_join(actor=None, name=name, on=dt.date(2023, 3, 1))
    by_name = {d.name: d for d in CommitteeDepartment.objects.all()}
    for name in LEFT_2024:
        services.department_leave(actor=None, department=by_name[name], on=dt.date(2024, 1, 1))
    meetings = [
        ("coordination", "新就业群体党建工作联席会议", dt.date(2024, 3, 12)),
        ("progress", "“两个覆盖”攻坚推进会", dt.date(2024, 9, 20)),
        ("reporting", "成员单位年度述职评议会", today - dt.timedelta(days=40)),
    ]
    items = [
        [("完成全市平台企业党组织“应建尽建”摸排", "市委组织部", 60, True),
         ("在沙湾街道试点网约车司机流动党支部线上组织生活", "市交通运输局", 90, True)],
        [("快递物流园区工会组建全覆盖", "市总工会", 120, True),
         ("外卖骑手职业伤害保障政策宣讲进驿站", "市人力资源和社会保障局", 100, False)],
        [("新增驿站选址报送市委社会工作部", "市商务局", 20, False),
         ("各县（市、区）上报党建指导员派驻名单", "市委组织部", 60, False)],
    ]  # fmt: skip
    for (kind, title, held), todo in zip(meetings, items, strict=True):
        attendees = list(departments_on(held))
        meeting = services.committee_meeting_record(
            actor=None, kind=kind, title=title, held_on=held, attendees=attendees,
            minutes=f"{title}：通报进展，明确分工。",
        )  # fmt: skip
        for text, owner, days, done in todo:
            item = services.action_item_add(
                actor=None, meeting=meeting, title=text, owner=by_name[owner],
                due_on=held + dt.timedelta(days=days),
            )  # fmt: skip
            if done:
                services.action_item_set_status(
                    actor=None, item=item, status="done", on=held + dt.timedelta(days=days - 5)
                )


def _account_for(worker: Worker) -> User:
    if worker.user_id:
        return worker.user
    user = User.objects.filter(phone=worker.phone).first() or user_create(
        phone=worker.phone, name=worker.name, role=Role.WORKER, region=worker.region
    )
    worker_self_register(
        user=user, name=worker.name, occupation=worker.occupation, work_region=worker.region
    )
    return user


def _grid_of(community: Region) -> Region | None:
    """The community's first grid; the demo's grids cover the named streets only, so the
    communities of these couriers get two (halves of the community, demo outlines)."""
    grid = Region.objects.filter(parent=community, level=RegionLevel.GRID).order_by("code").first()
    if grid is not None or not community.boundary:
        return grid
    outline = shape(community.boundary)
    min_lon, min_lat, max_lon, max_lat = outline.bounds
    middle = (min_lat + max_lat) / 2
    for number, (low, high) in enumerate(((min_lat, middle), (middle, max_lat)), start=1):
        half = outline.intersection(box(min_lon, low, max_lon, high))
        if half.is_empty:
            continue
        region_save(
            code=f"{community.code}{number:02d}", name=f"第{number}网格",
            level=RegionLevel.GRID, parent=community, boundary=mapping(half),
            is_demo_boundary=True,
        )  # fmt: skip
    return Region.objects.filter(parent=community, level=RegionLevel.GRID).order_by("code").first()


def _people(ctx: DemoContext, today: dt.date) -> tuple[int, int]:
    # A party-work staff member (党务工作者) of 赤坎区, and the city admin with the same right.
    staff = User.objects.filter(phone=PARTY_STAFF_PHONE).first()
    created = staff is None
    if staff is None:
        staff = user_create(
            phone=PARTY_STAFF_PHONE, name="赤坎区党务工作者", role=Role.COUNTY_ADMIN,
            region=Region.objects.get(code="440802"), password=DEMO_PASSWORD,
        )  # fmt: skip
    services.party_work_grant(actor=None, user=staff)
    admin = User.objects.filter(phone="13800000001").first()
    if admin is not None:
        services.party_work_grant(actor=None, user=admin)
    ctx.account(str(Role.COUNTY_ADMIN.label), staff.name, staff.phone, created=created)
    # Some of the Didi drivers show their pioneer badge (老陈, the demo driver, among them).
    drivers = Worker.objects.filter(
        party_memberships__organisation__name=DIDI_BRANCH, party_memberships__left_on=None
    ).order_by(F("user_id").desc(nulls_last=True), "pk")[:10]
    shown = 0
    for index, driver in enumerate(drivers):
        if index < 8:
            services.badge_set(user=_account_for(driver), shown=True)
            shown += 1
    # 中通 couriers in 雷州市 as part-time grid members of their community's grids.
    couriers = Worker.objects.filter(
        enterprises__platform_brand="中通", region__path__contains="/440882/",
        status=WorkerStatus.ACTIVE, region__level=RegionLevel.COMMUNITY,
    ).distinct().order_by("pk")[:GRID_MEMBERS]  # fmt: skip
    enrolled = 0
    for courier in couriers:
        grid = _grid_of(courier.region)
        if grid is None:
            continue
        services.grid_member_enrol(
            actor=None, user=_account_for(courier), grid=grid, on=today - dt.timedelta(days=60)
        )
        enrolled += 1
    return shown, enrolled


def _branch_life(orgs: dict[str, Organisation]) -> int:
    """The Didi branch's theme day, under way as the demo is built: drivers with accounts sign
    in online from the road; the next branch meeting is in a week."""
    branch = orgs[DIDI_BRANCH]
    now = timezone.now()
    live = services.meeting_schedule(
        actor=None, organisation=branch, kind="theme_day", title="主题党日：文明出行我先行",
        starts_at=now - dt.timedelta(minutes=15), ends_at=now + dt.timedelta(hours=3),
        place="沙湾街道党群服务中心", online_link="https://meeting.example.cn/didi-branch",
    )  # fmt: skip
    signed = 0
    members = Membership.objects.filter(
        organisation=branch, left_on__isnull=True, worker__user__isnull=False
    ).select_related("worker__user")
    for m in members.order_by("pk")[:6]:
        services.meeting_sign_in(user=m.worker.user, meeting=live, method="online")
        signed += 1
    services.meeting_schedule(
        actor=None, organisation=branch, kind="general_assembly", title="支部党员大会：季度工作",
        starts_at=now + dt.timedelta(days=7), ends_at=now + dt.timedelta(days=7, hours=2),
        place="沙湾街道党群服务中心", online_link="https://meeting.example.cn/didi-branch",
    )  # fmt: skip
    return signed


def load(ctx: DemoContext) -> None:
    if Organisation.objects.filter(name=DIDI_BRANCH).exists():
        ctx.account(
            str(Role.COUNTY_ADMIN.label), "赤坎区党务工作者", PARTY_STAFF_PHONE, created=False
        )
        ctx.say("党建：演示组织已存在，跳过。")
        return
    if not Enterprise.objects.filter(name=SUIXI_PARK).exists():
        ctx.say("党建：缺少台账，跳过。")
        return
    today = local_date()
    orgs = _organisations()
    counts = _members(orgs)
    mass = _mass_organisations()
    _committee(today)
    shown, enrolled = _people(ctx, today)
    signed = _branch_life(orgs)
    ctx.say(
        f"党建：党组织 {len(orgs)} 个（{DIDI_BRANCH} {counts[DIDI_BRANCH]} 名党员），"
        f"党员 {sum(counts.values())} 名，群团组织 {mass} 个，工委成员单位 {DEPARTMENTS_NOW} 个；"
        f"{shown} 名党员亮明身份，{enrolled} 名中通快递员任兼职网格员；"
        f"滴滴流动党支部主题党日 {signed} 名党员线上签到。"
    )
