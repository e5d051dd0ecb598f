"""Demo part: the registry of the article — 213 enterprises, 20,000+ workers, 165 party members,
53 enterprises and about 400 workers registered with their communities.

Names of enterprises follow the brands the article's city has (美团、饿了么、顺丰、中通、滴滴 …)
and the county and street they sit in; people, phones, credit codes and ID numbers are invented
(check digits are valid, so the data passes the registry's own checks). The ledgers go in
through the Excel import path (rows built in memory), in two rounds: before the 2024 "三找"
campaign, and what the campaign found; the campaign keeps the figures before and after.
Among the party members are 27 Didi drivers working in 赤坎区沙湾街道 (the article's mobile
party branch). Worker accounts that already exist are linked by their phone; no accounts are
created for the 20,000 workers.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from stdnum.cn import ric, uscc

from nuanxin.accounts.models import Role, User
from nuanxin.core.timeutil import local_date
from nuanxin.demo.loader import DemoContext
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.registry.importing.engine import registry_import, rows_workbook
from nuanxin.registry.models import (
    Enterprise,
    EnterpriseKind,
    ImportMode,
    Industry,
    OrganisationKind,
    Registration,
    RegistrationChannel,
    SurveyCampaign,
    Worker,
)
from nuanxin.registry.services import (
    campaign_close,
    campaign_create,
    enterprise_set_liaisons,
    finding_record_organisation,
    registration_reject,
    registration_submit,
)

CAMPAIGN_NAME = "2024年“三找”行动"
OPEN_CAMPAIGN_NAME = "坡头区“三找”常态化走访"
TOTAL_WORKERS = 20_316
PARTY_MEMBERS = 165
PROBATIONARY = 13
DIDI_BRANCH_MEMBERS = 27  # the mobile party branch of Didi drivers in 赤坎区沙湾街道
REGISTERED_ENTERPRISES = 53
REGISTERED_WORKERS = 403
FOUND_BY_CAMPAIGN = 33  # enterprises the campaign found that were not in the ledger before
REVEALED_MEMBERS = 41  # workers the campaign found to be party members

K, IND = EnterpriseKind, Industry
# brand, industry, kind, count, name pattern, headquarters outside the city, workers per site,
# counties it favours (None: any, weighted by size)
SPECS = [
    ("美团", IND.FOOD_DELIVERY, K.STATION, 44, "美团外卖{c}{s}站", True, 150, None),
    ("饿了么", IND.FOOD_DELIVERY, K.STATION, 27, "饿了么{c}{s}站", True, 120, None),
    ("美团", IND.FOOD_DELIVERY, K.FRANCHISE, 5, "湛江市{w}配送服务有限公司", False, 110, None),
    ("饿了么", IND.FOOD_DELIVERY, K.FRANCHISE, 3, "湛江{w}即时配送有限公司", False, 90, None),
    ("顺丰", IND.EXPRESS, K.REGIONAL_BRANCH, 1, "顺丰速运湛江分公司", True, 60, ["440802"]),
    ("顺丰", IND.EXPRESS, K.STATION, 14, "顺丰速运湛江{c}{s}营业部", True, 45, None),
    ("中通", IND.EXPRESS, K.REGIONAL_BRANCH, 1, "中通快递湛江分公司", True, 50, ["440882"]),
    ("中通", IND.EXPRESS, K.STATION, 14, "中通快递{c}{s}网点", True, 40, None),
    ("圆通", IND.EXPRESS, K.STATION, 10, "圆通速递{c}{s}网点", True, 35, None),
    ("申通", IND.EXPRESS, K.STATION, 8, "申通快递{c}{s}网点", True, 30, None),
    ("韵达", IND.EXPRESS, K.STATION, 8, "韵达快递{c}{s}网点", True, 30, None),
    ("极兔", IND.EXPRESS, K.STATION, 10, "极兔速递{c}{s}网点", True, 30, None),
    ("京东", IND.EXPRESS, K.STATION, 7, "京东物流湛江{c}{s}营业部", True, 35, None),
    ("中国邮政", IND.EXPRESS, K.STATION, 6, "中国邮政{c}{s}揽投部", False, 25, None),
    ("德邦", IND.EXPRESS, K.STATION, 3, "德邦快递{c}{s}营业部", True, 20, None),
    ("滴滴", IND.RIDE_HAILING, K.REGIONAL_BRANCH, 1, "滴滴出行湛江分公司", True, 1500, ["440802"]),
    ("滴滴", IND.RIDE_HAILING, K.STATION, 3, "滴滴出行湛江{c}司机服务站", True, 250, None),
    ("曹操出行", IND.RIDE_HAILING, K.REGIONAL_BRANCH, 1, "曹操出行湛江运营中心", True, 260, None),
    ("T3出行", IND.RIDE_HAILING, K.REGIONAL_BRANCH, 1, "T3出行湛江分公司", True, 200, None),
    ("花小猪", IND.RIDE_HAILING, K.STATION, 1, "花小猪打车湛江运营站", True, 150, None),
    ("高德打车", IND.RIDE_HAILING, K.STATION, 1, "高德打车湛江服务站", True, 150, None),
    ("货拉拉", IND.FREIGHT, K.STATION, 2, "货拉拉湛江{c}运营站", True, 260, None),
    ("满帮", IND.FREIGHT, K.STATION, 1, "满帮湛江司机之家", True, 220, None),
    ("快狗打车", IND.FREIGHT, K.STATION, 1, "快狗打车湛江服务站", True, 120, None),
    ("闪送", IND.FOOD_DELIVERY, K.STATION, 2, "闪送湛江{c}站", True, 60, None),
    ("达达", IND.FOOD_DELIVERY, K.STATION, 2, "达达快送湛江{c}站", True, 60, None),
    ("UU跑腿", IND.FOOD_DELIVERY, K.STATION, 2, "UU跑腿湛江{c}站", True, 50, None),
    ("椹川跑腿", IND.FOOD_DELIVERY, K.PLATFORM_HQ, 1, "湛江椹川同城跑腿科技有限公司", False, 180,
     ["440802"]),
    ("港城快送", IND.FOOD_DELIVERY, K.PLATFORM_HQ, 1, "湛江港城快送网络科技有限公司", False, 140,
     ["440803"]),
    ("", IND.ECOMMERCE, K.ECOMMERCE, 8, "遂溪县{w}电子商务有限公司", False, 60, ["440823"]),
    ("", IND.ECOMMERCE, K.ECOMMERCE, 6, "徐闻县{w}农产品电商有限公司", False, 40, ["440825"]),
    ("", IND.ECOMMERCE, K.ECOMMERCE, 4, "湛江{w}电子商务有限公司", False, 30,
     ["440802", "440803", "440881"]),
    ("", IND.ECOMMERCE, K.LOGISTICS_PARK, 1, "遂溪县电子商务产业园", False, 120, ["440823"]),
    ("", IND.ECOMMERCE, K.LOGISTICS_PARK, 1, "徐闻县菠萝电商物流园", False, 80, ["440825"]),
    ("抖音", IND.LIVESTREAM, K.LIVESTREAM, 5, "徐闻{w}文化传媒有限公司", False, 25, ["440825"]),
    ("快手", IND.LIVESTREAM, K.LIVESTREAM, 4, "湛江{w}直播科技有限公司", False, 25, None),
    ("", IND.FREIGHT, K.LOGISTICS_PARK, 3, "湛江{w}物流园", False, 90,
     ["440811", "440871", "440803"]),
]  # fmt: skip
ENTERPRISE_TOTAL = 213
COUNTY_WEIGHTS = {"440802": 16, "440803": 18, "440804": 8, "440811": 9, "440871": 6,
                  "440823": 10, "440825": 7, "440881": 10, "440882": 9, "440883": 7}  # fmt: skip
WORDS = "顺达 通达 鸿运 海湾 椹川 港城 南粤 金沙 蓝海 红土 宏图 兴旺 嘉禾 富民 瑞丰 恒通 菠萝 " \
        "良品 乐活 海风 丰收 绿洲 万家 启航 天成 福源 晨光 半岛 雷州湾 南国"  # fmt: skip
SURNAMES = "陈李黄林张吴梁王刘杨何郑许邓谢冯罗钟庞莫苏关彭赖詹潘周朱蔡叶温余"
GIVEN = "伟强明华军杰俊峰志勇斌超辉健亮林涛鹏飞波海东文浩宇洋晨磊凯文婷丽芳敏静燕玲霞红梅"
BIRTH_AREAS = ("02", "03", "04", "11", "23", "25", "81", "82", "83")  # 4408xx: born in the city
PHONE_PREFIXES = ("130", "131", "132", "135", "136", "137", "150", "151", "152", "157", "158",
                  "159", "166", "177", "178", "182", "183", "187", "188", "198", "199")  # fmt: skip
OCCUPATION_BY_INDUSTRY = {
    IND.FOOD_DELIVERY: "外卖骑手", IND.EXPRESS: "快递员", IND.RIDE_HAILING: "网约车司机",
    IND.FREIGHT: "货车司机", IND.LIVESTREAM: "主播", IND.ECOMMERCE: "其他",
}  # fmt: skip


@dataclass
class Geo:
    """The demo city's regions, by what the generator asks of them."""

    counties: dict[str, Region]
    streets: dict[str, list[Region]]  # county code -> its streets, 街道 first
    communities: dict[int, list[Region]]  # street id -> its communities
    full_names: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Geo":
        regions = list(Region.objects.exclude(level=RegionLevel.GRID).order_by("path"))
        by_id = {r.pk: r for r in regions}
        counties = {r.code: r for r in regions if r.level == RegionLevel.COUNTY}
        streets: dict[str, list[Region]] = {code: [] for code in counties}
        communities: dict[int, list[Region]] = {}
        for region in regions:
            if region.level == RegionLevel.STREET:
                streets[by_id[region.parent_id].code].append(region)
            elif region.level == RegionLevel.COMMUNITY:
                communities.setdefault(region.parent_id, []).append(region)
        for items in streets.values():
            items.sort(key=lambda s: (not s.name.endswith("街道"), s.code))
        geo = cls(counties, streets, communities)
        for region in regions:
            if region.level == RegionLevel.COMMUNITY:
                street = by_id[region.parent_id]
                county = by_id[street.parent_id]
                geo.full_names[region.pk] = county.name + street.name + region.name
        return geo


