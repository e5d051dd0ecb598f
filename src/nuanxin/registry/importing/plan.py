"""Planning an import: match each row to the registry, decide create / update / unchanged.

Nothing is written here. Rows are matched in bulk (a few queries per thousand rows):
enterprises by credit code, else by name; workers by phone, else by ID number. Each plan
carries the complete new field values, so writing is a handful of bulk statements.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from nuanxin.registry.importing.parse import ParsedRow
from nuanxin.registry.models import (
    Enterprise,
    EnterpriseStatus,
    PoliticalStatus,
    WorkerStatus,
)
from nuanxin.registry.regions import RegionResolver

CHUNK = 2000
ENTERPRISE_FIELDS = [
    "name",
    "credit_code",
    "kind",
    "industry",
    "platform_brand",
    "hq_outside_city",
    "address",
    "lon",
    "lat",
    "region_id",
    "contact_name",
    "contact_phone",
    "worker_count",
    "status",
]
WORKER_FIELDS = [
    "name",
    "phone",
    "id_number",
    "gender",
    "birth_year",
    "occupation",
    "home_region_id",
    "work_region_id",
    "region_id",
    "political_status",
    "union_member",
    "status",
    "user_id",
]
ENTERPRISE_DEFAULTS = {
    "credit_code": None,
    "platform_brand": "",
    "hq_outside_city": False,
    "address": "",
    "lon": None,
    "lat": None,
    "contact_name": "",
    "contact_phone": "",
    "worker_count": None,
    "status": EnterpriseStatus.ACTIVE,
}
WORKER_DEFAULTS = {
    "id_number": None,
    "gender": "",
    "birth_year": None,
    "home_region_id": None,
    "work_region_id": None,
    "political_status": PoliticalStatus.MASSES,
    "union_member": False,
    "status": WorkerStatus.ACTIVE,
    "user_id": None,
}


def chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Plan:
    """What one valid row will do: ``existing`` is None for a new row."""

    row: ParsedRow
    existing: dict[str, Any] | None
    fields: dict[str, Any]
    changed: list[str]
    # Workers: the enterprises to link, by id or by "row:<n>" for one this file creates.
    enterprise_keys: list[int | str] | None = None
    enterprise_ids_before: set[int] = field(default_factory=set)
    links_changed: bool = False

    @property
    def action(self) -> str:
        if self.existing is None:
            return "created"
        return "updated" if self.changed or self.links_changed else "unchanged"


@dataclass
class Scope:
    """What the importing user may touch: a region path (staff) or enterprise ids (liaison)."""

    path: str | None  # None: no region limit (system, superuser)
    liaison_enterprises: set[int] | None = None  # set for liaisons
    campaign_paths: list[str] | None = None

    def region_allowed(self, region_path: str) -> bool:
        return self.path is None or region_path.startswith(self.path)


def merge(
    existing: dict[str, Any] | None, provided: dict[str, Any], defaults: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    base = dict(defaults) if existing is None else dict(existing)
    changed = []
    for key, value in provided.items():
        if base.get(key) != value:
            changed.append(key)
        base[key] = value
    return base, changed if existing is not None else []


_REGION_KEYS = ("region_id", "work_region_id", "home_region_id")


def keep_finer_regions(
    existing: dict[str, Any] | None, provided: dict[str, Any], resolver: RegionResolver
) -> None:
    """A sheet that names only the county (or street) of a place recorded more precisely does
    not make the record coarser: "坡头区" for a rider recorded in 海盛社区 keeps 海盛社区."""
    if existing is None:
        return
    for key in _REGION_KEYS:
        old, new = existing.get(key), provided.get(key)
        if old and new and resolver.node(old).path.startswith(resolver.node(new).path):
            del provided[key]


def plan_enterprises(
    rows: list[ParsedRow], resolver: RegionResolver, scope: Scope
) -> tuple[list[Plan], dict[str, int | str]]:
    """Plans for the valid enterprise rows; problems go into the rows.

    Returns the plans and the enterprise keys this file makes known (name and credit code ->
    the enterprise's id, or "row:<n>" for an enterprise the file creates).
    """
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for row in rows:
        if not row.ok:
            continue
        name, code = row.values.get("name"), row.values.get("credit_code")
        if code and code in seen_codes:
            row.problem(
                "credit_code",
                "registry.duplicate_in_file",
                _("与第 %(row)s 行的统一社会信用代码重复。") % {"row": seen_codes[code]},
            )
        elif name in seen_names:
            row.problem(
                "name",
                "registry.duplicate_in_file",
                _("与第 %(row)s 行的企业名称重复。") % {"row": seen_names[name]},
            )
        else:
            if code:
                seen_codes[code] = row.row
            seen_names[name] = row.row
    valid = [row for row in rows if row.ok]
    by_code, by_name = _existing_enterprises(valid)
    plans: list[Plan] = []
    keys: dict[str, int | str] = {}
    for row in valid:
        provided = {k: v for k, v in row.values.items() if v is not None}
        code = provided.get("credit_code")
        match = by_code.get(code) if code else None
        named = by_name.get(provided["name"])
        if match is None and named is not None:
            if code and named["credit_code"] and named["credit_code"] != code:
                row.problem(
                    "name",
                    "registry.duplicate_name",
                    _("已有同名企业登记在另一个统一社会信用代码下。"),
                )
                continue
            match = named
        elif match is not None and named is not None and named["id"] != match["id"]:
            row.problem(
                "name",
                "registry.duplicate_name",
                _("企业名称已被另一家企业使用，不能改成这个名称。"),
            )
            continue
        keep_finer_regions(match, provided, resolver)
        fields, changed = merge(match, provided, ENTERPRISE_DEFAULTS)
        if match is None:
            for key, label in (
                ("kind", "企业类型"),
                ("industry", "所属行业"),
                ("region_id", "县（市、区）"),
            ):
                if not fields.get(key):
                    row.problem(
                        "county" if key == "region_id" else key,
                        "registry.required",
                        _("新登记的企业必须填写%(label)s。") % {"label": _(label)},
                    )
            if not row.ok:
                continue
        if not _enterprise_in_scope(row, fields, match, resolver, scope):
            continue
        plan = Plan(row=row, existing=match, fields=fields, changed=changed)
        plans.append(plan)
        key: int | str = match["id"] if match else f"row:{row.row}"
        keys[fields["name"]] = key
        if fields.get("credit_code"):
            keys[fields["credit_code"]] = key
    return plans, keys


def _enterprise_in_scope(
    row: ParsedRow,
    fields: dict[str, Any],
    match: dict[str, Any] | None,
    resolver: RegionResolver,
    scope: Scope,
) -> bool:
    if scope.liaison_enterprises is not None:
        row.problem("name", "registry.not_allowed", _("企业联络员不能导入企业台账。"))
        return False
    paths = [resolver.node(fields["region_id"]).path]
    if match is not None:
        paths.append(resolver.node(match["region_id"]).path)
    if not all(scope.region_allowed(p) for p in paths):
        row.problem("county", "auth.out_of_jurisdiction", _("该企业不在您的管辖范围内。"))
        return False
    if scope.campaign_paths is not None and not any(
        paths[0].startswith(p) for p in scope.campaign_paths
    ):
        row.problem("county", "registry.outside_campaign", _("该企业不在本次行动的目标区域内。"))
        return False
    return True


def _existing_enterprises(
    rows: list[ParsedRow],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    codes = [r.values["credit_code"] for r in rows if r.values.get("credit_code")]
    names = [r.values["name"] for r in rows]
    by_code: dict[str, dict[str, Any]] = {}
    by_name: dict[str, dict[str, Any]] = {}
    columns = ["id", *ENTERPRISE_FIELDS]
    for part in chunks(codes):
        for data in Enterprise.objects.filter(credit_code__in=part).values(*columns):
            by_code[data["credit_code"]] = data
    for part in chunks(names):
        for data in Enterprise.objects.filter(name__in=part).values(*columns):
            by_name[data["name"]] = data
    return by_code, by_name
