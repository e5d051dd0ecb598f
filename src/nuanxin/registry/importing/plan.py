"""Planning an import: match each row to the registry, decide create / update / unchanged.

Nothing is written here. Rows are matched in bulk (a few queries per thousand rows):
enterprises by credit code, else by name; workers by phone, else by ID number. Each plan
carries the complete new field values, so writing is a handful of bulk statements.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from nuanxin.accounts.models import Role, User
from nuanxin.core.masking import mask_phone
from nuanxin.registry.importing.parse import ParsedRow
from nuanxin.registry.models import (
    PARTY_STATUSES,
    Enterprise,
    EnterpriseStatus,
    PoliticalStatus,
    Worker,
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


def _merge(
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


def _keep_finer_regions(
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
        _keep_finer_regions(match, provided, resolver)
        fields, changed = _merge(match, provided, ENTERPRISE_DEFAULTS)
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


def plan_workers(
    rows: list[ParsedRow],
    resolver: RegionResolver,
    scope: Scope,
    enterprise_keys: dict[str, int | str],
    enterprise_regions: dict[int | str, int],
) -> list[Plan]:
    """Plans for the valid worker rows; problems (with row numbers) go into the rows.

    ``enterprise_keys`` maps the names and codes this file's enterprise sheet makes known;
    ``enterprise_regions`` gives the region id of each of those enterprises.
    """
    _mark_duplicates_in_file(rows)
    valid = [row for row in rows if row.ok]
    by_phone, by_id = _existing_workers(valid)
    keys = dict(enterprise_keys)
    regions = dict(enterprise_regions)
    _known_enterprises(valid, keys, regions)
    links = _current_links([w["id"] for w in (*by_phone.values(), *by_id.values())])
    plans: list[Plan] = []
    for row in valid:
        provided = {k: v for k, v in row.values.items() if v is not None}
        refs = provided.pop("enterprise_refs", None)
        match = by_phone.get(provided["phone"])
        same_id = by_id.get(provided.get("id_number")) if provided.get("id_number") else None
        if match is not None and same_id is not None and same_id["id"] != match["id"]:
            row.problem(
                "id_number",
                "registry.duplicate_id_number",
                _("该身份证号已登记在手机号为 %(phone)s 的另一名人员名下。")
                % {"phone": mask_phone(same_id["phone"])},
            )
            continue
        match = match or same_id
        enterprise_keys_row = None
        if refs is not None:
            enterprise_keys_row = []
            for ref in refs:
                if ref not in keys:
                    row.problem(
                        "enterprises",
                        "registry.unknown_enterprise",
                        _("找不到企业“%(name)s”，请先在企业台账中登记（或检查名称）。")
                        % {"name": ref[:40]},
                    )
                else:
                    enterprise_keys_row.append(ref)
        if not row.ok:
            continue
        plan = _worker_plan(
            row, provided, match, enterprise_keys_row, keys, regions, links, resolver, scope
        )
        if plan is not None:
            plans.append(plan)
    _link_users(plans)
    return plans


def _mark_duplicates_in_file(rows: list[ParsedRow]) -> None:
    seen_phone: dict[str, int] = {}
    seen_id: dict[str, int] = {}
    for row in rows:
        if not row.ok:
            continue
        phone, id_number = row.values.get("phone"), row.values.get("id_number")
        if phone in seen_phone:
            row.problem(
                "phone",
                "registry.duplicate_in_file",
                _("与第 %(row)s 行的手机号重复。") % {"row": seen_phone[phone]},
            )
        elif id_number and id_number in seen_id:
            row.problem(
                "id_number",
                "registry.duplicate_in_file",
                _("与第 %(row)s 行的身份证号重复。") % {"row": seen_id[id_number]},
            )
        else:
            seen_phone[phone] = row.row
            if id_number:
                seen_id[id_number] = row.row


def _existing_workers(
    rows: list[ParsedRow],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    phones = [r.values["phone"] for r in rows]
    ids = [r.values["id_number"] for r in rows if r.values.get("id_number")]
    columns = ["id", *WORKER_FIELDS]
    by_phone: dict[str, dict[str, Any]] = {}
    by_id: dict[str, dict[str, Any]] = {}
    for part in chunks(phones):
        for data in Worker.objects.filter(phone__in=part).values(*columns):
            by_phone[data["phone"]] = data
    for part in chunks(ids):
        for data in Worker.objects.filter(id_number__in=part).values(*columns):
            by_id[data["id_number"]] = data
    return by_phone, by_id


def _known_enterprises(
    rows: list[ParsedRow], keys: dict[str, int | str], regions: dict[int | str, int]
) -> None:
    """Adds the registry's enterprises that rows name and the file itself does not define."""
    wanted = {ref for r in rows for ref in r.values.get("enterprise_refs") or () if ref not in keys}
    wanted_list = sorted(wanted)
    for part in chunks(wanted_list):
        query = Q(name__in=part) | Q(credit_code__in=[p.upper() for p in part])
        for pk, name, code, region_id in Enterprise.objects.filter(query).values_list(
            "id", "name", "credit_code", "region_id"
        ):
            keys[name] = pk
            if code:
                keys[code] = pk
            regions[pk] = region_id