def _short(name: str) -> str:
    if "开发区" in name:
        return "开发区"
    for suffix in ("街道", "区", "县", "市", "镇", "乡", "农场"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


class Generator:
    def __init__(self, rng: random.Random, geo: Geo) -> None:
        self.rng, self.geo = rng, geo
        self.phones: set[str] = set()
        self.ids: set[str] = set()
        self.names: set[str] = set()
        self.words = WORDS.split()

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def person(self, male: bool = True) -> str:
        given = GIVEN[:30] if male else GIVEN[25:]
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choice(given) for _ in range(self.rng.choice((1, 2, 2)))
        )

    def credit_code(self, county: str) -> str:
        body = (
            "91"
            + county[:6]
            + "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
        )
        return body + uscc.calc_check_digit(body)

    def id_number(self, year: int, male: bool) -> str:
        while True:
            birth = dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))
            seq = self.rng.randrange(500) * 2 + (1 if male else 0)
            body = f"4408{self.rng.choice(BIRTH_AREAS)}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.ids:
                self.ids.add(number)
                return number

    def county_code(self, favoured: list[str] | None) -> str:
        codes = favoured or list(COUNTY_WEIGHTS)
        return self.rng.choices(codes, weights=[COUNTY_WEIGHTS[c] for c in codes])[0]

    def place(self, county: str, urban: bool = True) -> tuple[Region, Region]:
        """A street of the county (街道 preferred for urban sites) and a community in it."""
        streets = self.geo.streets[county]
        # Most sites of a city's platforms sit in its 街道; some serve the towns around.
        urban = urban and self.rng.random() < 0.75
        pool = [s for s in streets if s.name.endswith("街道")] if urban else streets
        street = self.rng.choice(pool or streets)
        return street, self.rng.choice(self.geo.communities[street.pk])

    def enterprises(self) -> list[dict]:
        rows = []
        for brand, industry, kind, count, pattern, outside, size, favoured in SPECS:
            for _ in range(count):
                county, street, community, name = self._sited_name(pattern, favoured, kind)
                at_community = kind in {K.STATION, K.ECOMMERCE, K.LIVESTREAM}
                road = f"{self.rng.choice(self.words)}路{self.rng.randint(1, 300)}号"
                rows.append({
                    "name": name, "kind": str(kind.label), "industry": str(industry.label),
                    "platform_brand": brand, "hq_outside_city": "是" if outside else "否",
                    "county": self.geo.counties[county].name, "street": street.name,
                    "community": community.name if at_community else "",
                    "address": street.name + road,
                    "lon": round(community.centre_lon + self.rng.uniform(-0.004, 0.004), 6),
                    "lat": round(community.centre_lat + self.rng.uniform(-0.004, 0.004), 6),
                    "contact_name": self.person(), "contact_phone": self.phone(),
                    "credit_code": self.credit_code(county) if self.rng.random() < 0.85 else "",
                    "_size": size, "_county": county, "_street": street,
                    "_community": community if at_community else None, "_industry": industry,
                })  # fmt: skip
        return rows

    def _sited_name(
        self, pattern: str, favoured: list[str] | None, kind: str
    ) -> tuple[str, Region, Region, str]:
        """A county, street and community for a site, and a name no other site has."""
        for _attempt in range(200):
            county = self.county_code(favoured)
            street, community = self.place(county, urban=kind != K.LOGISTICS_PARK)
            name = pattern.format(
                c=_short(self.geo.counties[county].name),
                s=_short(street.name),
                w=self.rng.choice(self.words),
            )
            if name not in self.names:
                self.names.add(name)
                return county, street, community, name
        raise RuntimeError(f"no unique name for {pattern}")  # pragma: no cover

    def workers(self, enterprises: list[dict], users: list[User]) -> list[dict]:
        """All worker rows; the first ones are the people who already have worker accounts."""
        by_industry: dict[str, list[int]] = {}
        for index, row in enumerate(enterprises):
            by_industry.setdefault(row["_industry"], []).append(index)
        rows = [self._user_row(user, enterprises, by_industry) for user in users]
        weights = [row["_size"] for row in enterprises]
        picks = self.rng.choices(
            range(len(enterprises)), weights=weights, k=TOTAL_WORKERS - len(rows)
        )
        for index in picks:
            rows.append(self._worker_row(index, enterprises, by_industry))
        return rows

    def _user_row(self, user: User, enterprises: list[dict], by_industry: dict) -> dict:
        industry = IND.FOOD_DELIVERY
        if "快递" in user.name:
            industry = IND.EXPRESS
        elif "司机" in user.name or "网约车" in user.name:
            industry = IND.RIDE_HAILING
        county = user.region.path.split("/")[1] if user.region else "440804"
        same = [i for i in by_industry[industry] if enterprises[i]["_county"] == county]
        row = self._worker_row(self.rng.choice(same or by_industry[industry]), enterprises, {})
        row["phone"] = user.phone
        self.phones.add(user.phone)
        if user.region is not None and user.region.level == RegionLevel.COMMUNITY:
            row["_community"] = user.region
        elif user.region is not None and user.region.level == RegionLevel.STREET:
            row["_community"] = self.geo.communities[user.region.pk][0]
        return row

    def _worker_row(self, index: int, enterprises: list[dict], by_industry: dict) -> dict:
        enterprise = enterprises[index]
        industry = enterprise["_industry"]
        male = self.rng.random() < (0.55 if industry in {IND.LIVESTREAM, IND.ECOMMERCE} else 0.9)
        year = self.rng.randint(1968, 2004)
        names = [enterprise["name"]]
        if industry == IND.FOOD_DELIVERY and by_industry and self.rng.random() < 0.05:
            other = self.rng.choice(by_industry[industry])
            if other != index:
                names.append(enterprises[other]["name"])
        if enterprise["_community"] is not None and self.rng.random() < 0.7:
            community = enterprise["_community"]
        elif industry in {IND.RIDE_HAILING, IND.FREIGHT}:
            community = self.place(enterprise["_county"], urban=False)[1]
        else:
            community = self.rng.choice(self.geo.communities[enterprise["_street"].pk])
        row = {
            "name": self.person(male),
            "phone": self.phone(),
            "occupation": OCCUPATION_BY_INDUSTRY[industry],
            "enterprises": "、".join(names),
            "political_status": "团员" if year >= 1996 and self.rng.random() < 0.25 else "群众",
            "union_member": "是" if self.rng.random() < 0.35 else "否",
            "_enterprise": index,
            "_community": community,
        }
        if industry == IND.ECOMMERCE and self.rng.random() < 0.2:
            row["occupation"] = "主播"
        if self.rng.random() < 0.6:
            row["id_number"] = self.id_number(year, male)
        else:
            row["gender"], row["birth_year"] = ("男" if male else "女"), year
        if self.rng.random() < 0.7:
            home = self.place(enterprise["_county"], urban=False)[1]
            row["home_region"] = self.geo.full_names[home.pk]
        return row


