"""Writing small .xlsx reports with openpyxl: a bold, frozen header row and columns as wide as
their text (Chinese characters count double); and the one rule for text in any sheet we write.

The edge refuses control characters in new input, but a sheet must not depend on that: text
stored before the rule, or read from an imported file, would make openpyxl raise
IllegalCharacterError (a 500 on every export of the rows) or a hand-written sheet unreadable.
Every writer passes its text through ``cell_value``/``sheet_text``.
"""

import io
import re
import unicodedata
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

MAX_WIDTH = 48
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What XML 1.0 (and so .xlsx) cannot hold, and unpaired surrogates, which UTF-8 cannot.
ILLEGAL_IN_SHEETS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def sheet_text(value: str) -> str:
    return ILLEGAL_IN_SHEETS.sub("", value)


def cell_value(value: Any) -> Any:
    """``value`` as a cell may hold it: text without the characters a sheet cannot hold."""
    return sheet_text(value) if isinstance(value, str) else value


def display_width(value: Any) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def add_sheet(book: Workbook, title: str, headers: list[str], rows: list[list[Any]]) -> None:
    sheet = book.create_sheet(sheet_text(title))
    sheet.append([cell_value(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([cell_value(v) for v in row])
    for index, header in enumerate(headers, start=1):
        width = max([display_width(header), *(display_width(r[index - 1]) for r in rows[:200])])
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, width + 2)
    sheet.freeze_panes = "A2"


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_file_response(data: bytes, filename: str) -> HttpResponse:
    """An .xlsx download (the file name may be Chinese: RFC 5987 encoding)."""
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def xlsx_response(title: str, headers: list[str], rows: list[list[Any]], *, filename: str):
    """One sheet of ``rows`` under ``headers`` as an .xlsx download."""
    book = Workbook()
    book.remove(book.active)
    add_sheet(book, title, headers, rows)
    return xlsx_file_response(workbook_bytes(book), filename)
