"""Planning worker rows: match by phone, else ID number; enterprises; scope; accounts."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from nuanxin.accounts.models import Role, User
from nuanxin.core.masking import mask_phone
from nuanxin.registry.importing.parse import ParsedRow
from nuanxin.registry.importing.plan import (
    WORKER_DEFAULTS,
    WORKER_FIELDS,
    Plan,
    Scope,
    chunks,
    keep_finer_regions,
    merge,
)
from nuanxin.registry.models import (
    PARTY_STATUSES,
    Enterprise,
    Worker,
    id_number_key,
)
from nuanxin.registry.regions import RegionResolver


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
    # ID numbers are sealed at rest: rows are found by their keyed hash and read back in clear.
    for part in chunks(ids):
        keys = [id_number_key(number) for number in part]
        for data in Worker.objects.filter(id_number_hash__in=keys).values(*columns):
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
    keep_finer_regions(match, provided, resolver)
    fields, changed = merge(match, provided, WORKER_DEFAULTS)
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
