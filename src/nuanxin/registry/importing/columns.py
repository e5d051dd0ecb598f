"""The two ledgers' columns: Chinese headers, the other names offices give them, and hints.

A workbook may hold an enterprise ledger (企业台账), a worker ledger (从业人员台账) or both, on
any sheets with any sheet names: a sheet is recognised by its header row. A header row naming
the enterprise ("企业名称") makes an enterprise ledger; one naming a person and a phone ("姓名",
"手机号") makes a worker ledger. Headers are the file format offices exchange, so they stay in
Chinese whatever language the page is shown in.
"""

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from django.db import models

from nuanxin.registry.models import (
    EnterpriseKind,
    EnterpriseStatus,
    Gender,
    Industry,
    Occupation,
    PoliticalStatus,
    WorkerStatus,
)


class SheetKind(StrEnum):
    ENTERPRISE = "enterprise"
    WORKER = "worker"


SHEET_TITLES = {SheetKind.ENTERPRISE: "企业台账", SheetKind.WORKER: "从业人员台账"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False  # for a new row; existing rows keep what a blank cell leaves out
    width: int = 14
    text: bool = False  # a number that must stay text in Excel (phone, ID, credit code)
    hint: str = ""
    choices: type[models.TextChoices] | None = None


SEQ = Column("_seq", "序号", ("编号", "no", "no.", "序"), width=6)
_COUNTY = (
    "县(市、区)",
    "县市区",
    "区县",
    "县区",
    "所属区县",
    "所在区县",
    "所属县(市、区)",
    "县(区)",
)
_STREET = ("街道(镇)", "街道", "镇街", "乡镇街道", "所属街道", "所在街道", "街道(乡镇)",
           "乡镇(街道)", "所属镇街", "乡镇")  # fmt: skip
_COMMUNITY = (
    "社区(村)",
    "社区",
    "村居",
    "社区村",
    "所属社区",
    "所在社区",
    "村(社区)",
    "社区(村居)",
)
_REGION_HINT = "名称或区划代码均可，如“坡头区”“南调街道”“海盛社区”；同名街道须写明县（市、区）。"

ENTERPRISE_COLUMNS: tuple[Column, ...] = (
    SEQ,
    Column(
        "name",
        "企业名称",
        ("单位名称", "企业(单位)名称", "公司名称", "名称", "企业全称", "站点名称", "网点名称"),
        required=True,
        width=36,
        hint="营业执照上的全称；站点可写“品牌+站点名”。",
    ),
    Column(
        "credit_code",
        "统一社会信用代码",
        ("信用代码", "社会信用代码", "统一代码", "统一社会信用代码证号"),
        width=22,
        text=True,
        hint="18 位，有则必填；系统按它识别同一家企业。",
    ),
    Column(
        "kind",
        "企业类型",
        ("类型", "单位类型", "主体类型", "企业类别"),
        required=True,
        choices=EnterpriseKind,
    ),
    Column(
        "industry",
        "所属行业",
        ("行业", "行业类别", "业态", "行业类型", "所属业态"),
        required=True,
        choices=Industry,
    ),
    Column(
        "platform_brand",
        "平台品牌",
        ("品牌", "所属平台", "平台", "平台名称"),
        hint="如 美团、饿了么、顺丰、中通、滴滴，可自由填写。",
    ),
    Column(
        "hq_outside_city",
        "总部是否在市外",
        ("总部在市外", "总部是否在外地", "总部在外地", "市外总部", "总部是否在本市外"),
        width=10,
        hint="填“是”或“否”。",
    ),
    Column("county", "县（市、区）", _COUNTY, required=True, width=12, hint=_REGION_HINT),
    Column("street", "街道（镇）", _STREET, width=12),
    Column("community", "社区（村）", _COMMUNITY, width=12),
    Column(
        "region",
        "所属区域",
        ("所在区域", "区域", "所属地区", "区域代码", "区划代码"),
        width=24,
        hint="也可只用这一列写完整区域，如“坡头区南调街道海盛社区”。",
    ),
    Column(
        "address",
        "详细地址",
        ("地址", "经营地址", "办公地址", "注册地址", "住所", "经营场所"),
        width=30,
    ),
    Column("lon", "经度", ("lng", "lon", "longitude"), width=11),
    Column("lat", "纬度", ("lat", "latitude"), width=11),
    Column(
        "coord_system",
        "坐标系",
        ("坐标类型", "坐标系统"),
        width=10,
        hint="WGS-84（默认）、GCJ-02（高德/腾讯）或 BD-09（百度）。",
    ),
    Column("contact_name", "联系人", ("负责人", "联系人姓名", "企业联系人", "联络员"), width=10),
    Column(
        "contact_phone",
        "联系电话",
        ("联系人电话", "联系方式", "电话", "联系人手机", "负责人电话"),
        width=16,
        text=True,
        hint="手机号或带区号的固定电话。",
    ),
    Column(
        "worker_count",
        "从业人员数",
        ("从业人数", "员工人数", "人数", "骑手人数", "快递员人数", "司机人数", "从业人员数量"),
        width=10,
    ),
    Column(
        "status",
        "经营状态",
        ("状态", "企业状态", "营业状态"),
        width=10,
        choices=EnterpriseStatus,
        hint="空白视为“在营”。",
    ),
)

WORKER_COLUMNS: tuple[Column, ...] = (
    SEQ,
    Column(
        "name",
        "姓名",
        ("名字", "人员姓名", "骑手姓名", "从业人员姓名", "快递员姓名", "司机姓名"),
        required=True,
        width=10,
    ),
    Column(
        "phone",
        "手机号",
        ("手机号码", "手机", "联系电话", "电话", "联系方式", "电话号码"),
        required=True,
        width=15,
        text=True,
        hint="11 位手机号，系统按它识别同一个人。",
    ),
    Column(
        "id_number",
        "身份证号",
        ("身份证号码", "公民身份号码", "身份证", "证件号码", "身份证件号码"),
        width=21,
        text=True,
        hint="选填；请设为文本格式，以免 Excel 吞掉末位。",
    ),
    Column("gender", "性别", width=6, choices=Gender, hint="填了身份证号可不填。"),
    Column("birth_year", "出生年份", ("出生年月", "出生日期", "出生年"), width=10),
    Column(
        "occupation",
        "职业",
        ("岗位", "职业类别", "从业类型", "工种", "职业类型"),
        required=True,
        width=12,
        choices=Occupation,
    ),
    Column(
        "enterprises",
        "所属企业",
        ("所在企业", "工作单位", "企业", "所属平台企业", "服务企业", "签约企业", "所属站点"),
        width=30,
        hint="企业台账中的企业名称或信用代码，多个用“、”分隔。",
    ),
    Column(
        "work_region",
        "工作地",
        ("工作区域", "工作社区", "所属社区", "服务区域", "所在社区", "所属区域", "工作地点"),
        width=24,
        hint="如“坡头区南调街道海盛社区”，决定由哪个社区管理。",
    ),
    Column("work_county", "县（市、区）", _COUNTY, width=12),
    Column("work_street", "街道（镇）", _STREET, width=12),
    Column("work_community", "社区（村）", _COMMUNITY, width=12),
    Column(
        "home_region",
        "居住地",
        ("居住社区", "现居住地", "居住区域", "现住址", "居住地址"),
        width=24,
    ),
    Column("political_status", "政治面貌", ("政治身份",), width=12, choices=PoliticalStatus),
    Column("is_party", "是否党员", ("党员",), width=8, hint="可代替“政治面貌”：是/否。"),
    Column(
        "union_member",
        "是否工会会员",
        ("工会会员", "是否入会", "工会", "是否加入工会"),
        width=10,
        hint="填“是”或“否”。",
    ),
    Column(
        "status",
        "在职状态",
        ("状态", "人员状态", "是否在职"),
        width=10,
        choices=WorkerStatus,
        hint="空白视为“在职”。",
    ),
)

COLUMNS = {SheetKind.ENTERPRISE: ENTERPRISE_COLUMNS, SheetKind.WORKER: WORKER_COLUMNS}
# Columns the template shows; the others are accepted when a sheet has them.
TEMPLATE_KEYS = {
    SheetKind.ENTERPRISE: [c.key for c in ENTERPRISE_COLUMNS if c.key != "region"],
    SheetKind.WORKER: [
        c.key for c in WORKER_COLUMNS
        if c.key not in {"work_county", "work_street", "work_community", "is_party"}
    ],
}  # fmt: skip

_DROP = re.compile(r"[\s*＊※:：]")
_NOTE = re.compile(r"\((必填|选填|可选|必须|非必填)\)$")


def normalise_header(text: object) -> str:
    """'手机号码（必填）*' and ' 手机号码 ' read the same; full-width brackets become ASCII."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = _DROP.sub("", value).lower()
    return _NOTE.sub("", value)


def _index(columns: tuple[Column, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            index.setdefault(normalise_header(name), column.key)
    return index


_INDEXES = {kind: _index(columns) for kind, columns in COLUMNS.items()}
_IDENTIFYING = {SheetKind.ENTERPRISE: {"name"}, SheetKind.WORKER: {"name", "phone"}}


@dataclass
class HeaderMatch:
    kind: SheetKind
    columns: dict[int, str]  # cell index -> column key
    headers: dict[str, str]  # column key -> the header as written in the sheet
    unknown: list[str]


def match_header(cells: tuple[object, ...]) -> HeaderMatch | None:
    """Read a row as a header row of one of the ledgers, or None if it is not one."""
    best: HeaderMatch | None = None
    for kind, index in _INDEXES.items():
        columns: dict[int, str] = {}
        headers: dict[str, str] = {}
        unknown: list[str] = []
        for position, cell in enumerate(cells):
            name = normalise_header(cell)
            if not name:
                continue
            key = index.get(name)
            if key is None or key in headers:
                unknown.append(str(cell).strip())
                continue
            columns[position] = key
            headers[key] = str(cell).strip()
        # One recognised name is not a header row (the template's guide lists column names
        # one per row); a ledger's header names at least two columns.
        if not _IDENTIFYING[kind] <= set(headers) or len(set(headers) - {"_seq"}) < 2:
            continue
        # "姓名" is a person: an enterprise sheet has no such header.
        if kind == SheetKind.ENTERPRISE and normalise_header("姓名") in map(
            normalise_header, cells
        ):
            continue
        if best is None or len(columns) > len(best.columns):
            best = HeaderMatch(kind, columns, headers, unknown)
    return best
