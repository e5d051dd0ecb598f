"""Builders for registry tests: a small named city, valid numbers, enterprises and workers."""

import itertools
from dataclasses import dataclass

from stdnum.cn import ric, uscc

from nuanxin.geo.models import Region, RegionLevel
from nuanxin.geo.services import region_save
from nuanxin.registry.models import (
    Enterprise,
    EnterpriseKind,
    Industry,
    Occupation,
    PoliticalStatus,
    Worker,
)
from nuanxin.registry.services import enterprise_create, worker_create

_sequence = itertools.count(1)


def credit_code(prefix: str = "91440804") -> str:
    """A unified social credit code with a correct check digit, different on every call."""
    body = f"{prefix}MA{next(_sequence):07d}"
    return body + uscc.calc_check_digit(body)


def id_number(area: str = "440804", birth: str = "19900101", seq: int | None = None) -> str:
    """A resident ID number with a correct check digit, different on every call."""
    body = f"{area}{birth}{(seq if seq is not None else next(_sequence)) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def id_number_ending_in_x(birth: str = "19880808") -> str:
    for seq in range(1000):
        number = id_number(birth=birth, seq=seq)
        if number.endswith("X"):
            return number
    raise AssertionError("no X check digit in range")  # pragma: no cover


def phone(n: int | None = None) -> str:
    return f"1350000{(n if n is not None else next(_sequence)) % 10000:04d}"


@dataclass
class City:
    """A few real Zhanjiang names, enough to test names the way offices write them.

    湛江市 > 坡头区 > 南调街道 > 海盛社区, 南调社区; 坡头区 > 坡头镇 > 坡头社区;
    霞山区 > 海滨街道 > 观海社区; 吴川市 > 海滨街道 > 观海社区 (the same names twice, as in
    the real city); 霞山区 > 新园街道 > 新园社区.
    """

    regions: dict[str, Region]

    def __getitem__(self, key: str) -> Region:
        return self.regions[key]


def build_city() -> City:
    r: dict[str, Region] = {}

    def add(key: str, code: str, name: str, level: str, parent: str | None) -> None:
        r[key], _ = region_save(
            code=code, name=name, level=level, parent=r[parent] if parent else None
        )

    add("city", "440800", "湛江市", RegionLevel.CITY, None)
    add("potou", "440804", "坡头区", RegionLevel.COUNTY, "city")
    add("xiashan", "440803", "霞山区", RegionLevel.COUNTY, "city")
    add("wuchuan", "440883", "吴川市", RegionLevel.COUNTY, "city")
    add("nandiao", "440804001", "南调街道", RegionLevel.STREET, "potou")
    add("potou_town", "440804100", "坡头镇", RegionLevel.STREET, "potou")
    add("haisheng", "440804001001", "海盛社区", RegionLevel.COMMUNITY, "nandiao")
    add("nandiao_c", "440804001002", "南调社区", RegionLevel.COMMUNITY, "nandiao")
    add("potou_c", "440804100001", "坡头社区", RegionLevel.COMMUNITY, "potou_town")
    add("haibin_xs", "440803006", "海滨街道", RegionLevel.STREET, "xiashan")
    add("guanhai_xs", "440803006001", "观海社区", RegionLevel.COMMUNITY, "haibin_xs")
    add("xinyuan", "440803009", "新园街道", RegionLevel.STREET, "xiashan")
    add("xinyuan_c", "440803009001", "新园社区", RegionLevel.COMMUNITY, "xinyuan")
    add("haibin_wc", "440883003", "海滨街道", RegionLevel.STREET, "wuchuan")
    add("guanhai_wc", "440883003001", "观海社区", RegionLevel.COMMUNITY, "haibin_wc")
    return City(r)


def make_enterprise(region: Region, **fields: object) -> Enterprise:
    defaults = {
        "name": f"测试企业{next(_sequence)}号站",
        "kind": EnterpriseKind.STATION,
        "industry": Industry.FOOD_DELIVERY,
        "platform_brand": "美团",
    }
    defaults.update(fields)
    return enterprise_create(actor=None, region=region, **defaults)


def make_worker(region: Region, **fields: object) -> Worker:
    defaults = {
        "name": "张三",
        "phone": phone(),
        "occupation": Occupation.RIDER,
        "political_status": PoliticalStatus.MASSES,
    }
    defaults.update(fields)
    return worker_create(actor=None, work_region=region, **defaults)