def _choose_party_members(gen: Generator, rows: list[dict], enterprises: list[dict]) -> None:
    """165 party members, 27 of them Didi drivers working in 赤坎区沙湾街道."""
    rng = gen.rng
    shawan = next(s for s in gen.geo.streets["440802"] if s.name == "沙湾街道")
    didi = {i for i, e in enumerate(enterprises) if e["platform_brand"] == "滴滴"}
    drivers = [r for r in rows if r["_enterprise"] in didi]
    # The demo's own driver (a worker account in 沙湾街道) is one of the branch's members.
    own = [r for r in drivers if r["_community"].parent_id == shawan.pk]
    branch = own[:1] + rng.sample([r for r in drivers if r not in own[:1]], DIDI_BRANCH_MEMBERS - 1)
    for row in branch:
        row["political_status"] = "中共党员"
        if row["_community"].parent_id != shawan.pk:
            row["_community"] = rng.choice(gen.geo.communities[shawan.pk])
    # The other members are drawn from everyone but the Didi drivers of 沙湾街道, so the
    # branch there keeps exactly its 27 members.
    others = rng.sample(
        [
            r
            for r in rows
            if r["political_status"] != "中共党员"
            and not (r["_enterprise"] in didi and r["_community"].parent_id == shawan.pk)
        ],
        PARTY_MEMBERS - DIDI_BRANCH_MEMBERS,
    )
    for number, row in enumerate(others):
        row["political_status"] = "中共预备党员" if number < PROBATIONARY else "中共党员"


