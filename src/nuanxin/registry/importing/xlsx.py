""".xlsx cell values for the imports, read by python-calamine (the Rust calamine library).

It replaced a reader of our own on the standard library's expat parser (written when openpyxl
took about 7 s for a 20,000-row ledger): on the same ledger calamine took about half the time of
ours and gave the importer the same rows after cleaning; ``benchmarks/bench_xlsx.py`` measures
both, and fastexcel and openpyxl, in one run (figures in ``benchmarks/README.md``).

What a ledger needs and calamine gives differently is put right here, so the importer's rules
stay as they are:

- Every number of an .xlsx file is a float to calamine. A whole number below 10**15 is given as
  an int, as it was typed; a larger one stays a float, so cleaning can tell an ID or phone
  number Excel kept in 15 significant digits (``cleaning.text.lost_digits``).
- A date without a time of day comes as a ``date``; it is given as a ``datetime``, as every
  other date is. Times of day stay ``time`` values.
- Empty cells (calamine's "") are None, error cells (#N/A) too; trailing empty cells are left
  off and rows with no value skipped, and row numbers are those Excel shows (the empty rows
  above the first value counted).

Shared and inline strings, rich text (its runs joined), merged cells (a merged title is a value
in its first cell), cached formula results, booleans and the 1904 date system are calamine's.

calamine keeps a sheet as one dense grid from its first to its last cell: a workbook with a
value in A1 and another in XFD1048576 (a stray keystroke far down and to the right is enough)
asks for 512 GiB and aborts the whole process, which Python cannot catch. Before calamine
opens a file, ``_check_extent`` reads the row and cell references of its parts (a regular
expression over the decompressed XML, about a tenth of the read's time) and refuses a sheet
larger than ``MAX_CELLS``.
"""

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from python_calamine import CalamineError, CalamineWorkbook

# Excel keeps 15 significant digits; below this every whole number is exact in a float.
_EXACT_WHOLE = 10**15
# Rows x columns of the grid a sheet spans: 200,000 rows of 30 columns, several times the
# largest ledger an office keeps, and a few hundred MiB at most while it is read.
MAX_CELLS = 6_000_000
_ROW_REF = re.compile(rb'\sr="([0-9]+)"')
_COLUMN_REF = re.compile(rb'\sr="([A-Z]+)[0-9]')
_SKIP_PARTS = frozenset(["xl/sharedStrings.xml", "xl/styles.xml"])
_CHUNK = 1 << 22


class XlsxError(ValueError):
    """The file is not an .xlsx workbook the reader understands."""


def _value(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        return int(value) if value.is_integer() and abs(value) < _EXACT_WHOLE else value
    if kind is dt.date:
        return dt.datetime(value.year, value.month, value.day)  # noqa: DTZ001 - Excel's dates are naive
    return value


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number


def _check_extent(file: IO[bytes] | str) -> None:
    """Refuse a workbook any of whose parts spans more than ``MAX_CELLS`` cells."""
    with zipfile.ZipFile(file) as archive:
        for info in archive.infolist():
            if not info.filename.endswith(".xml") or info.filename in _SKIP_PARTS:
                continue
            rows = columns = 0
            with archive.open(info) as stream:
                tail = b""
                while chunk := stream.read(_CHUNK):
                    data = tail + chunk
                    cut = data.rfind(b"<")  # a reference may go on in the next chunk
                    data, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
                    found = _ROW_REF.findall(data)
                    if found:
                        rows = max(rows, max(map(int, found)))
                    for letters in set(_COLUMN_REF.findall(data)):
                        columns = max(columns, _column_number(letters))
            if rows * columns > MAX_CELLS:
                raise XlsxError(f"{info.filename} spans {rows} rows x {columns} columns")


class XlsxReader:
    def __init__(self, file: IO[bytes] | str) -> None:
        try:
            _check_extent(file)
            if not isinstance(file, str):
                file.seek(0)
            self._book = (
                CalamineWorkbook.from_path(file)
                if isinstance(file, str)
                else CalamineWorkbook.from_filelike(file)
            )
        except XlsxError:
            raise
        except (CalamineError, OSError, ValueError, zipfile.BadZipFile) as exc:
            raise XlsxError(str(exc)) from exc

    def close(self) -> None:
        self._book.close()

    @property
    def sheet_names(self) -> list[str]:
        return list(self._book.sheet_names)

    def rows(self, sheet_name: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(Excel row number, cell values) of every row that has a value, in order."""
        try:
            sheet = self._book.get_sheet_by_name(sheet_name)
        except CalamineError as exc:
            raise XlsxError(str(exc)) from exc
        # skip_empty_area=False: the first row and column are Excel's first, whatever is empty.
        for number, cells in enumerate(sheet.to_python(skip_empty_area=False), start=1):
            values = [_value(v) for v in cells]
            while values and values[-1] is None:
                values.pop()
            if values:
                yield number, tuple(values)
