"""Scale data, first part: worker accounts and registry records, stations with their hours.

Workers live in the demo's communities (users with role worker, no password: they log in by
SMS code), each with a registry record in one of the demo's enterprises; stations stand near
their community's centre, three in four open every day from 08:00 to 22:00 and the rest around
the clock, four in five with drinking water. One station in twenty gets a points shop.
"""

import datetime as dt
from dataclasses import dataclass, field

from nuanxin.accounts.models import Role, User
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.registry.models import Enterprise, Occupation, Worker
from nuanxin.stations.models import Amenity, HostType, Station, StationKind, WeeklySpan
from nuanxin.store.models import Shop

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁宋郑谢韩唐冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志海鹏飞斌宇浩凯健俊帆晨阳鑫"
OCCUPATIONS = [choice.value for choice in Occupation]
HOSTS = [HostType.PARTY_MASS_CENTRE, HostType.BANK, HostType.PHARMACY]
SHOP_EVERY = 20
WATER = "drinking_water"


@dataclass
class Place:
    id: int
    county_id: int
    street_id: int
    lon: float
    lat: float


@dataclass
class City:
    city_id: int
    counties: list[int]
    communities: list[Place]
    workers: list[tuple[int, Place, str]] = field(default_factory=list)  # user, community, job
    stations: list[tuple[int, Place]] = field(default_factory=list)
    shops: list[int] = field(default_factory=list)  # station ids


def _places() -> tuple[int, list[int], list[Place]]:
    regions = list(Region.objects.values("id", "level", "path", "centre_lon", "centre_lat"))
    by_path = {r["path"]: r for r in regions}
    city = next(r for r in regions if r["level"] == RegionLevel.CITY)
    counties = [r["id"] for r in regions if r["level"] == RegionLevel.COUNTY]
    places = []
    for r in regions:
        if r["level"] != RegionLevel.COMMUNITY or r["centre_lon"] is None:
            continue
        codes = [c for c in r["path"].split("/") if c]
        above = {
            by_path[p]["level"]: by_path[p]["id"]
            for p in ("/".join(codes[:d]) + "/" for d in range(1, len(codes)))
            if p in by_path
        }
        places.append(
            Place(
                r["id"],
                above[RegionLevel.COUNTY],
                above.get(RegionLevel.STREET, r["id"]),
                r["centre_lon"],
                r["centre_lat"],
            )
        )
    return city["id"], counties, sorted(places, key=lambda p: p.id)


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _workers(ctx, city: City) -> None:
    rng, n = ctx.rng, ctx.sizes.workers
    users, records = ctx.table(User), ctx.table(Worker)
    links = ctx.table(Worker.enterprises.through)
    enterprises = list(Enterprise.objects.values_list("id", flat=True))
    start = ctx.now - dt.timedelta(days=3 * 365)
    for i in range(1, n + 1):
        place = rng.choice(city.communities)
        phone = f"170{i:08d}"
        name = _name(rng)
        joined = start + dt.timedelta(seconds=rng.randrange(3 * 365 * 86400))
        user_id = users.add(
            phone=phone,
            name=name,
            role=Role.WORKER,
            region_id=place.id,
            password="!scale-data",
            date_joined=joined,
        )
        occupation = rng.choice(OCCUPATIONS)
        worker_id = records.add(
            name=name,
            phone=phone,
            gender=rng.choice("MF"),
            birth_year=rng.randrange(1965, 2005),
            occupation=occupation,
            work_region_id=place.id,
            region_id=place.id,
            union_member=rng.random() < 0.3,
            user_id=user_id,
            created_at=joined,
            updated_at=joined,
        )
        if enterprises:
            links.add(worker_id=worker_id, enterprise_id=rng.choice(enterprises))
        city.workers.append((user_id, place, occupation))


def _stations(ctx, city: City) -> None:
    rng, n = ctx.rng, ctx.sizes.stations
    stations, spans = ctx.table(Station), ctx.table(WeeklySpan)
    amenity_links, shops = ctx.table(Station.amenities.through), ctx.table(Shop)
    amenities = dict(Amenity.objects.values_list("code", "id"))
    others = [pk for code, pk in amenities.items() if code != WATER]
    day = (dt.time(8), dt.time(22))
    whole = (dt.time(0), dt.time(0))
    for i in range(1, n + 1):
        place = rng.choice(city.communities)
        lon = place.lon + rng.uniform(-0.01, 0.01)
        lat = place.lat + rng.uniform(-0.01, 0.01)
        station_id = stations.add(
            code=f"SC{i:06d}",
            kind=StationKind.STATION,
            name=f"暖新驿站（规模数据）{i:05d}号",
            host_type=rng.choice(HOSTS),
            address=f"规模数据测试地址 {i} 号",
            lon=lon,
            lat=lat,
            region_id=place.id,
        )
        start, end = day if rng.random() < 0.75 else whole
        for weekday in range(7):
            spans.add(station_id=station_id, weekday=weekday, start=start, end=end)
        chosen = rng.sample(others, k=min(len(others), rng.randrange(1, 4)))
        if WATER in amenities and rng.random() < 0.8:
            chosen.append(amenities[WATER])
        for amenity_id in chosen:
            amenity_links.add(station_id=station_id, amenity_id=amenity_id)
        if i % SHOP_EVERY == 1:
            shops.add(station_id=station_id)
            city.shops.append(station_id)
        city.stations.append((station_id, place))


def load(ctx) -> City:
    city_id, counties, communities = _places()
    if not communities:
        raise RuntimeError("the demo city has no communities: run `nuanxin demo --no-serve`")
    city = City(city_id=city_id, counties=counties, communities=communities)
    _workers(ctx, city)
    _stations(ctx, city)
    return city
