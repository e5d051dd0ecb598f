"""Reading ledgers out of .xlsx workbooks as offices fill them in.

Each sheet is searched for its header row among its first rows (titles in merged cells, notes
and blank rows above it are passed over). Below it, blank rows, pre-numbered empty rows,
repeated header rows and footers ("合计", "填表人：…") are skipped; row numbers stay those Excel
shows, so an error report points at the right line.
"""

import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.registry.cleaning import to_text
from nuanxin.registry.importing.columns import (
    HeaderMatch,
    SheetKind,
    match_header,
    normalise_header,
)
from nuanxin.registry.importing.xlsx import XlsxError, XlsxReader

HEADER_SEARCH_ROWS = 20
_FOOTER_PREFIXES = ("合计", "总计", "小计", "填表人", "审核人", "制表人", "填报人", "负责人签字",
                    "填表说明", "说明:", "说明：", "注:", "注：", "备注:", "备注：")  # fmt: skip

Progress = Callable[[str, int, int], None]


@dataclass
class SheetRows:
    """One recognised ledger: its header and its data rows as (Excel row number, values)."""

    title: str
    header: HeaderMatch
    header_row: int
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    skipped: int = 0

    @property
    def kind(self) -> SheetKind:
        return self.header.kind


@dataclass
class WorkbookRows:
    sheets: list[SheetRows]
    ignored_sheets: list[str]


def _is_footer(values: Iterable[Any]) -> bool:
    for value in values:
        text = to_text(value)
        if text:
            return text.replace(" ", "").startswith(_FOOTER_PREFIXES)
    return False


def sheet_from_rows(
    title: str,
    rows: Iterable[tuple[int, tuple[Any, ...]]],
    *,
    progress: Progress | None = None,
) -> SheetRows | None:
    """A ledger from (Excel row number, cells) of one sheet, or None if no header is found."""
    iterator: Iterator[tuple[int, tuple[Any, ...]]] = iter(rows)
    header: HeaderMatch | None = None
    header_row = 0
    for number, cells in iterator:
        if number > HEADER_SEARCH_ROWS:
            return None
        header = match_header(cells)
        if header is not None:
            header_row = number
            break
    if header is None:
        return None
    sheet = SheetRows(title=title, header=header, header_row=header_row)
    positions = list(header.columns.items())
    header_texts = {key: normalise_header(text) for key, text in header.headers.items()}
    for count, (number, cells) in enumerate(iterator, start=1):
        if progress is not None and count % 1000 == 0:
            progress("read", count, 0)
        width = len(cells)
        filled = {
            key: value
            for pos, key in positions
            if pos < width
            and (value := cells[pos]) is not None
            and key != "_seq"
            and (type(value) is not str or (not value.isspace() and value != ""))
        }
        if not filled:
            continue  # blank, or only a pre-printed sequence number
        if _is_footer(cells):
            sheet.skipped += 1
            continue
        if all(normalise_header(v) == header_texts.get(k) for k, v in filled.items()):
            sheet.skipped += 1  # the header repeated on a printed page
            continue
        sheet.rows.append((number, filled))
    return sheet


def read_workbook(file: IO[bytes] | str, *, progress: Progress | None = None) -> WorkbookRows:
    """Every ledger sheet of an .xlsx file; raises ``registry.import_bad_file`` if unreadable."""
    bad_file = ApplicationError(
        "registry.import_bad_file",
        _("无法读取该文件，请上传 .xlsx 格式的 Excel 文件（.xls 请先另存为 .xlsx）。"),
    )
    try:
        workbook = XlsxReader(file)
    except XlsxError as exc:
        raise bad_file from exc
    try:
        sheets, ignored = [], []
        for name in workbook.sheet_names:
            sheet = sheet_from_rows(name, workbook.rows(name), progress=progress)
            if sheet is None:
                ignored.append(name)
            else:
                sheets.append(sheet)
        if progress is not None:
            progress("read", sum(len(s.rows) for s in sheets), 0)
    except (XlsxError, KeyError, ValueError, zipfile.BadZipFile, ParseError) as exc:
        raise bad_file from exc
    finally:
        workbook.close()
    if not sheets:
        raise ApplicationError(
            "registry.import_no_sheet",
            _(
                "没有找到可识别的台账：企业台账的表头要有“企业名称”，"
                "从业人员台账的表头要有“姓名”和“手机号”。"
            ),
            extra={"sheets": ignored},
        )
    return WorkbookRows(sheets=sheets, ignored_sheets=ignored)
