"""The .xlsx readers and writers bench_xlsx.py compares, each behind the same small interface.

A reader is ``(path) -> [(sheet name, [(Excel row number, cell values), ...]), ...]``: the rows
with a value, trailing empty cells dropped, empty cells as None, as the registry's importer
takes them (``importing.reader.sheet_from_rows``). A writer is ``(sheets, path) -> None`` for
``registry.xlsxout.Sheet`` objects: the title line, a bold header on a light fill, frozen panes
below the header and the column widths the exports ask for.
"""

import datetime as dt
import os
from collections.abc import Callable, Iterable
from typing import Any

from nuanxin.core.xlsx import sheet_text

Rows = list[tuple[int, tuple[Any, ...]]]


def _trimmed(number: int, values: Iterable[Any]) -> tuple[int, tuple[Any, ...]] | None:
    cells = [None if v == "" else v for v in values]
    while cells and cells[-1] is None:
        cells.pop()
    return (number, tuple(cells)) if cells else None


def read_registry(
    path: str, module: str = "nuanxin.registry.importing.xlsx"
) -> list[tuple[str, Rows]]:
    """The registry's reader (python-calamine, with its values put as the importer wants them);
    ``module`` may be another file of the same interface (BENCH_XLSX_COMPARE)."""
    if module.endswith(".py"):
        import importlib.util

        spec = importlib.util.spec_from_file_location("compared_xlsx", module)
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
        reader_class = loaded.XlsxReader
    else:
        from nuanxin.registry.importing.xlsx import XlsxReader as reader_class

    reader = reader_class(path)
    try:
        return [(name, list(reader.rows(name))) for name in reader.sheet_names]
    finally:
        reader.close()


def read_calamine(path: str) -> list[tuple[str, Rows]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(path)
    sheets = []
    for name in book.sheet_names:
        rows: Rows = []
        # skip_empty_area=False: the first row is Excel's row 1, so row numbers stay Excel's.
        for number, values in enumerate(
            book.get_sheet_by_name(name).to_python(skip_empty_area=False), start=1
        ):
            row = _trimmed(number, values)
            if row is not None:
                rows.append(row)
        sheets.append((name, rows))
    book.close()
    return sheets


def read_fastexcel(path: str) -> list[tuple[str, Rows]]:
    import fastexcel

    book = fastexcel.read_excel(path)
    sheets = []
    for name in book.sheet_names:
        # No header row (ours is found by searching), every column's type inferred from it.
        sheet = book.load_sheet(name, header_row=None, schema_sample_rows=None)
        columns = sheet.to_arrow().to_pydict().values()
        rows: Rows = []
        for number, values in enumerate(zip(*columns, strict=True), start=1):
            row = _trimmed(number, values)
            if row is not None:
                rows.append(row)
        sheets.append((name, rows))
    return sheets


def read_openpyxl(path: str) -> list[tuple[str, Rows]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    sheets = []
    for sheet in book.worksheets:
        rows: Rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            row = _trimmed(number, values)
            if row is not None:
                rows.append(row)
        sheets.append((sheet.title, rows))
    book.close()
    return sheets


READERS: dict[str, Callable[[str], list[tuple[str, Rows]]]] = {
    "registry (calamine)": read_registry,
    "python-calamine, bare": read_calamine,
    "fastexcel": read_fastexcel,
    "openpyxl read-only": read_openpyxl,
}


def write_ours(sheets: list[Any], path: str) -> None:
    from nuanxin.registry.xlsxout import write_xlsx

    with open(path, "wb") as out:
        out.write(write_xlsx(sheets))


def _cell(value: Any) -> Any:
    """A value as ours writes it: dates as ISO text, text without what a sheet cannot hold."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return sheet_text(value) if isinstance(value, str) else value


def write_xlsxwriter(sheets: list[Any], path: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    base = {"font_name": "等线", "font_size": 11}
    book.formats[0].set_font_name("等线")
    header = book.add_format({**base, "bold": True, "bg_color": "#FFF4E6"})
    title = book.add_format({**base, "bold": True, "font_size": 14})
    for spec in sheets:
        sheet = book.add_worksheet(sheet_text(spec.title)[:31])
        for column, width in enumerate(spec.widths):
            sheet.set_column(column, column, width)
        row = 0
        if spec.caption:
            sheet.write_string(0, 0, sheet_text(spec.caption), title)
            row = 1
        sheet.freeze_panes(row + 1, 0)
        for column, name in enumerate(spec.header):
            sheet.write_string(row, column, sheet_text(name), header)
        for values in spec.rows:
            row += 1
            for column, value in enumerate(values[: len(spec.header)]):
                value = _cell(value)
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(row, column, value)
                elif isinstance(value, int | float):
                    sheet.write_number(row, column, value)
                else:
                    sheet.write_string(row, column, value)
    book.close()


def write_openpyxl(sheets: list[Any], path: str) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    book = Workbook(write_only=True)
    header_font, fill = Font(bold=True), PatternFill("solid", fgColor="FFF4E6")
    for spec in sheets:
        sheet = book.create_sheet(sheet_text(spec.title)[:31])
        for column, width in enumerate(spec.widths):
            sheet.column_dimensions[_letter(column)].width = width
        sheet.freeze_panes = "A3" if spec.caption else "A2"
        if spec.caption:
            cell = WriteOnlyCell(sheet, sheet_text(spec.caption))
            cell.font = Font(bold=True, size=14)
            sheet.append([cell])
        cells = []
        for name in spec.header:
            cell = WriteOnlyCell(sheet, sheet_text(name))
            cell.font, cell.fill = header_font, fill
            cells.append(cell)
        sheet.append(cells)
        for values in spec.rows:
            sheet.append([None if v == "" else _cell(v) for v in values[: len(spec.header)]])
    book.save(path)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# Another version of the registry's reader to compare with, by its file (an earlier one taken
# out of the history with `git show <commit>:src/nuanxin/registry/importing/xlsx.py`).
if compared := os.environ.get("BENCH_XLSX_COMPARE"):
    READERS[f"compared: {compared.rsplit('/', 1)[-1]}"] = lambda path: read_registry(path, compared)

WRITERS: dict[str, Callable[[list[Any], str], None]] = {
    "ours (xlsxout)": write_ours,
    "XlsxWriter constant_memory": write_xlsxwriter,
    "openpyxl write-only": write_openpyxl,
}
