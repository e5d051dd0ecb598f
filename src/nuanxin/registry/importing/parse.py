"""One sheet row -> canonical values, with every problem tied to its column.

Only filled cells produce values: a blank cell leaves the registry's value as it is, so a sheet
that lacks a column (or leaves it empty) never erases what another office recorded.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nuanxin.geo.selectors import region_at_point
from nuanxin.registry.cleaning import (
    FieldProblem,
    clean_birth_year,
    clean_bool,
    clean_choice,
    clean_contact_phone,
    clean_count,
    clean_credit_code,
    clean_enterprise_name,
    clean_id_number,
    clean_location,
    clean_mobile,
    clean_person_name,
    clean_short_text,
    masked_for_message,
    to_text,
)
from nuanxin.registry.models import (
    EnterpriseKind,
    EnterpriseStatus,
    Gender,
    Industry,
    Occupation,
    PoliticalStatus,
    WorkerStatus,
)
from nuanxin.registry.regions import RegionNode, RegionResolver
from nuanxin.registry.services.workers import check_id_consistency

_LIST_SEPARATORS = re.compile(r"[、,，;；/\n]+")


@dataclass
class ParsedRow:
    sheet: str
    row: int
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # key, code, message
    notes: list[tuple[str, str]] = field(default_factory=list)  # key, message

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, key: str, code: str, message: str) -> None:
        self.problems.append((key, code, message))

    def label(self) -> str:
        """Who the row is about, safe to show in a report: name and masked phone."""
        name = to_text(self.values.get("name"))
        phone = self.values.get("phone")
        return f"{name} {masked_for_message(phone)}".strip() if phone else name

    def take(self, key: str, clean: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``clean(*args)`` or, on a problem, None with the problem recorded under ``key``."""
        try:
            return clean(*args, **kwargs)
        except FieldProblem as problem:
            self.problem(key, problem.code, problem.message)
            return None


def _region(
    row: ParsedRow, resolver: RegionResolver, raw: dict[str, Any], parts: list[str], whole: str
) -> RegionNode | None:
    """The region from part columns (county, street, community) and/or a whole-name column."""
    texts = [to_text(raw.get(key)) for key in parts]
    combined = to_text(raw.get(whole))
    key = next((k for k in [whole, *parts] if to_text(raw.get(k))), whole)
    if not any(texts) and not combined:
        return None
    try:
        if any(texts):
            try:
                return resolver.resolve(*texts, combined)
            except FieldProblem:
                if not combined:
                    raise
        return resolver.resolve(combined)
    except FieldProblem as problem:
        row.problem(key, problem.code, problem.message)
        return None


def _check_depth(row: ParsedRow, key: str, node: RegionNode | None) -> RegionNode | None:
    if node is not None and node.depth < 1:
        row.problem(key, "registry.region_too_coarse", _("区域至少要具体到县（市、区）。"))
        return None
    return node


# Labels for messages are lazy: they are translated only when a row has a problem.
_ENTERPRISE_CHOICES = (
    ("kind", EnterpriseKind, gettext_lazy("企业类型")),
    ("industry", Industry, gettext_lazy("所属行业")),
    ("status", EnterpriseStatus, gettext_lazy("经营状态")),
)
_ENTERPRISE_TEXTS = (
    ("platform_brand", 50, gettext_lazy("平台品牌")),
    ("address", 255, gettext_lazy("详细地址")),
    ("contact_name", 50, gettext_lazy("联系人")),
)
_WORKER_CHOICES = (
    ("occupation", Occupation, gettext_lazy("职业")),
    ("political_status", PoliticalStatus, gettext_lazy("政治面貌")),
    ("status", WorkerStatus, gettext_lazy("在职状态")),
)
_WORKER_COUNT = gettext_lazy("从业人员数")
_HQ_OUTSIDE = gettext_lazy("总部是否在市外")
_GENDER = gettext_lazy("性别")
_IS_PARTY = gettext_lazy("是否党员")
_UNION = gettext_lazy("是否工会会员")


