"""The registry import: read, check every row, then write all (or only the good rows).

``registry_import`` is the one write path for sheets: the CLI, the staff page, the admin and
the demo loader call it. Modes:

* all-or-nothing (default): any problem and nothing is written;
* row by row: good rows are written, bad rows are listed in the error report;
* dry run: everything is checked, nothing is written.

Re-importing the same file changes nothing: rows are matched (enterprises by credit code, else
name; workers by phone, else ID number) and only differing fields are written. Every created or
changed row gets an audit entry (phone and ID numbers masked); the run itself is an ImportJob.
"""

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nuanxin.accounts.models import User
from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError
from nuanxin.core.scoping import jurisdiction_path
from nuanxin.registry.access import is_governing, is_liaison, liaison_enterprise_ids
from nuanxin.registry.importing.columns import SheetKind
from nuanxin.registry.importing.parse import ParsedRow, parse_enterprise, parse_worker
from nuanxin.registry.importing.plan import Plan, Scope, plan_enterprises
from nuanxin.registry.importing.plan_workers import plan_workers
from nuanxin.registry.importing.reader import Progress, SheetRows, WorkbookRows, read_workbook
from nuanxin.registry.importing.write import write_plans
from nuanxin.registry.models import ImportJob, ImportMode, ImportStatus, SurveyCampaign
from nuanxin.registry.regions import RegionResolver
from nuanxin.registry.services.campaigns import check_campaign_open


@dataclass
class ImportOutcome:
    job: ImportJob
    counts: dict[str, Counter] = field(default_factory=dict)

    @property
    def written(self) -> bool:
        return self.job.status in {ImportStatus.SUCCEEDED, ImportStatus.PARTIAL}


def _scope(actor: User | None, campaign: SurveyCampaign | None) -> Scope:
    if actor is None:
        scope = Scope(path=None)
    elif is_liaison(actor):
        scope = Scope(path=None, liaison_enterprises=liaison_enterprise_ids(actor))
    elif is_governing(actor):
        path = jurisdiction_path(actor)
        scope = Scope(path=path or None)
    else:
        raise ApplicationError("registry.not_allowed", _("您无权导入台账。"), status=403)
    if campaign is not None:
        if scope.liaison_enterprises is not None:
            raise ApplicationError(
                "registry.not_allowed", _("企业联络员不能为三找行动导入。"), status=403
            )
        targets = list(campaign.target_regions.all())
        if targets:
            check_campaign_open(campaign, targets[0])
        scope.campaign_paths = [r.path for r in targets]
    return scope


def _issues(rows: list[ParsedRow], headers: dict[str, str]) -> tuple[list[dict], list[dict]]:
    errors, warnings = [], []
    for row in rows:
        label = row.label()
        for key, code, message in row.problems:
            errors.append(
                {
                    "sheet": row.sheet,
                    "row": row.row,
                    "column": headers.get(key, key),
                    "message": message,
                    "code": code,
                    "label": label,
                }
            )
        for key, message in row.notes:
            warnings.append(
                {
                    "sheet": row.sheet,
                    "row": row.row,
                    "column": headers.get(key, key),
                    "message": message,
                    "label": label,
                }
            )
    return errors, warnings


def _headers(sheet: SheetRows) -> dict[str, str]:
    """Column key -> header as the sheet writes it; keys the sheet lacks get the template name."""
    from nuanxin.registry.importing.columns import COLUMNS

    headers = {c.key: c.header for c in COLUMNS[sheet.kind]}
    headers.update(sheet.header.headers)
    return headers