def _current_links(worker_ids: list[int]) -> dict[int, set[int]]:
    links: dict[int, set[int]] = {}
    through = Worker.enterprises.through.objects
    for part in chunks(sorted(set(worker_ids))):
        for worker_id, enterprise_id in through.filter(worker_id__in=part).values_list(
            "worker_id", "enterprise_id"
        ):
            links.setdefault(worker_id, set()).add(enterprise_id)
    return links


def _worker_plan(
    row: ParsedRow,
    provided: dict[str, Any],
    match: dict[str, Any] | None,
    refs: list[str] | None,
    keys: dict[str, int | str],
    regions: dict[int | str, int],
    links: dict[int, set[int]],
    resolver: RegionResolver,
    scope: Scope,
) -> Plan | None:
    before_links = links.get(match["id"], set()) if match else set()
    wanted = None if refs is None else list(dict.fromkeys(keys[ref] for ref in refs))
    if scope.liaison_enterprises is not None:
        theirs = scope.liaison_enterprises
        if match is not None and not (before_links & theirs):
            row.problem(
                "phone",
                "registry.not_your_enterprise",
                _("该人员已登记在其他企业名下，请联系社区工作人员调整。"),
            )
            return None
        if not wanted or any(e not in theirs for e in wanted):
            row.problem(
                "enterprises",
                "registry.not_your_enterprise",
                _("企业联络员只能导入本企业的从业人员。"),
            )
            return None
        kept = [e for e in sorted(before_links) if e not in theirs]
        wanted = list(dict.fromkeys([*kept, *wanted]))
    _keep_finer_regions(match, provided, resolver)
    fields, changed = _merge(match, provided, WORKER_DEFAULTS)
    if match is None and not fields.get("occupation"):
        row.problem("occupation", "registry.required", _("新登记的人员必须填写职业。"))
        return None
    enterprise_list = wanted if wanted is not None else sorted(before_links)
    region_id = (
        fields.get("work_region_id")
        or fields.get("home_region_id")
        or next((regions[e] for e in enterprise_list if e in regions), None)
        or (match["region_id"] if match else None)
    )
    if region_id is None:
        row.problem(
            "work_region",
            "registry.region_required",
            _("请填写工作地或居住地（或所属企业），以确定管理区域。"),
        )
        return None
    if match is not None and match["region_id"] != region_id:
        changed.append("region_id")
    fields["region_id"] = region_id
    if not _worker_in_scope(row, fields, match, resolver, scope):
        return None
    links_changed = wanted is not None and set(wanted) != before_links
    return Plan(
        row=row,
        existing=match,
        fields=fields,
        changed=changed,
        enterprise_keys=wanted,
        enterprise_ids_before=before_links,
        links_changed=links_changed,
    )


def _worker_in_scope(
    row: ParsedRow,
    fields: dict[str, Any],
    match: dict[str, Any] | None,
    resolver: RegionResolver,
    scope: Scope,
) -> bool:
    path = resolver.node(fields["region_id"]).path
    paths = [path] + ([resolver.node(match["region_id"]).path] if match else [])
    if scope.liaison_enterprises is None and not all(scope.region_allowed(p) for p in paths):
        row.problem("work_region", "auth.out_of_jurisdiction", _("该人员不在您的管辖范围内。"))
        return False
    in_party = fields["political_status"] in PARTY_STATUSES
    if (
        in_party
        and scope.campaign_paths is not None
        and not any(path.startswith(p) for p in scope.campaign_paths)
    ):
        row.problem(
            "work_region", "registry.outside_campaign", _("该党员不在本次行动的目标区域内。")
        )
        return False
    return True


def _link_users(plans: list[Plan]) -> None:
    """Workers who already use the app (a worker account with the same phone) get linked."""
    phones = [p.fields["phone"] for p in plans if not p.fields.get("user_id")]
    if not phones:
        return
    accounts: dict[str, int] = {}
    for part in chunks(phones):
        accounts.update(
            User.objects.filter(phone__in=part, role=Role.WORKER).values_list("phone", "id")
        )
    if not accounts:
        return
    taken = set(
        Worker.objects.filter(user_id__in=list(accounts.values())).values_list("user_id", flat=True)
    )
    for plan in plans:
        user_id = accounts.get(plan.fields["phone"])
        if user_id and user_id not in taken and not plan.fields.get("user_id"):
            plan.fields["user_id"] = user_id
            taken.add(user_id)
            if plan.existing is not None:
                plan.changed.append("user_id")
