"""Writing planned rows in bulk, inside the import's transaction.

Creates are ``bulk_create`` (primary keys come back on PostgreSQL and SQLite >= 3.35), updates
are ``bulk_update`` of only the fields that changed, enterprise links are rewritten for the
workers whose links changed, and the audit log gets one entry per created or changed row.
"""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from nuanxin.accounts.models import User
from nuanxin.core.masking import mask_id_number, mask_phone
from nuanxin.core.models import AuditLog
from nuanxin.registry.importing.plan import Plan, chunks
from nuanxin.registry.importing.reader import Progress
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


def _model_field(name: str) -> str:
    return name.removesuffix("_id")


def _audit_view(fields: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """Field values for the audit log, with phone and ID numbers masked."""
    out: dict[str, Any] = {}
    for key in keys:
        value = fields.get(key)
        if key in {"phone", "contact_phone"}:
            value = mask_phone(value)
        elif key == "id_number":
            value = mask_id_number(value)
        out[_model_field(key)] = value
    return out


def _audit_rows(
    plans: list[Plan],
    ids: dict[int, int],
    model: str,
    field_names: list[str],
    actor: User | None,
    note: str,
) -> list[AuditLog]:
    """One entry per created or changed row; ``ids`` maps Excel row -> primary key."""
    index = region_names.get()
    entries = []
    actor_id = actor.pk if actor is not None and actor.pk else None
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
        entries.append(
            AuditLog(
                actor_id=actor_id,
                action=action,
                object_type=f"registry.{model}",
                object_id=str(ids[plan.row.row]),
                region_path=node.path if node else "",
                before=before,
                after=after,
                note=f"{note} · {plan.row.sheet} {plan.row.row}",
            )
        )
    return entries


def _write_model(
    model: type[Enterprise] | type[Worker],
    plans: list[Plan],
    field_names: list[str],
    progress: Progress | None,
    stage: str,
) -> dict[int, int]:
    """Create and update rows of ``model``; returns Excel row number -> primary key."""
    ids: dict[int, int] = {}
    new = [p for p in plans if p.existing is None]
    objects = [model(**{k: p.fields[k] for k in field_names}) for p in new]
    done = 0
    for part in chunks(list(zip(new, objects, strict=True)), BATCH):
        model.objects.bulk_create([obj for _p, obj in part])
        for plan, obj in part:
            ids[plan.row.row] = obj.pk
        done += len(part)
        if progress is not None:
            progress(stage, done, len(plans))
    changed = [p for p in plans if p.existing is not None]
    now = timezone.now()
    by_fields: dict[tuple[str, ...], list[Any]] = {}
    for plan in changed:
        ids[plan.row.row] = plan.existing["id"]
        if plan.changed:
            obj = model(id=plan.existing["id"], **{k: plan.fields[k] for k in field_names})
            obj.updated_at = now
            key = tuple(sorted({_model_field(f) for f in plan.changed}))
            by_fields.setdefault(key, []).append(obj)
    for fields, objs in by_fields.items():
        model.objects.bulk_update(objs, [*fields, "updated_at"], batch_size=500)
    if progress is not None:
        progress(stage, len(plans), len(plans))
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
    enterprise_ids = _write_model(
        Enterprise, enterprise_plans, ENTERPRISE_FIELDS, progress, "write"
    )
    keys: dict[int | str, int] = {}
    for plan in enterprise_plans:
        pk = enterprise_ids[plan.row.row]
        keys[f"row:{plan.row.row}"] = pk
        keys[pk] = pk
    worker_ids = _write_model(Worker, worker_plans, WORKER_FIELDS, progress, "write")
    _write_links(worker_plans, worker_ids, keys)
    entries = _audit_rows(
        enterprise_plans, enterprise_ids, "enterprise", ENTERPRISE_FIELDS, actor, note
    )
    entries += _audit_rows(worker_plans, worker_ids, "worker", WORKER_FIELDS, actor, note)
    AuditLog.objects.bulk_create(entries, batch_size=BATCH)
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
        pairs += [through(worker_id=worker_id, enterprise_id=e) for e in enterprise_ids]
    through.objects.bulk_create(pairs, batch_size=5000, ignore_conflicts=True)


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