def parse_enterprise(
    sheet: str, number: int, raw: dict[str, Any], resolver: RegionResolver
) -> ParsedRow:
    row = ParsedRow(sheet, number)
    values = row.values
    values["name"] = row.take("name", clean_enterprise_name, raw.get("name"))
    if "credit_code" in raw:
        values["credit_code"] = row.take("credit_code", clean_credit_code, raw["credit_code"])
    for key, choices, label in _ENTERPRISE_CHOICES:
        if key in raw:
            values[key] = row.take(key, clean_choice, raw[key], choices, label=_(label))
    for key, limit, label in (
        ("platform_brand", 50, "平台品牌"),
        ("address", 255, "详细地址"),
        ("contact_name", 50, "联系人"),
    ):
        if key in raw:
            values[key] = row.take(
                key, clean_short_text, raw[key], max_length=limit, label=_(label)
            )
    if "contact_phone" in raw:
        values["contact_phone"] = row.take(
            "contact_phone", clean_contact_phone, raw["contact_phone"]
        )
    if "worker_count" in raw:
        values["worker_count"] = row.take(
            "worker_count", clean_count, raw["worker_count"], label=_WORKER_COUNT
        )
    if "hq_outside_city" in raw:
        values["hq_outside_city"] = row.take(
            "hq_outside_city", clean_bool, raw["hq_outside_city"], label=_HQ_OUTSIDE
        )
    point = None
    if "lon" in raw or "lat" in raw:
        point = row.take(
            "lon" if "lon" in raw else "lat",
            clean_location,
            raw.get("lon"),
            raw.get("lat"),
            raw.get("coord_system"),
        )
        if point is not None:
            values["lon"], values["lat"] = point
    node = _region(row, resolver, raw, ["county", "street", "community"], "region")
    if node is None and point is not None and not row.problems:
        match = region_at_point(*point)
        node = resolver.node(match.region.pk) if match else None
    node = _check_depth(row, "county", node)
    if node is not None:
        values["region_id"] = node.id
    return row


def parse_worker(
    sheet: str, number: int, raw: dict[str, Any], resolver: RegionResolver
) -> ParsedRow:
    row = ParsedRow(sheet, number)
    values = row.values
    values["name"] = row.take("name", clean_person_name, raw.get("name"))
    values["phone"] = row.take("phone", clean_mobile, raw.get("phone"))
    gender = birth_year = None
    if "gender" in raw:
        gender = row.take("gender", clean_choice, raw["gender"], Gender, label=_GENDER)
    if "birth_year" in raw:
        birth_year = row.take("birth_year", clean_birth_year, raw["birth_year"])
    id_number = None
    if "id_number" in raw:
        id_number = row.take("id_number", clean_id_number, raw["id_number"])
        if id_number is not None and id_number.recovered:
            row.notes.append(("id_number", id_number.recovered))
    consistent = row.take("id_number", check_id_consistency, id_number, gender, birth_year)
    if consistent is not None:
        number_text, gender, birth_year = consistent
        if number_text:
            values["id_number"] = number_text
    if gender:
        values["gender"] = gender
    if birth_year:
        values["birth_year"] = birth_year
    for key, choices, label in _WORKER_CHOICES:
        if key in raw:
            values[key] = row.take(key, clean_choice, raw[key], choices, label=label)
    if "is_party" in raw and "political_status" not in raw:
        is_party = row.take("is_party", clean_bool, raw["is_party"], label=_IS_PARTY)
        if is_party is not None:
            values["political_status"] = (
                PoliticalStatus.PARTY_MEMBER if is_party else PoliticalStatus.MASSES
            )
    if "union_member" in raw:
        values["union_member"] = row.take(
            "union_member", clean_bool, raw["union_member"], label=_UNION
        )
    if "enterprises" in raw:
        refs = []
        for part in _LIST_SEPARATORS.split(to_text(raw["enterprises"])):
            if part.strip():
                refs.append(row.take("enterprises", clean_enterprise_name, part))
        values["enterprise_refs"] = [ref for ref in refs if ref]
    work = _region(
        row, resolver, raw, ["work_county", "work_street", "work_community"], "work_region"
    )
    home = _region(row, resolver, raw, [], "home_region")
    work = _check_depth(row, "work_region", work)
    home = _check_depth(row, "home_region", home)
    if work is not None:
        values["work_region_id"] = work.id
    if home is not None:
        values["home_region_id"] = home.id
    return row