def _finish(rows: list[dict], geo: Geo) -> list[dict]:
    """Rows as the import reads them: internal keys dropped, places written out in full."""
    out = []
    for row in rows:
        clean = {k: v for k, v in row.items() if not k.startswith("_")}
        if "_community" in row and "county" not in row:
            clean["work_region"] = geo.full_names[row["_community"].pk]
        out.append(clean)
    return out


def _import(rows: list[tuple[str, list[dict]]], campaign: SurveyCampaign | None, name: str) -> dict:
    outcome = registry_import(
        workbook=rows_workbook(rows),
        actor=None,
        mode=ImportMode.ALL_OR_NOTHING,
        file_name=name,
        campaign=campaign,
    )
    if outcome.job.errors:
        raise RuntimeError(f"demo ledger rejected: {outcome.job.errors[:3]}")
    return outcome.job.counts


def _register(gen: Generator, rows: list[dict], enterprises: list[dict]) -> None:
    """53 enterprises and about 400 workers accepted by their communities; a few to review."""
    rng = gen.rng
    sited = [e["name"] for e in enterprises if e["_community"] is not None]
    chosen = rng.sample(sited, REGISTERED_ENTERPRISES + 1)
    by_name = {e.name: e for e in Enterprise.objects.select_related("region")}
    staff = User.objects.filter(role=Role.COMMUNITY_STAFF).first()
    for name in chosen[:-1]:
        enterprise = by_name[name]
        registration_submit(
            community=enterprise.region, actor=None, enterprise=enterprise,
            channel=RegistrationChannel.QR, accept_now=True,
        )  # fmt: skip
    haisheng = Region.objects.filter(name="海盛社区", parent__name="南调街道").first()
    accounts = set(User.objects.filter(role=Role.WORKER).values_list("phone", flat=True))
    candidates = [r["phone"] for r in rows if r["phone"] not in accounts]
    accepted = rng.sample(candidates, REGISTERED_WORKERS)
    pending = [p for p in candidates if p not in set(accepted)][:5]
    chosen_workers = Worker.objects.filter(phone__in=[*accepted, *pending])
    workers = {w.phone: w for w in chosen_workers.select_related("work_region")}
    for phone in accepted:
        worker = workers[phone]
        registration_submit(
            community=worker.work_region, actor=None, worker=worker, accept_now=True,
            channel=rng.choice([RegistrationChannel.QR, RegistrationChannel.STAFF]),
        )  # fmt: skip
    if haisheng is None:
        return
    # Waiting in 海盛社区 for its staff: a station and a few riders, one sent back before.
    enterprise = by_name[chosen[-1]]
    registration_submit(community=haisheng, actor=None, enterprise=enterprise,
                        note="站点新迁至海盛社区，申请报到。")  # fmt: skip
    for number, phone in enumerate(pending):
        registration = registration_submit(community=haisheng, actor=None, worker=workers[phone])
        if number == 0:
            registration_reject(
                registration=registration,
                reviewer=staff,
                reason="工作地不在本社区，请向工作地社区报到。",
            )


