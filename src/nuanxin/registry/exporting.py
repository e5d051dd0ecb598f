"""Excel out: blank templates, exports of filtered lists and import error reports.

Exports use the import's headers, so an export with full numbers can be edited and imported
again. Phone and ID numbers are masked unless the caller says the user may see them (and then
the export is written to the audit log by the caller's service).
"""

import io
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from nuanxin.core.masking import mask_id_number, mask_phone
from nuanxin.core.timeutil import local_now
from nuanxin.core.xlsx import cell_value
from nuanxin.registry.importing.columns import COLUMNS, SHEET_TITLES, TEMPLATE_KEYS, SheetKind
from nuanxin.registry.models import (
    Enterprise,
    ImportJob,
    Registration,
    RegistrationStatus,
    Worker,
)
from nuanxin.registry.regions import RegionIndex, region_names
from nuanxin.registry.xlsxout import Sheet, write_xlsx

_HEADER_FONT = Font(bold=True)
_REQUIRED_FONT = Font(bold=True, color="C92A2A")
_HEADER_FILL = PatternFill("solid", fgColor="FFF4E6")
_TITLE_FONT = Font(bold=True, size=14)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook() -> bytes:
    """The blank ledgers with instructions, drop-down lists and text-formatted number columns."""
    workbook = Workbook()
    guide = workbook.active
    guide.title = "填表说明"
    guide.append(["暖新台账导入模板"])
    guide["A1"].font = _TITLE_FONT
    guide.append(["标 * 的列新登记时必填；已登记的企业/人员，空白单元格不会清空原有信息。"])
    guide.append(["企业按统一社会信用代码（没有时按企业名称）识别，人员按手机号（其次身份证号）识别；"
                  "同一文件重复导入不会产生重复记录。"])  # fmt: skip
    guide.append(["表头上方可以有标题行；工作表名称不限，系统按表头识别企业台账和从业人员台账。"])
    guide.append([])
    guide.append(["工作表", "列", "说明", "可填的值"])
    for cell in guide[6]:
        cell.font = _HEADER_FONT
    with translation.override("zh-hans"):
        for kind in (SheetKind.ENTERPRISE, SheetKind.WORKER):
            for column in _template_columns(kind):
                allowed = "、".join(str(label) for _v, label in column.choices.choices) if (
                    column.choices) else ""  # fmt: skip
                guide.append([SHEET_TITLES[kind], _header(column), column.hint, allowed])
        for kind in (SheetKind.ENTERPRISE, SheetKind.WORKER):
            _template_sheet(workbook, kind)
    for letter, width in zip("ABCD", (14, 18, 60, 60), strict=True):
        guide.column_dimensions[letter].width = width
    return _save(workbook)


def _template_columns(kind: SheetKind) -> list[Any]:
    keys = TEMPLATE_KEYS[kind]
    return [c for c in COLUMNS[kind] if c.key in keys]


def _header(column: Any) -> str:
    return f"{column.header}*" if column.required else column.header


def _template_sheet(workbook: Workbook, kind: SheetKind) -> None:
    sheet = workbook.create_sheet(SHEET_TITLES[kind])
    columns = _template_columns(kind)
    sheet.append([_header(c) for c in columns])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.font = _REQUIRED_FONT if column.required else _HEADER_FONT
        cell.fill = _HEADER_FILL
        if column.hint:
            cell.comment = Comment(column.hint, "暖新")
        sheet.column_dimensions[letter].width = column.width
        if column.text:
            # Text format keeps the last digits (and an X) of long numbers typed in later.
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
        if column.choices is not None:
            labels = ",".join(str(label) for _v, label in column.choices.choices)
            validation = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
            validation.error = "请从下拉列表中选择。"
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}5000")
    sheet.freeze_panes = "A2"


def _region_parts(index: RegionIndex, region_id: int | None) -> list[str]:
    """County, street, community names of a region (blank where the region is shallower)."""
    node = index.by_id.get(region_id) if region_id else None
    if node is None:
        return ["", "", ""]
    parts = []
    for depth in (1, 2, 3):
        ancestor = index.ancestor_at_depth(node, depth)
        parts.append(ancestor.name if ancestor else "")
    return parts


def _caption(kind: SheetKind, count: int, full_numbers: bool) -> str:
    masking = "含完整号码，请妥善保管" if full_numbers else "手机号、身份证号已脱敏"
    stamp = local_now().strftime("%Y-%m-%d %H:%M")
    return f"{SHEET_TITLES[kind]}（导出于 {stamp}，共 {count} 条，{masking}）"


def _registered_communities(field: str, ids: list[int], index: RegionIndex) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(ids), 5000):
        rows = Registration.objects.filter(
            status=RegistrationStatus.ACCEPTED, **{f"{field}__in": ids[start : start + 5000]}
        ).values_list(field, "community_id")
        found.update((s, index.full_name(index.by_id[c])) for s, c in rows if c in index.by_id)
    return found


def _labels(model: type[Enterprise] | type[Worker], *names: str) -> dict[str, dict[str, str]]:
    """Choice labels in Chinese: the file format, whatever language the page is in."""
    with translation.override("zh-hans"):
        return {
            name: {k: str(v) for k, v in model._meta.get_field(name).flatchoices} for name in names
        }


