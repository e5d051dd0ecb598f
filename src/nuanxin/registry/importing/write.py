"""Writing planned rows in bulk, inside the import's transaction.

New rows are inserted in bulk and found again by their unique key (name, phone); changed rows
get an UPDATE of only the fields that changed; enterprise links are rewritten for the workers
whose links changed; the audit log gets one entry per created or changed row.
"""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from nuanxin.accounts.models import User
from nuanxin.core.audit import current_client_ip
from nuanxin.core.masking import mask_id_number, mask_phone
from nuanxin.core.models import AuditLog
from nuanxin.registry.importing.plan import Plan, chunks
from nuanxin.registry.importing.reader import Progress
from nuanxin.registry.importing.sql import ids_by, insert_rows, update_rows
from nuanxin.registry.models import (
    PARTY_STATUSES,
    Enterprise,
    FindingKind,
    FindingOutcome,
    ImportJob,
    SurveyCampaign,
    SurveyFinding,
    Worker,
)
from nuanxin.registry.regions import region_names

BATCH = 1000
_OUTCOMES = {
    "created": FindingOutcome.NEW,
    "updated": FindingOutcome.UPDATED,
    "unchanged": FindingOutcome.CONFIRMED,
}


_MASKS = {"phone": mask_phone, "contact_phone": mask_phone, "id_number": mask_id_number}


