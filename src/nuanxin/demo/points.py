"""Demo part: the points budget down the region tree and some earned history for demo workers.

The city fund is topped up, each county fund gets its communities' budgets, every community's
pool is funded, and each demo worker (role worker, living in a community) earns a few points
for reports, volunteering and check-ins and redeems some. Every transfer id is fixed, so a second
run replays instead of adding anything.
"""

import datetime as dt

from nuanxin.accounts.models import Role, User
from nuanxin.demo.clock import as_of, start_of_today
from nuanxin.demo.loader import DemoContext
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.points import services
from nuanxin.points.models import Entry

POOL_BUDGET = 2_000
COUNTY_RESERVE = 10_000
MAX_WORKERS = 300
SOURCES = [
    ("report.accepted", 10),
    ("volunteer.verified", 20),
    ("station.checkin", 2),
    ("report.accepted", 15),
]


def _community_of(user: User, by_path: dict[str, Region]) -> Region | None:
    if user.region is None:
        return None
    codes = [code for code in user.region.path.split("/") if code]
    for depth in range(len(codes), 0, -1):
        region = by_path.get("/".join(codes[:depth]) + "/")
        if region is not None and region.level == RegionLevel.COMMUNITY:
            return region
    return None


def load(ctx: DemoContext) -> None:
    city = Region.objects.filter(level=RegionLevel.CITY).order_by("path").first()
    admin = User.objects.filter(role=Role.CITY_ADMIN, region=city).order_by("pk").first()
    if city is None or admin is None:
        ctx.say("积分：缺少市级区域或市级管理员，跳过。")
        return
    before = Entry.objects.count()
    communities = list(Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("path"))
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("path"))
    per_county = {
        county.pk: [c for c in communities if c.path.startswith(county.path)] for county in counties
    }
    city_fund = services.fund_account(city)
    total = sum(len(c) * POOL_BUDGET + COUNTY_RESERVE for c in per_county.values())
    services.fund_top_up(
        transfer_id="demo:topup:city", fund=city_fund, amount=total, actor=admin, note="演示预算"
    )
    for county in counties:
        services.budget_allocate(
            transfer_id=f"demo:alloc:{county.code}",
            fund=city_fund,
            community=county,
            amount=len(per_county[county.pk]) * POOL_BUDGET + COUNTY_RESERVE,
            actor=admin,
        )
        county_fund = services.fund_account(county)
        for community in per_county[county.pk]:
            services.budget_allocate(
                transfer_id=f"demo:alloc:{community.code}",
                fund=county_fund,
                community=community,
                amount=POOL_BUDGET,
                actor=admin,
            )

    rng = ctx.rng("points")
    by_path = {r.path: r for r in Region.objects.filter(level=RegionLevel.COMMUNITY)}
    workers = User.objects.filter(role=Role.WORKER).select_related("region").order_by("pk")
    earned = 0
    for person in workers[:MAX_WORKERS]:
        community = _community_of(person, by_path)
        if community is None:
            continue
        for k, (source, points) in enumerate(SOURCES[: rng.randint(2, len(SOURCES))]):
            # Earned on earlier days (noon, 3, 8, 13 and 18 days ago): today's cap stays free.
            with as_of(start_of_today() - dt.timedelta(days=3 + 5 * k, hours=-12)):
                result = services.earn(
                    transfer_id=f"demo:earn:{person.pk}:{k}",
                    worker=person,
                    community=community,
                    source=source,
                    points=points,
                    reference=f"demo:{source}:{person.pk}:{k}",
                )
            earned += result.granted if not result.replayed else 0
        if rng.random() < 0.5:
            services.transfer(
                transfer_id=f"demo:redeem:{person.pk}",
                debit=services.worker_account(person),
                credit=services.shop_sink(),
                amount=5,
                reason="store.redemption",
                reference="demo:矿泉水",
            )
    ctx.say(
        f"积分：{len(communities)} 个社区积分池已下拨预算，新增流水 "
        f"{Entry.objects.count() - before} 条（本次发放 {earned} 分）。"
    )
