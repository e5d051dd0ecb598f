"""Writes of the coverage app: installing a road network, importing hot spots, and the
siting runs computed in the background.

The first two replace what was there as a whole (a network is one file; the hot spots are one
sheet), so a retry of the same import leaves the same state, never a doubled one. A siting run
is requested here (the task is queued once the row is committed), then moved along by the
worker through ``siting_run_progress``, ``siting_run_finish`` or ``siting_run_fail``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError, not_found
from nuanxin.coverage.access import require_planner
from nuanxin.coverage.models import HotSpot, RoadNetworkImport, SitingRun
from nuanxin.coverage.network import RoadNetwork, network_save
from nuanxin.coverage.osm_import import ImportSummary, network_from_osm
from nuanxin.geo.coords import CoordSystem, to_wgs84

MAX_HOTSPOTS = 200_000
MAX_SHEET_BYTES = 20 * 1024 * 1024
HEADERS = {
    "name": ("名称", "name"),
    "lon": ("经度", "lon", "lng", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
    "weight": ("权重", "人数", "订单数", "weight", "count"),
    "coord_system": ("坐标系", "coord_system"),
}


@transaction.atomic
def network_install(
    *,
    network: RoadNetwork,
    summary: ImportSummary,
    source: str,
    actor: Any = None,
    generated: bool = False,
) -> RoadNetworkImport:
    """Make ``network`` the city's road network: its file, and the import's record."""
    network.meta = {**network.meta, "source": source, "generated": generated}
    record = RoadNetworkImport.objects.create(
        source=source[:255],
        is_generated=generated,
        nodes=summary.nodes,
        ride_edges=summary.edges.get("ride", 0),
        walk_edges=summary.edges.get("walk", 0),
        summary=summary.as_dict(),
        imported_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="coverage.network_import",
        obj=record,
        after={"source": record.source, "nodes": record.nodes, "generated": generated},
    )
    # The file is written last: a failure before it leaves the old network in place, and the
    # row above rolls back with the exception.
    network_save(network)
    return record


def roads_import(
    *,
    path: Path,
    actor: Any = None,
    progress: Callable[[str], None] = lambda _text: None,
    source: str | None = None,
    generated: bool = False,
) -> tuple[RoadNetworkImport, ImportSummary]:
    """Read an OpenStreetMap extract and install it as the city's road network
    (``generated``: made up for the demo, and said so wherever its figures appear)."""
    path = Path(path)
    if not path.is_file():
        raise ApplicationError("coverage.file_missing", _("找不到路网文件：%s") % path.name)
    try:
        network, summary = network_from_osm(path, progress=progress)
    except RuntimeError as error:
        raise ApplicationError(
            "coverage.bad_osm_file",
            _("无法读取路网文件（需要 .osm.pbf 或 .osm 格式）。"),
            extra={"detail": str(error)[:200]},
        ) from error
    if summary.nodes == 0:
        raise ApplicationError("coverage.empty_network", _("文件中没有可通行的道路。"))
    record = network_install(
        network=network,
        summary=summary,
        source=source or path.name,
        actor=actor,
        generated=generated,
    )
    return record, summary


def _rows_of(data: bytes, filename: str) -> list[list[Any]]:
    if filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as error:
            raise ApplicationError("coverage.bad_sheet", _("无法读取该 Excel 文件。")) from error
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as error:
            raise ApplicationError("coverage.bad_sheet", _("CSV 文件编码无法识别。")) from error
    return [row for row in csv.reader(io.StringIO(text))]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


def _parse_hotspots(rows: list[list[Any]]) -> list[HotSpot]:
    if not rows:
        raise ApplicationError("coverage.bad_sheet", _("表格是空的。"))
    header = [str(cell or "").strip().lower() for cell in rows[0]]
    columns: dict[str, int] = {}
    for key, names in HEADERS.items():
        for i, cell in enumerate(header):
            if cell in names:
                columns[key] = i
                break
    missing = [HEADERS[k][0] for k in ("lon", "lat") if k not in columns]
    if missing:
        raise ApplicationError(
            "coverage.bad_sheet",
            _("表头缺少：%s。") % "、".join(missing),
            extra={"missing": missing},
        )
    spots, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell not in (None, "") for cell in row):
            continue

        def cell(key: str, row: list[Any] = row) -> Any:
            i = columns.get(key)
            return row[i] if i is not None and i < len(row) else None

        lon, lat = _number(cell("lon")), _number(cell("lat"))
        weight = _number(cell("weight")) if "weight" in columns else 1.0
        system = str(cell("coord_system") or CoordSystem.WGS84).strip().lower()
        if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
            problems.append({"row": number, "problem": _("经纬度无效")})
            continue
        if weight is None or not 0 < weight <= 1e9:
            problems.append({"row": number, "problem": _("权重必须是正数")})
            continue
        if system not in {s.value for s in CoordSystem}:
            problems.append({"row": number, "problem": _("坐标系只能是 wgs84、gcj02 或 bd09")})
            continue
        lon, lat = to_wgs84(lon, lat, system)
        name = str(cell("name") or "").strip()[:100] or _("热点 %(n)d") % {"n": number - 1}
        spots.append(HotSpot(name=name, lon=lon, lat=lat, weight=weight))
        if len(spots) > MAX_HOTSPOTS:
            raise ApplicationError(
                "coverage.too_many_rows",
                _("一次最多导入 %(max)d 个热点。") % {"max": MAX_HOTSPOTS},
            )
    if problems:
        raise ApplicationError(
            "coverage.bad_rows",
            _("有 %(n)d 行无法导入，未做任何修改。") % {"n": len(problems)},
            extra={"rows": problems[:100]},
        )
    if not spots:
        raise ApplicationError("coverage.bad_sheet", _("表格中没有热点。"))
    return spots


@transaction.atomic
def hotspots_import(*, data: bytes, filename: str, actor: Any = None) -> int:
    """Replace the hot spots with those of a CSV or .xlsx sheet (columns 名称, 经度, 纬度,
    权重, optional 坐标系). All rows or none: any bad row refuses the whole sheet."""
    if len(data) > MAX_SHEET_BYTES:
        raise ApplicationError("coverage.too_large", _("文件太大。"))
    spots = _parse_hotspots(_rows_of(data, filename))
    before = HotSpot.objects.count()
    HotSpot.objects.all().delete()
    HotSpot.objects.bulk_create(spots, batch_size=5000)
    audit_record(
        actor=actor,
        action="coverage.hotspots_import",
        obj=spots[0],
        before={"count": before},
        after={"count": len(spots), "file": filename[:100]},
    )
    return len(spots)


MAX_RUNS_WAITING = 3  # one planner's runs queued or running at once


@transaction.atomic
def siting_run_request(*, user: Any, query: str) -> SitingRun:
    """Queue a siting computation for ``user`` (a planner) with the form's query string; the
    background task starts once this transaction commits."""
    from nuanxin.coverage.tasks import siting_run_execute

    require_planner(user)
    waiting = SitingRun.objects.filter(
        requested_by=user, state__in=[SitingRun.State.QUEUED, SitingRun.State.RUNNING]
    ).count()
    if waiting >= MAX_RUNS_WAITING:
        raise ApplicationError(
            "coverage.too_many_runs",
            _("您已有 %(n)d 个选址计算在进行，请等它们完成后再提交。") % {"n": waiting},
            status=429,
        )
    if len(query) > 2000:
        raise ApplicationError("coverage.bad_form", _("选址参数太长。"))
    run = SitingRun.objects.create(requested_by=user, query=query)
    audit_record(
        actor=user, action="coverage.siting_run_request", obj=run, after={"query": query[:500]}
    )

    def enqueue() -> None:
        queued = siting_run_execute.enqueue(str(run.pk))
        SitingRun.objects.filter(pk=run.pk).update(task_id=str(queued.id)[:64])

    transaction.on_commit(enqueue)
    return run


def siting_run_get(*, user: Any, run_id: Any) -> SitingRun:
    """The run, if ``user`` asked for it; anyone else's reads as missing."""
    require_planner(user)
    run = SitingRun.objects.filter(pk=run_id, requested_by=user).first()
    if run is None:
        raise not_found("coverage.run_not_found", _("找不到该选址计算。"))
    return run