def _organisations(campaign: SurveyCampaign, enterprises: list[dict]) -> None:
    """What the campaign found besides enterprises and members: organisations in them."""
    by_name = {e.name: e for e in Enterprise.objects.select_related("region")}
    picks = [
        ("滴滴出行湛江分公司", "滴滴出行湛江分公司流动党支部", OrganisationKind.PARTY),
        ("顺丰速运湛江分公司", "顺丰速运湛江分公司工会", OrganisationKind.UNION),
        ("遂溪县电子商务产业园", "遂溪县电子商务产业园党支部", OrganisationKind.PARTY),
        ("遂溪县电子商务产业园", "遂溪县电子商务产业园团支部", OrganisationKind.LEAGUE),
        ("徐闻县菠萝电商物流园", "徐闻县菠萝电商物流园妇女委员会", OrganisationKind.WOMEN),
    ]
    for enterprise_name, name, kind in picks:
        enterprise = by_name[enterprise_name]
        finding_record_organisation(
            campaign=campaign, actor=None, name=name, organisation_kind=kind,
            region=enterprise.region, enterprise=enterprise,
        )  # fmt: skip


def load(ctx: DemoContext) -> None:
    if SurveyCampaign.objects.filter(name=CAMPAIGN_NAME).exists():
        ctx.say(f"台账：已存在（企业 {Enterprise.objects.count()} 家），跳过。")
        return
    gen = Generator(ctx.rng("registry"), Geo.load())
    # Sorted here, not in SQL, as phones may be sealed at rest (PII_SEAL_PHONES).
    found = User.objects.filter(role=Role.WORKER).select_related("region")
    users = sorted(found, key=lambda u: u.phone)
    enterprises = gen.enterprises()
    assert len(enterprises) == ENTERPRISE_TOTAL, len(enterprises)
    rows = gen.workers(enterprises, users)
    _choose_party_members(gen, rows, enterprises)
    for row in enterprises:
        row["worker_count"] = 0
    for row in rows:
        enterprises[row["_enterprise"]]["worker_count"] += 1

    # Before the campaign: the ledger lacks some enterprises (and their people), and some
    # party members are recorded as 群众 because nobody had asked.
    rng = gen.rng
    users_enterprises = {r["_enterprise"] for r in rows[: len(users)]}
    unknown = [i for i, e in enumerate(enterprises) if e["kind"] in {"电商企业", "直播企业"}]
    unknown += rng.sample([i for i in range(len(enterprises)) if i not in set(unknown)
                           and i not in users_enterprises and enterprises[i]["platform_brand"]
                           != "滴滴"], FOUND_BY_CAMPAIGN - len(unknown))  # fmt: skip
    unknown_set = set(unknown)
    before_rows = [r for r in rows if r["_enterprise"] not in unknown_set]
    for row in before_rows:
        names = row["enterprises"].split("、")
        row["enterprises"] = "、".join(n for n in names if n not in {
            enterprises[i]["name"] for i in unknown_set})  # fmt: skip
    party = [r for r in before_rows if r["political_status"] != "群众" and "党员" in
             r["political_status"]]  # fmt: skip
    revealed = set(map(id, rng.sample(party[DIDI_BRANCH_MEMBERS:], REVEALED_MEMBERS)))
    stage1 = [dict(r, political_status="群众") if id(r) in revealed else r for r in before_rows]
    counts = _import(
        [("enterprise", _finish([e for i, e in enumerate(enterprises) if i not in unknown_set],
                                gen.geo)),
         ("worker", _finish(stage1, gen.geo))],
        None, "demo-台账-2023.xlsx",
    )  # fmt: skip

    campaign = campaign_create(
        actor=None,
        name=CAMPAIGN_NAME,
        start_date=dt.date(2024, 3, 1),
        end_date=dt.date(2024, 6, 30),
        target_regions=list(gen.geo.counties.values()),
        description="找企业、找组织、找党员：逐街逐社区摸排新业态企业和新就业群体。",
    )
    found_rows = [r for r in rows if r["_enterprise"] in unknown_set]
    party_rows = [r for r in before_rows if "党员" in r["political_status"]]
    found = _import(
        [("enterprise", _finish([enterprises[i] for i in unknown], gen.geo)),
         ("worker", _finish(found_rows + party_rows, gen.geo))],
        campaign, "demo-三找行动-2024.xlsx",
    )  # fmt: skip
    _organisations(campaign, enterprises)
    campaign_close(campaign=campaign, actor=None)

    today = local_date()
    if not SurveyCampaign.objects.filter(name=OPEN_CAMPAIGN_NAME).exists():
        campaign_create(
            actor=None, name=OPEN_CAMPAIGN_NAME, start_date=today - dt.timedelta(days=30),
            end_date=today + dt.timedelta(days=90), target_regions=[gen.geo.counties["440804"]],
            description="坡头区每季度走访站点，更新企业和党员信息。",
        )  # fmt: skip
    _register(gen, rows, enterprises)
    liaisons = User.objects.filter(role=Role.ENTERPRISE_LIAISON)
    liaison = min(liaisons, key=lambda u: u.phone, default=None)
    if liaison is not None:
        for enterprise in Enterprise.objects.filter(
            platform_brand="美团",
            region__path__startswith=liaison.region.path if liaison.region else "",
        ):
            enterprise_set_liaisons(enterprise=enterprise, liaisons=[liaison], actor=None)
    created = counts["worker"]["created"] + found["worker"]["created"]
    ctx.say(
        f"台账：企业 {Enterprise.objects.count()} 家，从业人员 {created} 人，"
        f"党员 {PARTY_MEMBERS} 人；报到企业 {REGISTERED_ENTERPRISES} 家、人员 "
        f"{Registration.objects.filter(status='accepted', worker__isnull=False).count()} 人。"
    )
