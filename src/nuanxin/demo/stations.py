"""Demo part: the "1+N" network, 46 service centres and 51 stations across the 10 counties.

Centres sit in party-mass service centres (党群服务中心) of streets and towns; stations in bank
halls, pharmacies, malls, hotels, trade-union rooms and refitted idle rooms, mostly in the
urban streets around each county seat. 坡头区 has the article's 10, forming its 15-minute
circle, two of them in 南调街道海盛社区 kept by the demo station keeper. Names of hosts are
made up for the demo. Some stations are open around the clock, some through the night, some
close on the next public holiday; two are suspended. Workers who exist get a few weeks of
check-ins at stations near where they live, so the staff statistics have something to show.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

import shapely
from django.utils import timezone
from shapely.geometry import shape

from nuanxin.accounts.models import Role, User
from nuanxin.core.errors import ApplicationError
from nuanxin.core.timeutil import local_date
from nuanxin.demo.clock import as_of
from nuanxin.demo.loader import DemoContext
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.geo.selectors import region_at_point
from nuanxin.stations.index import schedule_of, stations_nearest
from nuanxin.stations.models import Station, Visit
from nuanxin.stations.services import (
    amenity_defaults_ensure,
    station_create,
    station_set_exception,
    station_set_status,
    station_set_weekly_hours,
    visit_record,
)

KEEPER_PHONE = "13800000005"
VISIT_DAYS = 21
VISIT_CHANCE = 0.15

# (centres, stations) per county: 46 and 51 in all, 10 in 坡头区.
PLAN: dict[str, tuple[int, int]] = {
    "440802": (6, 7),  # 赤坎区
    "440803": (7, 8),  # 霞山区
    "440804": (4, 6),  # 坡头区
    "440811": (4, 5),  # 麻章区
    "440823": (5, 5),  # 遂溪县
    "440825": (4, 4),  # 徐闻县
    "440881": (5, 6),  # 廉江市
    "440882": (4, 4),  # 雷州市
    "440883": (4, 4),  # 吴川市
    "440871": (3, 2),  # 湛江经济技术开发区
}

CENTRE_AMENITIES = [
    "rest", "drinking_water", "hot_water", "toilet", "first_aid", "phone_charging",
    "ebike_charging", "storage", "microwave", "air_conditioning", "wifi", "points_exchange",
    "feedback", "umbrella", "repair_kit",
]  # fmt: skip
HOST_AMENITIES: dict[str, list[str]] = {
    "party_mass_centre": ["rest", "drinking_water", "hot_water", "toilet", "first_aid",
                          "phone_charging", "ebike_charging", "storage", "air_conditioning"],
    "bank": ["rest", "drinking_water", "toilet", "phone_charging", "air_conditioning", "wifi",
             "umbrella"],
    "pharmacy": ["rest", "drinking_water", "first_aid", "phone_charging", "air_conditioning"],
    "mall": ["rest", "drinking_water", "toilet", "phone_charging", "air_conditioning", "wifi",
             "microwave"],
    "hotel": ["rest", "drinking_water", "hot_water", "toilet", "phone_charging", "storage",
              "air_conditioning"],
    "idle_room": ["rest", "drinking_water", "hot_water", "microwave", "phone_charging",
                  "ebike_charging", "storage", "repair_kit", "feedback"],
    "mass_organisation": ["rest", "drinking_water", "hot_water", "toilet", "first_aid",
                          "phone_charging", "feedback", "points_exchange"],
    "enterprise": ["rest", "drinking_water", "toilet", "phone_charging", "ebike_charging",
                   "microwave"],
}  # fmt: skip
# Weekly hours by host; the first of each list is the most common.
HOST_HOURS: dict[str, list[str]] = {
    "party_mass_centre": [
        "周一至周五 08:30-21:00；周六、周日 09:00-18:00",
        "每天 08:00-22:00",
        "每天 24小时",
    ],
    "bank": ["周一至周五 08:30-17:30；周六 09:00-16:00", "每天 24小时"],
    "pharmacy": ["每天 08:00-22:00", "每天 24小时"],
    "mall": ["每天 10:00-22:00"],
    "hotel": ["每天 24小时"],
    "idle_room": ["每天 11:00-次日02:00", "每天 18:00-次日06:00", "每天 07:00-23:00"],
    "mass_organisation": ["周一至周六 09:00-20:00"],
    "enterprise": ["每天 06:00-23:00"],
}
CENTRE_EXTRAS = ["法律咨询", "免费理发", "心理疏导", "政策宣讲", "爱心午餐", "技能培训", "义诊"]
STATION_HOSTS = ["bank", "pharmacy", "mall", "hotel", "idle_room", "mass_organisation"]
TOWN_HOSTS = ["idle_room", "pharmacy", "mass_organisation", "bank"]
BANKS = ["工商银行", "农业银行", "建设银行", "邮储银行", "农商银行"]
PHARMACIES = ["惠民大药房", "百姓大药房", "康泰药店", "仁和堂药房"]
HOTELS = ["港湾酒店", "海景商务酒店", "椰城宾馆", "南海酒店"]
MALLS = ["万象商业广场", "新天地购物中心", "步行街商场", "滨海购物广场"]
HOLIDAYS = [(1, 1, "元旦"), (5, 1, "劳动节"), (10, 1, "国庆节")]


@dataclass
class Spec:
    kind: str
    host_type: str
    name: str
    host_name: str
    street: Region
    community: Region | None = None
    hours: str = ""
    amenities: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)


# Places the article names get their own centres and stations.
NAMED: dict[str, list[tuple[str, str, str, str, str | None]]] = {
    "440804": [
        ("station", "party_mass_centre", "海盛社区新业态新就业群体服务驿站", "南调街道",
         "海盛社区"),
        ("centre", "party_mass_centre", "南调街道暖新服务中心", "南调街道", "海盛社区"),
    ],
    "440811": [
        ("centre", "party_mass_centre", "麻章区新业态新就业群体党群服务中心", "麻章镇", None)
    ],
    "440802": [("centre", "party_mass_centre", "沙湾街道暖新服务中心", "沙湾街道", None)],
    "440803": [("centre", "party_mass_centre", "新园街道暖新服务中心", "新园街道", None)],
    "440881": [("station", "mass_organisation", "城南街道中山一路暖新服务驿站", "城南街道", None)],
    "440883": [("station", "mall", "金沙广场暖新服务驿站", "梅菉街道", None)],
    "440823": [("centre", "enterprise", "遂溪县电商产业园暖新服务中心", "遂城镇", None)],
    "440882": [("station", "enterprise", "雷州快递分拨中心暖新服务驿站", "雷城街道", None)],
}  # fmt: skip


def _host_name(rng: random.Random, host_type: str, place: str) -> str:
    if host_type == "bank":
        return f"{rng.choice(BANKS)}{place}支行营业厅"
    if host_type == "pharmacy":
        return f"{rng.choice(PHARMACIES)}（{place}店）"
    if host_type == "hotel":
        return f"{place}{rng.choice(HOTELS)}"
    if host_type == "mall":
        return f"{place}{rng.choice(MALLS)}"
    if host_type == "idle_room":
        return f"{place}闲置用房（改造）"
    if host_type == "mass_organisation":
        return f"{place}工会职工之家"
    return f"{place}党群服务中心"


def _streets(county: Region) -> tuple[list[Region], list[Region]]:
    streets = list(county.children.order_by("code"))
    urban = [s for s in streets if s.name.endswith("街道")]
    return urban, [s for s in streets if s not in urban]


def _plan_county(rng: random.Random, county: Region) -> list[Spec]:
    centres, stations = PLAN[county.code]
    urban, towns = _streets(county)
    by_name = {s.name: s for s in urban + towns}
    specs: list[Spec] = []
    for kind, host, name, street_name, community_name in NAMED.get(county.code, []):
        street = by_name[street_name]
        children = street.children.order_by("code")
        named = children.filter(name=community_name).first() if community_name else None
        host_name = named.name if named and host == "party_mass_centre" else street.name
        community = named or children.first()
        specs.append(Spec(kind, host, name, _host_name(rng, host, host_name), street, community))
    # Centres: one per street, urban streets first, then the larger towns.
    used = {s.street.pk for s in specs if s.kind == "centre"}
    for street in [*urban, *towns]:
        if sum(s.kind == "centre" for s in specs) >= centres:
            break
        if street.pk in used:
            continue
        seat = street.children.order_by("code").first()  # 社区 come before 村
        specs.append(
            Spec(
                "centre",
                "party_mass_centre",
                f"{street.name}暖新服务中心",
                f"{street.name}党群服务中心",
                street,
                seat,
            )
        )
    # Stations: in urban streets where riders work, some in towns for the rural routes.
    pool = urban * 3 + towns if urban else towns
    while sum(s.kind == "station" for s in specs) < stations:
        street = rng.choice(pool)
        communities = list(street.children.order_by("code"))
        in_town = street in towns
        # In a town most riders pass through its seat, not the villages.
        community = communities[0] if in_town and rng.random() < 0.7 else rng.choice(communities)
        host = rng.choice(TOWN_HOSTS if in_town else STATION_HOSTS)
        place = community.name.removesuffix("社区").removesuffix("村") or street.name
        name = f"{community.name}暖新服务驿站"
        if any(s.name == name for s in specs):
            name = f"{street.name}{place}暖新服务驿站"
        if any(s.name == name for s in specs):
            continue
        specs.append(Spec("station", host, name, _host_name(rng, host, place), street, community))
    for spec in specs:
        if spec.kind == "centre":
            spec.amenities = [a for a in CENTRE_AMENITIES if rng.random() < 0.85]
            spec.extras = rng.sample(CENTRE_EXTRAS, rng.randint(1, 3))
            hours = HOST_HOURS["party_mass_centre"]
        else:
            spec.amenities = [a for a in HOST_AMENITIES[spec.host_type] if rng.random() < 0.8]
            hours = HOST_HOURS[spec.host_type]
        for essential in ("rest", "drinking_water"):
            if essential not in spec.amenities:
                spec.amenities.insert(0, essential)
        spec.hours = hours[0] if rng.random() < 0.6 else rng.choice(hours)
    return specs


def _point_in(rng: random.Random, region: Region) -> tuple[float, float]:
    """A random point well inside ``region`` that the region lookup puts in it."""
    geometry = shape(region.boundary)
    inner = geometry.buffer(-0.002)
    zone = inner if inner.area > 0.2 * geometry.area else geometry
    min_x, min_y, max_x, max_y = zone.bounds
    for _ in range(300):
        lon, lat = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if shapely.contains_xy(zone, lon, lat):
            match = region_at_point(lon, lat)
            if match and match.region.path.startswith(region.path):
                return round(lon, 6), round(lat, 6)
    return region.centre_lon, region.centre_lat


def _next_holiday(today: dt.date) -> tuple[dt.date, str]:
    candidates = []
    for year in (today.year, today.year + 1):
        for month, day, name in HOLIDAYS:
            date = dt.date(year, month, day)
            if date > today:
                candidates.append((date, name))
    return min(candidates)


def _load_stations(ctx: DemoContext) -> int:
    keeper = User.objects.filter(phone=KEEPER_PHONE, role=Role.STATION_KEEPER).first()
    holiday, holiday_name = _next_holiday(local_date())
    created = 0
    counties = Region.objects.filter(level=RegionLevel.COUNTY, code__in=PLAN).order_by("code")
    for county in counties:
        # A generator per county, so a county's stations do not depend on the others.
        rng = ctx.rng(f"stations:{county.code}")
        for number, spec in enumerate(_plan_county(rng, county), start=1):
            code = f"{county.code}-{number:03d}"
            if Station.objects.filter(code=code).exists():
                continue
            where = spec.community or spec.street
            lon, lat = _point_in(rng, where)
            in_haisheng = spec.community is not None and spec.community.name == "海盛社区"
            station = station_create(
                actor=None,
                code=code,
                kind=spec.kind,
                name=spec.name,
                host_type=spec.host_type,
                host_name=spec.host_name,
                address=f"{county.name}{spec.street.name}"
                f"{spec.community.name if spec.community else ''}（演示地址）",
                lon=lon,
                lat=lat,
                amenities=spec.amenities,
                standard_services=(
                    ["rest", "tea", "charging", "exchange", "convenience"]
                    if spec.kind == "centre"
                    else ["rest", "tea", "charging"]
                    + (["convenience"] if rng.random() < 0.4 else [])
                ),
                extra_services=spec.extras,
                contact_phone=f"0759-{rng.randint(2000000, 3999999)}",
                capacity=rng.randint(20, 60) if spec.kind == "centre" else rng.randint(6, 20),
                description="演示数据：名称、地址和承建单位为虚构。",
                keepers=[keeper] if keeper and in_haisheng else [],
            )
            station_set_weekly_hours(station=station, actor=None, text=spec.hours)
            if spec.host_type in {"bank", "party_mass_centre"} and rng.random() < 0.4:
                station_set_exception(
                    station=station,
                    actor=None,
                    date=holiday,
                    closed=True,
                    note=f"{holiday_name}闭站",
                )
            created += 1
    _suspend_two(ctx.rng("stations:suspend"))
    return created


def _suspend_two(rng: random.Random) -> None:
    candidates = list(
        Station.objects.filter(kind="station", status="open")
        .exclude(region__path__startswith=Region.objects.get(code="440804").path)
        .order_by("code")
    )
    if Station.objects.filter(status="suspended").exists() or len(candidates) < 2:
        return
    for station in rng.sample(candidates, 2):
        station_set_status(
            station=station, actor=None, status="suspended", note="装修升级中，预计下月恢复服务。"
        )


def _load_visits(rng: random.Random) -> int:
    """A few weeks of check-ins by the workers who exist, at stations near where they live."""
    if Visit.objects.exists():
        return 0
    now = timezone.now()
    created = 0
    workers = User.objects.filter(role=Role.WORKER, is_active=True, region__isnull=False)
    for worker in workers.select_related("region").order_by("pk"):
        region = worker.region
        if region.centre_lon is None:
            continue
        nearby = stations_nearest(lon=region.centre_lon, lat=region.centre_lat, count=3)
        stations = list(Station.objects.filter(pk__in=[hit.station_id for hit in nearby]))
        if not stations:
            continue
        for days_ago in range(VISIT_DAYS, 0, -1):
            if rng.random() > VISIT_CHANCE:
                continue
            station = rng.choice(stations)
            schedule = schedule_of(station)
            day = local_date() - dt.timedelta(days=days_ago)
            for _ in range(6):
                at = timezone.make_aware(
                    dt.datetime.combine(day, dt.time(rng.randint(7, 22), rng.randint(0, 59)))
                )
                if at < now and schedule.is_open_at(at):
                    try:
                        with as_of(at):  # the day's check-in points count on that day
                            visit_record(station=station, worker=worker, at=at)
                        created += 1
                    except ApplicationError:
                        pass
                    break
    return created


def load(ctx: DemoContext) -> None:
    amenity_defaults_ensure()
    created = _load_stations(ctx)
    visits = _load_visits(ctx.rng("stations:visits"))
    centres = Station.objects.filter(kind="centre").count()
    stations = Station.objects.filter(kind="station").count()
    ctx.say(
        f"服务阵地：新增 {created} 个，共有暖新服务中心 {centres} 个、驿站 {stations} 个；"
        f"演示签到 {visits} 条。"
    )
