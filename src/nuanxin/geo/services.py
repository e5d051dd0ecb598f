"""Writes to the region tree. Every change bumps the "regions" stamp so lookups rebuild."""

from dataclasses import dataclass, field
from typing import Any

import shapely
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import shape

from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError
from nuanxin.core.stamps import stamp_bump
from nuanxin.geo.models import LEVEL_DEPTH, Region, RegionLevel

REGIONS_TOPIC = "regions"
AUDITED_FIELDS = ["code", "name", "level", "parent", "centre_lon", "centre_lat"]


def validate_boundary(boundary: dict[str, Any] | None) -> shapely.Geometry | None:
    """Parse a GeoJSON Polygon/MultiPolygon in WGS-84, or raise ``geo.bad_boundary``."""
    if boundary is None:
        return None
    try:
        geometry = shape(boundary)
    except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.ShapelyError) as exc:
        raise ApplicationError(
            "geo.bad_boundary", _("边界不是有效的 GeoJSON 几何对象。"), extra={"detail": str(exc)}
        ) from exc
    if geometry.geom_type not in {"Polygon", "MultiPolygon"}:
        raise ApplicationError(
            "geo.bad_boundary",
            _("边界必须是 Polygon 或 MultiPolygon。"),
            extra={"type": geometry.geom_type},
        )
    if geometry.is_empty or not geometry.is_valid:
        raise ApplicationError(
            "geo.bad_boundary",
            _("边界几何无效（自相交或为空）。"),
            extra={"reason": shapely.is_valid_reason(geometry)},
        )
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ApplicationError("geo.bad_boundary", _("边界坐标超出经纬度范围。"))
    return geometry


def _check_parent(level: str, parent: Region | None) -> None:
    if level not in LEVEL_DEPTH:
        raise ApplicationError("geo.bad_level", _("未知的区域层级。"), extra={"level": level})
    if level == RegionLevel.CITY:
        if parent is not None:
            raise ApplicationError("geo.bad_parent", _("市级区域不能有上级区域。"))
        return
    if parent is None:
        raise ApplicationError("geo.bad_parent", _("该层级的区域必须有上级区域。"))
    if parent.depth >= LEVEL_DEPTH[level]:
        raise ApplicationError(
            "geo.bad_parent",
            _("上级区域的层级必须高于本区域。"),
            extra={"parent": parent.code, "level": level},
        )


def _centre_of(
    geometry: shapely.Geometry | None, centre: tuple[float, float] | None
) -> tuple[float | None, float | None]:
    if centre is not None:
        lon, lat = centre
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ApplicationError("geo.bad_centre", _("中心点坐标超出经纬度范围。"))
        return float(lon), float(lat)
    if geometry is not None:
        point = geometry.representative_point()
        return round(point.x, 7), round(point.y, 7)
    return None, None


@transaction.atomic
def region_save(
    *,
    code: str,
    name: str,
    level: str,
    parent: Region | None = None,
    boundary: dict[str, Any] | None = None,
    centre: tuple[float, float] | None = None,
    is_demo_boundary: bool = False,
    actor: Any = None,
) -> tuple[Region, bool]:
    """Create the region with ``code`` or update it in place; returns (region, created).

    Re-parenting an existing region is refused: it would move a whole subtree and every
    jurisdiction bound to it, which is a migration, not an edit.
    """
    code = (code or "").strip()
    name = (name or "").strip()
    if not code or "/" in code or len(code) > 32:
        raise ApplicationError("geo.bad_code", _("区划代码不能为空，且不能包含“/”。"))
    if not name:
        raise ApplicationError("geo.bad_name", _("区域名称不能为空。"))
    _check_parent(level, parent)
    geometry = validate_boundary(boundary)
    centre_lon, centre_lat = _centre_of(geometry, centre)
    path = f"{parent.path if parent else ''}{code}/"
    existing = Region.objects.select_for_update().filter(code=code).first()
    if existing is not None and existing.path != path:
        raise ApplicationError(
            "geo.reparent_refused",
            _("不能更改已有区域的上级区域。"),
            extra={"code": code, "current_path": existing.path},
        )
    region = existing or Region(code=code, path=path)
    before = snapshot(region, AUDITED_FIELDS) if existing else None
    region.name = name
    region.level = level
    region.depth = LEVEL_DEPTH[level]
    region.parent = parent
    region.boundary = boundary
    region.centre_lon = centre_lon
    region.centre_lat = centre_lat
    region.is_demo_boundary = is_demo_boundary
    region.save()
    after = snapshot(region, AUDITED_FIELDS)
    if before != after or existing is None:
        audit_record(
            actor=actor,
            action="region.create" if existing is None else "region.update",
            obj=region,
            before=before,
            after=after,
            region_path=region.path,
        )
    stamp_bump(REGIONS_TOPIC)
    return region, existing is None


@dataclass
class FeatureError:
    index: int
    code: str
    error_code: str
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[FeatureError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    pass


def regions_import_geojson(
    *, data: dict[str, Any], actor: Any = None, dry_run: bool = False, partial: bool = False
) -> ImportReport:
    """Load a FeatureCollection with properties code, name, level, parent_code.

    Features may come in any order: they are sorted by level so parents load first. By default
    the import is all-or-nothing; ``partial`` keeps the valid features when some fail, and
    ``dry_run`` validates everything and writes nothing.
    """
    report = ImportReport()
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        report.errors.append(
            FeatureError(
                0, "", "geo.not_feature_collection", _("文件不是 GeoJSON FeatureCollection。")
            )
        )
        return report
    features = data.get("features") or []
    order = sorted(
        range(len(features)),
        key=lambda i: LEVEL_DEPTH.get(
            ((features[i] or {}).get("properties") or {}).get("level", ""), 99
        ),
    )
    try:
        with transaction.atomic():
            for index in order:
                _import_feature(index + 1, features[index], actor, report)
            if dry_run or (report.errors and not partial):
                raise _Rollback
    except _Rollback:
        if not dry_run:
            report.created = report.updated = 0
    report.errors.sort(key=lambda e: e.index)
    return report


def _import_feature(number: int, feature: Any, actor: Any, report: ImportReport) -> None:
    props = (feature or {}).get("properties") or {}
    code = str(props.get("code") or "").strip()
    try:
        parent = None
        parent_code = str(props.get("parent_code") or "").strip()
        if parent_code:
            parent = Region.objects.filter(code=parent_code).first()
            if parent is None:
                raise ApplicationError(
                    "geo.unknown_parent",
                    _("上级区域代码 %(code)s 不存在。") % {"code": parent_code},
                )
        with transaction.atomic():
            _region, created = region_save(
                code=code,
                name=str(props.get("name") or ""),
                level=str(props.get("level") or ""),
                parent=parent,
                boundary=(feature or {}).get("geometry"),
                actor=actor,
            )
    except ApplicationError as error:
        report.errors.append(FeatureError(number, code, error.code, error.message))
        return
    if created:
        report.created += 1
    else:
        report.updated += 1