ENTERPRISE_EXPORT_HEADER = [
    "企业名称", "统一社会信用代码", "企业类型", "所属行业", "平台品牌", "总部是否在市外",
    "县（市、区）", "街道（镇）", "社区（村）", "详细地址", "经度", "纬度", "坐标系", "联系人",
    "联系电话", "从业人员数", "经营状态", "报到社区",
]  # fmt: skip
WORKER_EXPORT_HEADER = [
    "姓名", "手机号", "身份证号", "性别", "出生年份", "职业", "所属企业", "工作地", "居住地",
    "政治面貌", "是否工会会员", "在职状态", "报到社区",
]  # fmt: skip


def export_enterprises(qs: QuerySet[Enterprise], *, full_numbers: bool) -> bytes:
    """The enterprises of ``qs`` with the import's headers; mobiles masked unless allowed."""
    index = region_names.get()
    rows = list(qs.order_by("name").values())
    registered = _registered_communities("enterprise", [r["id"] for r in rows], index)
    labels = _labels(Enterprise, "kind", "industry", "status")

    def lines() -> Iterable[list[Any]]:
        for r in rows:
            phone = r["contact_phone"]
            if phone and not full_numbers and "-" not in phone:
                phone = mask_phone(phone)  # landlines are the office's, not a person's
            yield [
                r["name"], r["credit_code"] or "", labels["kind"][r["kind"]],
                labels["industry"][r["industry"]], r["platform_brand"],
                "是" if r["hq_outside_city"] else "否", *_region_parts(index, r["region_id"]),
                r["address"], r["lon"], r["lat"], "WGS-84" if r["lon"] is not None else "",
                r["contact_name"], phone, r["worker_count"], labels["status"][r["status"]],
                registered.get(r["id"], ""),
            ]  # fmt: skip

    sheet = Sheet(
        title=SHEET_TITLES[SheetKind.ENTERPRISE],
        caption=_caption(SheetKind.ENTERPRISE, len(rows), full_numbers),
        header=ENTERPRISE_EXPORT_HEADER,
        rows=lines(),
        widths=[36, 22, 12, 12, 12, 10, 12, 12, 12, 30, 11, 11, 9, 10, 16, 10, 10, 30],
    )
    return write_xlsx([sheet])


def export_workers(qs: QuerySet[Worker], *, full_numbers: bool) -> bytes:
    """The workers of ``qs`` with the import's headers; numbers masked unless allowed."""
    index = region_names.get()
    rows = list(qs.order_by("id").values())
    ids = [r["id"] for r in rows]
    enterprise_names = dict(Enterprise.objects.values_list("id", "name"))
    links: dict[int, list[str]] = {}
    through = Worker.enterprises.through.objects
    for start in range(0, len(ids), 5000):
        pairs = through.filter(worker_id__in=ids[start : start + 5000]).order_by("id")
        for worker_id, enterprise_id in pairs.values_list("worker_id", "enterprise_id"):
            links.setdefault(worker_id, []).append(enterprise_names[enterprise_id])
    registered = _registered_communities("worker", ids, index)
    labels = _labels(Worker, "gender", "occupation", "political_status", "status")

    def place(region_id: int | None) -> str:
        node = index.by_id.get(region_id) if region_id else None
        return index.full_name(node) if node else ""

    def lines() -> Iterable[list[Any]]:
        for r in rows:
            phone = r["phone"] if full_numbers else mask_phone(r["phone"])
            id_number = (r["id_number"] or "") if full_numbers else mask_id_number(r["id_number"])
            yield [
                r["name"], phone, id_number, labels["gender"].get(r["gender"], ""),
                r["birth_year"], labels["occupation"][r["occupation"]],
                "、".join(links.get(r["id"], [])), place(r["work_region_id"]),
                place(r["home_region_id"]), labels["political_status"][r["political_status"]],
                "是" if r["union_member"] else "否", labels["status"][r["status"]],
                registered.get(r["id"], ""),
            ]  # fmt: skip

    sheet = Sheet(
        title=SHEET_TITLES[SheetKind.WORKER],
        caption=_caption(SheetKind.WORKER, len(rows), full_numbers),
        header=WORKER_EXPORT_HEADER,
        rows=lines(),
        widths=[10, 15, 21, 6, 9, 12, 30, 28, 28, 12, 10, 9, 28],
    )
    return write_xlsx([sheet])


def error_report(job: ImportJob) -> bytes:
    """The problems of an import, one line each: sheet, row, column, problem (in Chinese)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "错误报告"
    # File names, sheet names and messages quote what the file held: made safe for a cell.
    sheet.append([cell_value(_("导入错误报告：%(name)s") % {"name": job.file_name})])
    sheet["A1"].font = _TITLE_FONT
    sheet.append(
        [_("共 %(n)s 处问题；请在原文件中按行号修改后重新导入。") % {"n": len(job.errors)}]
    )
    sheet.append([_("工作表"), _("行号"), _("列"), _("问题"), _("该行是"), _("错误代码")])
    for cell in sheet[3]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for issue in job.errors:
        values = (issue["sheet"], issue["row"], issue["column"], issue["message"],
                  issue.get("label", ""), issue.get("code", ""))  # fmt: skip
        sheet.append([cell_value(v) for v in values])
    if job.warnings:
        notes = workbook.create_sheet(_("提示"))
        notes.append([_("工作表"), _("行号"), _("列"), _("提示"), _("该行是")])
        for issue in job.warnings:
            values = (issue["sheet"], issue["row"] or "", issue["column"], issue["message"],
                      issue.get("label", ""))  # fmt: skip
            notes.append([cell_value(v) for v in values])
    for letter, width in zip("ABCDEF", (14, 8, 16, 60, 22, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=4):
        row[3].alignment = Alignment(wrap_text=True)
    return _save(workbook)
