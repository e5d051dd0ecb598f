"""Bulk import of stations from the .xlsx sheet (see ``nuanxin.stations.excel``).

All or nothing by default: one bad row and nothing is written, and the report lists every
bad row with its Excel row number. ``dry_run`` checks the whole sheet and writes nothing.
Each row goes through the same services as a single edit (``station_create`` or
``station_update`` for an existing 编号, then ``station_set_weekly_hours``), with the same
jurisdiction checks.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.accounts.models import Role, User
from nuanxin.accounts.services import phone_clean
from nuanxin.core.errors import ApplicationError
from nuanxin.geo.coords import coord_system_named
from nuanxin.geo.models import Region
from nuanxin.stations.excel import COLUMNS, SheetError, SheetRow, read_rows, split_list
from nuanxin.stations.models import (
    Amenity,
    HostType,
    StandardService,
    Station,
    StationKind,
    StationStatus,
)
from nuanxin.stations.services.hours import station_set_weekly_hours
from nuanxin.stations.services.stations import station_create, station_update

MAX_ROWS = 5000
_KIND_ALIASES = {
    "服务中心": StationKind.CENTRE,
    "中心": StationKind.CENTRE,
    "驿站": StationKind.STATION,
}


@dataclass
class RowError:
    row: int
    code: str
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    pass


def _row_error(code: str, message: str) -> ApplicationError:
    return ApplicationError(f"stations.{code}", message)


def _choice(value: Any, choices: Any, aliases: dict[str, str], code: str, what: str) -> str:
    text = str(value or "").strip()
    by_label = {str(label): val for val, label in choices.choices}
    if text in choices.values:
        return text
    if text in by_label:
        return by_label[text]
    if text in aliases:
        return aliases[text]
    raise _row_error(code, _("%(what)s“%(value)s”无法识别。") % {"what": what, "value": text})


def _number(value: Any, what: str) -> float:
    try:
        return float(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise _row_error("bad_coordinates", _("%(what)s必须是数字。") % {"what": what}) from exc


def _amenity_codes(value: Any) -> list[str]:
    by_name = dict(Amenity.objects.values_list("name", "code"))
    codes = set(by_name.values())
    out = []
    for item in split_list(value):
        if item in codes:
            out.append(item)
        elif item in by_name:
            out.append(by_name[item])
        else:
            raise _row_error("unknown_amenity", _("未知的服务设施：%s。") % item)
    return out


def _standard_services(value: Any) -> list[str]:
    by_label = {str(label): val for val, label in StandardService.choices}
    out = []
    for item in split_list(value):
        if item in StandardService.values:
            out.append(item)
        elif item in by_label:
            out.append(by_label[item])
        else:
            raise _row_error("bad_service", _("未知的“5+X”基本服务：%s。") % item)
    return out


def _keepers(value: Any) -> list[User] | None:
    """Keeper users by phone; None (leave as is) when the cell holds masked numbers."""
    phones = split_list(value)
    if any("*" in p for p in phones):
        return None
    users = []
    for raw in phones:
        try:
            phone = phone_clean(raw)
        except ApplicationError as exc:
            raise _row_error("unknown_keeper", _("管理员手机号 %s 无效。") % raw) from exc
        user = User.objects.filter(phone=phone, role=Role.STATION_KEEPER).first()
        if user is None:
            raise _row_error("unknown_keeper", _("手机号 %s 不是已注册的驿站管理员。") % raw)
        users.append(user)
    return users


def _capacity(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value).strip())
    except ValueError as exc:
        raise _row_error("bad_capacity", _("可容纳人数必须是整数。")) from exc
    if not number.is_integer():
        raise _row_error("bad_capacity", _("可容纳人数必须是整数。"))
    return int(number)


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    required = ("kind", "name", "host_type", "address", "lon", "lat")
    missing = [key for key in required if values.get(key) in (None, "")]
    if missing:
        headers = dict(COLUMNS)
        raise _row_error(
            "missing_value", _("缺少必填项：%s。") % "、".join(headers[k] for k in missing)
        )
    coord = coord_system_named(str(values.get("coord_system") or ""))
    if coord is None:
        raise _row_error("bad_coordinates", _("未知的坐标系：%s。") % values.get("coord_system"))
    region = None
    if values.get("region_code") not in (None, ""):
        code = str(values["region_code"]).strip()
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise _row_error("unknown_region", _("区域代码 %s 不存在。") % code)
    return {
        "kind": _choice(values["kind"], StationKind, _KIND_ALIASES, "bad_kind", _("类型")),
        "name": values["name"],
        "host_type": _choice(values["host_type"], HostType, {}, "bad_host_type", _("承建场所类型")),
        "host_name": values.get("host_name") or "",
        "address": values["address"],
        "lon": _number(values["lon"], _("经度")),
        "lat": _number(values["lat"], _("纬度")),
        "coord_system": coord,
        "region": region,
        "amenities": _amenity_codes(values.get("amenities")),
        "standard_services": _standard_services(values.get("standard_services")),
        "extra_services": split_list(values.get("extra_services")),
        "description": values.get("description") or "",
        "contact_name": values.get("contact_name") or "",
        "contact_phone": str(values.get("contact_phone") or ""),
        "capacity": _capacity(values.get("capacity")),
        "status": _choice(
            values.get("status") or StationStatus.OPEN, StationStatus, {}, "bad_status", _("状态")
        ),
    }


def _import_row(row: SheetRow, actor: Any, report: ImportReport) -> None:
    values = row.values
    fields = _fields(values)
    keepers = _keepers(values.get("keepers"))
    code = str(values.get("code") or "").strip()
    existing = Station.objects.filter(code=code).first() if code else None
    if existing is None:
        station = station_create(actor=actor, code=code or None, keepers=keepers or [], **fields)
        report.created += 1
    else:
        if keepers is not None:
            fields["keepers"] = keepers
        if fields["status"] != StationStatus.OPEN and not existing.status_note:
            fields["status_note"] = _("批量导入")
        station = station_update(station=existing, actor=actor, **fields)
        report.updated += 1
    hours = str(values.get("hours") or "").strip()
    if hours:
        station_set_weekly_hours(station=station, actor=actor, text=hours)


def stations_import_xlsx(*, data: bytes, actor: Any, dry_run: bool = False) -> ImportReport:
    """Create or update the stations of a sheet; see the module docstring."""
    report = ImportReport(dry_run=dry_run)
    try:
        rows = list(read_rows(data))
    except SheetError as exc:
        report.errors.append(
            RowError(1, "stations.bad_sheet", _("不是有效的驿站表格（.xlsx）：%s") % exc)
        )
        return report
    if len(rows) > MAX_ROWS:
        report.errors.append(
            RowError(0, "stations.too_many_rows", _("一次最多导入 %d 行。") % MAX_ROWS)
        )
        return report
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    with transaction.atomic():
                        _import_row(row, actor, report)
                except ApplicationError as error:
                    report.errors.append(RowError(row.number, error.code, error.message))
            if dry_run or report.errors:
                raise _Rollback
    except _Rollback:
        if report.errors:
            report.created = report.updated = 0
    return report
