"""The station sheet (.xlsx) with Chinese headers: reading rows, the blank template, export.

One sheet, one station per row. Headers are matched by their Chinese names, in any order;
unknown columns are ignored. Import and export use the same columns, so an exported sheet
edited and imported again updates the stations it came from (matched by 编号).
"""

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from nuanxin.core.edge import strip_invalid
from nuanxin.core.xlsx import cell_value
from nuanxin.stations.hours_text import format_weekly
from nuanxin.stations.models import (
    Amenity,
    HostType,
    StandardService,
    Station,
    StationKind,
    StationStatus,
)
from nuanxin.stations.schedule import Span

COLUMNS: list[tuple[str, str]] = [
    ("code", "编号"),
    ("kind", "类型"),
    ("name", "名称"),
    ("host_type", "承建场所类型"),
    ("host_name", "承建单位"),
    ("address", "地址"),
    ("lon", "经度"),
    ("lat", "纬度"),
    ("coord_system", "坐标系"),
    ("region_code", "所属区域代码"),
    ("amenities", "服务设施"),
    ("standard_services", "5+X基本服务"),
    ("extra_services", "特色服务"),
    ("hours", "营业时间"),
    ("contact_name", "联系人"),
    ("contact_phone", "服务电话"),
    ("capacity", "可容纳人数"),
    ("status", "状态"),
    ("keepers", "驿站管理员手机号"),
    ("description", "简介"),
]
REQUIRED = {"kind", "name", "host_type", "address", "lon", "lat"}
HEADER_TO_KEY = {header: key for key, header in COLUMNS}
LIST_SEPARATORS = "、,，;；/\n"

EXAMPLE_ROW = {
    "kind": "暖新服务驿站",
    "name": "海盛社区新业态新就业群体服务驿站",
    "host_type": "党群服务中心",
    "host_name": "海盛社区党群服务中心",
    "address": "坡头区南调街道海盛社区",
    "lon": 110.4553,
    "lat": 21.2447,
    "coord_system": "GCJ-02",
    "amenities": "饮用水、手机充电、卫生间、应急药品",
    "standard_services": "舒心小憩、温心热茶、放心充电",
    "extra_services": "免费理发",
    "hours": "周一至周五 08:00-20:00；周六、周日 09:00-18:00",
    "contact_phone": "0759-0000000",
    "capacity": 12,
    "status": "运营中",
}


class SheetError(ValueError):
    """The file is not a station sheet (not .xlsx, or a required header is missing)."""


@dataclass
class SheetRow:
    number: int  # the row number staff see in Excel
    values: dict[str, Any]


def split_list(value: Any) -> list[str]:
    text = str(value or "")
    for sep in LIST_SEPARATORS[1:]:
        text = text.replace(sep, LIST_SEPARATORS[0])
    return [item.strip() for item in text.split(LIST_SEPARATORS[0]) if item.strip()]


def read_rows(data: bytes) -> Iterator[SheetRow]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not .xlsx
        raise SheetError(_("文件不是 .xlsx 工作簿")) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    keys = [
        HEADER_TO_KEY.get(str(h).strip().lstrip("*")) if h is not None else None for h in header
    ]
    missing = [dict(COLUMNS)[k] for k in sorted(REQUIRED) if k not in keys]
    if missing:
        raise SheetError(_("缺少必填列：%s") % "、".join(missing))
    for number, row in enumerate(rows, start=2):
        # openpyxl decodes the _x0001_ escapes of a cell into control characters: dropped.
        values = {
            key: (strip_invalid(value).strip() if isinstance(value, str) else value)
            for key, value in zip(keys, row, strict=False)
            if key is not None
        }
        if any(v not in (None, "") for v in values.values()):
            yield SheetRow(number, values)
    workbook.close()


def _styled_header(sheet: Any) -> None:
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFE8CC")
    for index, (key, header) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = bold
        if key in REQUIRED:
            cell.fill = required_fill
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(header) * 2 + 4)
    sheet.freeze_panes = "A2"


def template_workbook() -> bytes:
    """A blank sheet with one example row and a second sheet of allowed values."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "驿站"
    _styled_header(sheet)
    for index, (key, _header) in enumerate(COLUMNS, start=1):
        sheet.cell(row=2, column=index, value=EXAMPLE_ROW.get(key))
    notes = workbook.create_sheet("填写说明")
    lines = [
        ("类型", "、".join(str(label) for label in StationKind.labels)),
        ("承建场所类型", "、".join(str(label) for label in HostType.labels)),
        (
            "服务设施",
            "、".join(Amenity.objects.filter(is_active=True).values_list("name", flat=True)),
        ),
        ("5+X基本服务", "、".join(str(label) for label in StandardService.labels)),
        ("状态", "、".join(str(label) for label in StationStatus.labels)),
        ("坐标系", "WGS-84（GPS）、GCJ-02（高德、腾讯地图）、BD-09（百度地图）；不填为 WGS-84"),
        ("营业时间", "例：每天 24小时；周一至周五 08:00-20:00；每天 22:00-次日06:00；周日 休息"),
        ("编号", "留空则自动编号；填写已有编号则更新该驿站"),
        ("所属区域代码", "留空则按坐标自动确定所属社区"),
        ("驿站管理员手机号", "多个用顿号分隔，须为已注册的“驿站管理员”账号"),
        ("多项内容", "用顿号（、）或逗号分隔"),
        ("带底色的列", "必填"),
    ]
    for row, (name, text) in enumerate(lines, start=1):
        notes.cell(row=row, column=1, value=name).font = Font(bold=True)
        notes.cell(row=row, column=2, value=text)
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 90
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_workbook(stations: Iterable[Station]) -> bytes:
    """The stations in the import format (coordinates in WGS-84)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "驿站"
    _styled_header(sheet)
    for row, station in enumerate(stations, start=2):
        weekly: dict[int, list[Span]] = {}
        for span in station.weekly_spans.all():
            weekly.setdefault(span.weekday, []).append(Span(span.start, span.end))
        values = {
            "code": station.code,
            "kind": str(station.get_kind_display()),
            "name": station.name,
            "host_type": str(station.get_host_type_display()),
            "host_name": station.host_name,
            "address": station.address,
            "lon": station.lon,
            "lat": station.lat,
            "coord_system": "WGS-84",
            "region_code": station.region.code,
            "amenities": "、".join(a.name for a in station.amenities.all()),
            "standard_services": "、".join(
                str(StandardService(s).label) for s in station.standard_services
            ),
            "extra_services": "、".join(station.extra_services),
            "hours": format_weekly(weekly) or "休息",
            "contact_name": station.contact_name,
            "contact_phone": station.contact_phone,
            "capacity": station.capacity,
            "status": str(station.get_status_display()),
            # Masked (personal data); the importer leaves keepers unchanged for masked cells.
            "keepers": "、".join(k.masked_phone for k in station.keepers.all()),
            "description": station.description,
        }
        for index, (key, _header) in enumerate(COLUMNS, start=1):
            sheet.cell(row=row, column=index, value=cell_value(values[key]))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