def _audit_view(fields: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """Field values for the audit log, with phone and ID numbers masked."""
    out: dict[str, Any] = {}
    for key in keys:
        value = fields.get(key)
        mask = _MASKS.get(key)
        # region_id -> region, as the services' audit entries name it.
        out[key.removesuffix("_id")] = mask(value) if mask is not None else value
    return out


def _audit_rows(
    plans: list[Plan],
    ids: dict[int, int],
    model: str,
    field_names: list[str],
    actor: User | None,
    note: str,
) -> list[tuple[Any, ...]]:
    """One audit entry per created or changed row; ``ids`` maps Excel row -> primary key."""
    index = region_names.get()
    entries = []
    actor_id = actor.pk if actor is not None and actor.pk else None
    now, address = timezone.now(), current_client_ip()
    for plan in plans:
        if plan.action == "unchanged":
            continue
        node = index.by_id.get(plan.fields["region_id"])
        if plan.existing is None:
            action, before = f"{model}.import_create", None
            after = _audit_view(plan.fields, field_names)
            if "_enterprise_ids" in plan.fields:
                after["enterprises"] = sorted(plan.fields["_enterprise_ids"])
        else:
            action = f"{model}.import_update"
            before = _audit_view(plan.existing, plan.changed)
            after = _audit_view(plan.fields, plan.changed)
            if plan.links_changed:
                before["enterprises"] = sorted(plan.enterprise_ids_before)
                after["enterprises"] = sorted(plan.fields.get("_enterprise_ids", []))
        entries.append((
            actor_id, action, f"registry.{model}", str(ids[plan.row.row]),
            node.path if node else "", before, after, f"{note} · {plan.row.sheet} {plan.row.row}",
            now, address,
        ))  # fmt: skip
    return entries


AUDIT_COLUMNS = ["actor_id", "action", "object_type", "object_id", "region_path", "before",
                 "after", "note", "at", "client_ip"]  # fmt: skip


def _write_model(
    model: type[Enterprise] | type[Worker],
    plans: list[Plan],
    field_names: list[str],
    key: str,
) -> dict[int, int]:
    """Create and update rows of ``model``; returns Excel row number -> primary key.

    New rows are found again by ``key``, a unique column (name, phone).
    """
    now = timezone.now()
    new = [p for p in plans if p.existing is None]
    insert_rows(
        model,
        [*field_names, "created_at", "updated_at"],
        [[*(p.fields[k] for k in field_names), now, now] for p in new],
    )
    created = ids_by(model, key, [p.fields[key] for p in new])
    ids = {p.row.row: created[p.fields[key]] for p in new}
    by_columns: dict[tuple[str, ...], list[list[Any]]] = {}
    for plan in plans:
        if plan.existing is None:
            continue
        ids[plan.row.row] = plan.existing["id"]
        if plan.changed:
            columns = tuple(sorted(set(plan.changed)))
            values = [plan.fields[c] for c in columns]
            by_columns.setdefault(columns, []).append([*values, now, plan.existing["id"]])
    for columns, rows in by_columns.items():
        update_rows(model, [*columns, "updated_at"], rows)
    return ids


def write_plans(
    *,
    job: ImportJob,
    actor: User | None,
    enterprise_plans: list[Plan],
    worker_plans: list[Plan],
    campaign: SurveyCampaign | None,
    progress: Progress | None,
) -> None:
    from nuanxin.registry.importing.plan import ENTERPRISE_FIELDS, WORKER_FIELDS

    note = job.file_name or f"import#{job.pk}"
    total = len(enterprise_plans) + len(worker_plans)
    enterprise_ids = _write_model(Enterprise, enterprise_plans, ENTERPRISE_FIELDS, "name")
    if progress is not None:
        progress("write", len(enterprise_plans), total)
    keys: dict[int | str, int] = {}
    for plan in enterprise_plans:
        pk = enterprise_ids[plan.row.row]
        keys[f"row:{plan.row.row}"] = pk
        keys[pk] = pk
    worker_ids = _write_model(Worker, worker_plans, WORKER_FIELDS, "phone")
    if progress is not None:
        progress("write", total, total)
    _write_links(worker_plans, worker_ids, keys)
    entries = _audit_rows(
        enterprise_plans, enterprise_ids, "enterprise", ENTERPRISE_FIELDS, actor, note
    )
    entries += _audit_rows(worker_plans, worker_ids, "worker", WORKER_FIELDS, actor, note)
    insert_rows(AuditLog, AUDIT_COLUMNS, entries)
    if campaign is not None:
        _write_findings(campaign, actor, enterprise_plans, enterprise_ids, worker_plans, worker_ids)


def _write_links(plans: list[Plan], worker_ids: dict[int, int], keys: dict[int | str, int]) -> None:
    through = Worker.enterprises.through
    rewrite = [
        p
        for p in plans
        if p.enterprise_keys is not None and (p.existing is None or p.links_changed)
    ]
    stale = [worker_ids[p.row.row] for p in rewrite if p.existing is not None]
    for part in chunks(stale):
        through.objects.filter(worker_id__in=part).delete()
    pairs = []
    for plan in rewrite:
        worker_id = worker_ids[plan.row.row]
        enterprise_ids = [keys.get(k, k) for k in plan.enterprise_keys]
        plan.fields["_enterprise_ids"] = enterprise_ids
        pairs += [(worker_id, e) for e in enterprise_ids]
    insert_rows(through, ["worker_id", "enterprise_id"], pairs)


def _write_findings(
    campaign: SurveyCampaign,
    actor: User | None,
    enterprise_plans: list[Plan],
    enterprise_ids: dict[int, int],
    worker_plans: list[Plan],
    worker_ids: dict[int, int],
) -> None:
    """A campaign's import records what it found; a row found before stays found once."""
    findings = []
    for plan in enterprise_plans:
        findings.append(
            _finding(
                campaign,
                actor,
                plan,
                FindingKind.ENTERPRISE,
                enterprise_id=enterprise_ids[plan.row.row],
            )
        )
    for plan in worker_plans:
        if plan.fields["political_status"] in PARTY_STATUSES:
            findings.append(
                _finding(
                    campaign, actor, plan, FindingKind.MEMBER, worker_id=worker_ids[plan.row.row]
                )
            )
    SurveyFinding.objects.bulk_create(findings, batch_size=BATCH, ignore_conflicts=True)


def _finding(
    campaign: SurveyCampaign, actor: User | None, plan: Plan, kind: str, **subject: int
) -> SurveyFinding:
    changes = {}
    if plan.existing is not None:
        before = _audit_view(plan.existing, plan.changed)
        after = _audit_view(plan.fields, plan.changed)
        changes = {key: [before[key], after[key]] for key in after}
    return SurveyFinding(
        campaign=campaign,
        kind=kind,
        outcome=_OUTCOMES[plan.action],
        region_id=plan.fields["region_id"],
        changes=changes,
        recorded_by=actor if actor is not None and actor.pk else None,
        note=f"{plan.row.sheet} {plan.row.row}",
        **subject,
    )
