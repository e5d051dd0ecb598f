"""What a coverage result or a siting plan looks like outside: JSON for the API and the map,
GeoJSON and .xlsx for export. Coordinates go out in the map's datum (``crs``)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from openpyxl import Workbook

from nuanxin.core.errors import ApplicationError
from nuanxin.core.xlsx import cell_value
from nuanxin.coverage.analysis import CoverageResult
from nuanxin.coverage.planning import SitingPlan
from nuanxin.geo.coords import from_wgs84


def _point(lon: float, lat: float, crs: str) -> list[float]:
    x, y = from_wgs84(float(lon), float(lat), crs)
    return [round(x, 7), round(y, 7)]


def table_rows(result: CoverageResult, level: str) -> list[dict[str, Any]]:
    return [
        {
            "code": row.code,
            "name": row.name,
            "demand": round(row.demand, 3),
            "covered": round(row.covered, 3),
            "percent": row.percent,
            "points": row.points,
            "uncovered_points": row.uncovered_points,
        }
        for row in result.table(level)
    ]


def coverage_payload(result: CoverageResult, crs: str) -> dict[str, Any]:
    uncovered = result.uncovered()
    for spot in uncovered:
        spot["point"] = _point(spot.pop("lon"), spot.pop("lat"), crs)
    return {
        "summary": result.summary(),
        "counties": table_rows(result, "county"),
        "streets": table_rows(result, "street"),
        "uncovered": uncovered,
        "crs": crs,
    }


def coverage_features(
    result: CoverageResult, crs: str, *, max_points: int | None = None
) -> dict[str, Any]:
    """GeoJSON: the stations counted and every demand point with its time and state; with
    ``max_points`` (a map in a browser), the uncovered points first, heaviest first."""
    features = []
    s = result.stations
    for pk, name, lon, lat in zip(s.ids, s.names, s.lons, s.lats, strict=True):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": _point(lon, lat, crs)},
                "properties": {"kind": "station", "id": pk, "name": name},
            }
        )
    covered = result.covered
    minutes = result.minutes()
    d = result.demand
    order = range(len(d))
    if max_points is not None and len(d) > max_points:
        order = sorted(order, key=lambda i: (bool(covered[i]), -d.weights[i], i))[:max_points]
    for i in order:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": _point(d.lons[i], d.lats[i], crs)},
                "properties": {
                    "kind": "demand",
                    "source": str(d.sources[i]),
                    "label": d.labels[i],
                    "weight": round(float(d.weights[i]), 3),
                    "minutes": minutes[i],
                    "covered": bool(covered[i]),
                    "on_network": bool(result.times.on_network[i]),
                },
            }
        )
    properties = {**result.summary(), "points_drawn": len(order)}
    return {"type": "FeatureCollection", "features": features, "properties": properties}


def plan_payload(plan: SitingPlan, crs: str) -> dict[str, Any]:
    sites = plan.sites()
    for site in sites:
        site["point"] = _point(site.pop("lon"), site.pop("lat"), crs)
    return {"summary": plan.summary(), "sites": sites, "crs": crs}


def plan_features(plan: SitingPlan, crs: str) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": _point(site["lon"], site["lat"], crs)},
            "properties": {
                "kind": "proposed",
                **{k: v for k, v in site.items() if k not in ("lon", "lat")},
            },
        }
        for site in plan.sites()
    ]
    return {"type": "FeatureCollection", "features": features, "properties": plan.summary()}


def coverage_workbook(result: CoverageResult, plan: SitingPlan | None = None) -> bytes:
    """The tables as .xlsx with Chinese headers (text through ``core.xlsx.cell_value``)."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("概况")
    summary = result.summary()
    for label, value in [
        (_("覆盖率（%）"), summary["percent"]),
        (_("需求总量"), summary["demand"]),
        (_("已覆盖"), summary["covered"]),
        (_("时间阈值（分钟）"), summary["threshold_minutes"]),
        (_("出行方式"), summary["mode"]),
        (_("计算方法"), summary["method"]),
        (_("驿站数"), summary["stations"]),
        # the demo's source name says that its streets are generated
        (_("路网"), (summary["network"] or {}).get("source") or _("未导入（按直线距离估算）")),
    ]:
        sheet.append([cell_value(str(label)), cell_value(value)])
    headers = [
        _("区域代码"),
        _("区域"),
        _("需求"),
        _("已覆盖"),
        _("覆盖率（%）"),
        _("需求点"),
        _("未覆盖点"),
    ]
    for level, title in (("county", _("按县区")), ("street", _("按街道"))):
        table = book.create_sheet(str(title))
        table.append([str(h) for h in headers])
        for row in table_rows(result, level):
            table.append(
                [
                    cell_value(row[k])
                    for k in (
                        "code",
                        "name",
                        "demand",
                        "covered",
                        "percent",
                        "points",
                        "uncovered_points",
                    )
                ]
            )
    spots = book.create_sheet(str(_("未覆盖热点")))
    spots.append(
        [str(h) for h in (_("名称"), _("经度"), _("纬度"), _("权重"), _("分钟"), _("街道"))]
    )
    for spot in result.uncovered():
        spots.append(
            [cell_value(spot[k]) for k in ("label", "lon", "lat", "weight", "minutes", "street")]
        )
    if plan is not None:
        sites = book.create_sheet(str(_("选址方案")))
        sites.append(
            [
                str(h)
                for h in (
                    _("序号"),
                    _("经度"),
                    _("纬度"),
                    _("街道"),
                    _("新增覆盖"),
                    _("新增百分点"),
                )
            ]
        )
        for site in plan.sites():
            sites.append(
                [
                    cell_value(site[k])
                    for k in ("rank", "lon", "lat", "street", "gain", "gain_points")
                ]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parse_sources(text: str | None) -> dict[str, float] | None:
    """``"hotspots:1,reports:0.5"`` -> {"hotspots": 1.0, "reports": 0.5}; None when empty."""
    if not text or not text.strip():
        return None
    out: dict[str, float] = {}
    for part in text.split(","):
        name, _sep, weight = part.strip().partition(":")
        try:
            value = float(weight) if weight else 1.0
        except ValueError:
            value = float("nan")
        if not name or not np.isfinite(value):
            raise ApplicationError(
                "coverage.bad_sources",
                _("需求来源格式应为“来源:权重”，用逗号分隔，如 hotspots:1,reports:0.5。"),
            )
        out[name.strip()] = value
    return out