def siting_run_progress(*, run: SitingRun, stage: str, progress: int) -> None:
    """The worker's note of how far it has got (not audited: the start and the end are)."""
    fields = {"stage": stage[:20], "progress": max(0, min(99, int(progress)))}
    if run.state == SitingRun.State.QUEUED:
        fields |= {"state": SitingRun.State.RUNNING, "started_at": timezone.now()}
    SitingRun.objects.filter(pk=run.pk).update(**fields)
    for key, value in fields.items():
        setattr(run, key, value)


@transaction.atomic
def siting_run_finish(
    *, run: SitingRun, result: dict[str, Any], xlsx: bytes, geojson_gz: bytes
) -> SitingRun:
    before = run.state
    run.state, run.progress, run.stage = SitingRun.State.DONE, 100, ""
    run.result, run.xlsx, run.geojson_gz = result, xlsx, geojson_gz
    run.finished_at = timezone.now()
    run.save()
    plan = result.get("plan", {}).get("summary", {})
    audit_record(
        actor=run.requested_by,
        action="coverage.siting_run_finish",
        obj=run,
        before={"state": before},
        after={"state": run.state, "new_stations": plan.get("new_stations"),
               "percent_after": plan.get("percent_after")},
    )  # fmt: skip
    return run


@transaction.atomic
def siting_run_fail(*, run: SitingRun, code: str, message: str) -> SitingRun:
    before = run.state
    run.state, run.stage = SitingRun.State.FAILED, ""
    run.error_code, run.error_message = code[:60], message[:500]
    run.finished_at = timezone.now()
    run.save()
    audit_record(
        actor=run.requested_by,
        action="coverage.siting_run_fail",
        obj=run,
        before={"state": before},
        after={"state": run.state, "code": run.error_code},
    )
    return run