def registry_import(
    *,
    workbook: WorkbookRows,
    actor: User | None,
    mode: str = ImportMode.ALL_OR_NOTHING,
    file_name: str = "",
    campaign: SurveyCampaign | None = None,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Check and (by ``mode``) write the ledgers of ``workbook``; returns the recorded job."""
    started = time.monotonic()
    if mode not in ImportMode.values:
        raise ApplicationError("registry.bad_mode", _("未知的导入方式。"), extra={"mode": mode})
    scope = _scope(actor, campaign)
    resolver = RegionResolver()
    parsed: dict[SheetKind, list[ParsedRow]] = {SheetKind.ENTERPRISE: [], SheetKind.WORKER: []}
    headers: dict[str, dict[str, str]] = {}
    total = sum(len(sheet.rows) for sheet in workbook.sheets)
    done = 0
    for sheet in workbook.sheets:
        parse = parse_enterprise if sheet.kind == SheetKind.ENTERPRISE else parse_worker
        headers[sheet.title] = _headers(sheet)
        for number, raw in sheet.rows:
            parsed[sheet.kind].append(parse(sheet.title, number, raw, resolver))
            done += 1
            if progress is not None and done % 1000 == 0:
                progress("check", done, total)
    enterprise_plans, keys = plan_enterprises(parsed[SheetKind.ENTERPRISE], resolver, scope)
    enterprise_regions = {
        (p.existing["id"] if p.existing else f"row:{p.row.row}"): p.fields["region_id"]
        for p in enterprise_plans
    }
    worker_plans = plan_workers(parsed[SheetKind.WORKER], resolver, scope, keys, enterprise_regions)
    if progress is not None:
        progress("check", total, total)

    errors: list[dict] = []
    warnings: list[dict] = []
    for sheet in workbook.sheets:
        rows = [r for r in parsed[sheet.kind] if r.sheet == sheet.title]
        sheet_errors, sheet_warnings = _issues(rows, headers[sheet.title])
        errors += sheet_errors
        warnings += sheet_warnings
    warnings += [
        {
            "sheet": title,
            "row": 0,
            "column": "",
            "message": _("该工作表不是台账，已跳过。"),
            "label": "",
        }
        for title in workbook.ignored_sheets
    ]
    for sheet in workbook.sheets:
        warnings += [
            {
                "sheet": sheet.title,
                "row": sheet.header_row,
                "column": text,
                "message": _("未识别的列，已忽略。"),
                "label": "",
            }
            for text in sheet.header.unknown
        ]

    counts = _count(parsed, enterprise_plans, worker_plans)
    write = mode == ImportMode.ROW_BY_ROW or (mode == ImportMode.ALL_OR_NOTHING and not errors)
    if mode == ImportMode.DRY_RUN:
        status = ImportStatus.CHECKED
    elif not write:
        status = ImportStatus.FAILED
    else:
        status = ImportStatus.PARTIAL if errors else ImportStatus.SUCCEEDED

    # Rows were matched before this transaction: an import running at the same moment may
    # have created some of them since. Then nothing is written and the user imports again.
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                file_name=file_name[:255],
                mode=mode,
                status=status,
                counts={kind: dict(c) for kind, c in counts.items()},
                errors=errors,
                warnings=warnings,
                campaign=campaign,
                created_by=actor,
                region_path=(jurisdiction_path(actor) or "") if actor else "",
            )
            if write:
                write_plans(
                    job=job,
                    actor=actor,
                    enterprise_plans=enterprise_plans,
                    worker_plans=worker_plans,
                    campaign=campaign,
                    progress=progress,
                )
            job.duration_ms = int((time.monotonic() - started) * 1000)
            job.save(update_fields=["duration_ms"])
            audit_record(
                actor=actor,
                action="registry.import",
                obj=job,
                after={"status": status, "mode": mode, "counts": job.counts, "errors": len(errors)},
                note=file_name[:200],
                region_path=job.region_path,
            )
    except IntegrityError as exc:
        raise ApplicationError(
            "registry.import_conflict",
            _("导入期间有人同时修改了这些记录，本次没有写入任何数据，请重新导入。"),
            status=409,
        ) from exc
    return ImportOutcome(job=job, counts=counts)


def _count(
    parsed: dict[SheetKind, list[ParsedRow]],
    enterprise_plans: list[Plan],
    worker_plans: list[Plan],
) -> dict[str, Counter]:
    counts: dict[str, Counter] = {}
    for kind, plans in ((SheetKind.ENTERPRISE, enterprise_plans), (SheetKind.WORKER, worker_plans)):
        counter: Counter = Counter({"created": 0, "updated": 0, "unchanged": 0, "failed": 0})
        for plan in plans:
            counter[plan.action] += 1
        counter["failed"] = sum(1 for row in parsed[kind] if not row.ok)
        counts[kind.value] = counter
    return counts


def import_file(
    *,
    file: IO[bytes] | str,
    actor: User | None,
    mode: str = ImportMode.ALL_OR_NOTHING,
    file_name: str = "",
    campaign: SurveyCampaign | None = None,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Read an .xlsx file and import it (see ``registry_import``)."""
    workbook = read_workbook(file, progress=progress)
    return registry_import(
        workbook=workbook,
        actor=actor,
        mode=mode,
        file_name=file_name or (file if isinstance(file, str) else ""),
        campaign=campaign,
        progress=progress,
    )


def rows_workbook(sheets: list[tuple[str, list[dict[str, Any]]]]) -> WorkbookRows:
    """A workbook made in memory from rows keyed by column key (for the demo and tests)."""
    from nuanxin.registry.importing.columns import COLUMNS, SHEET_TITLES, HeaderMatch

    made = []
    for kind_name, rows in sheets:
        kind = SheetKind(kind_name)
        keys = sorted({key for row in rows for key in row})
        header = HeaderMatch(
            kind=kind,
            columns=dict(enumerate(keys)),
            headers={c.key: c.header for c in COLUMNS[kind] if c.key in keys},
            unknown=[],
        )
        data = [(number, row) for number, row in enumerate(rows, start=2)]
        made.append(SheetRows(title=SHEET_TITLES[kind], header=header, header_row=1, rows=data))
    return WorkbookRows(sheets=made, ignored_sheets=[])
