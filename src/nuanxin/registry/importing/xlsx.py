"""A streaming reader of .xlsx cell values, on the standard library's expat parser.

openpyxl (used for everything the registry writes) builds an object per cell and per shared
string; reading a 20,000-row ledger with it took about 7 s on the project's machine, most of the
import's time budget of 10 s. This reader takes about a tenth of that. It reads what a ledger
needs and nothing more: sheet names in order, shared and inline strings (rich text runs joined,
phonetic guides left out), numbers, booleans, cached formula results, and dates (cells whose
number format is a date format, in the 1900 or 1904 system). Styles, merges, comments and
formulas themselves are ignored: a merged title is just a value in its first cell.
"""

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any
from xml.parsers import expat

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships "
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships "
# Built-in number formats that show dates or times (ECMA-376 18.8.30, with the CJK ones).
_DATE_FORMAT_IDS = frozenset(
    [*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), 71, 72, 73, 74, 75, 76]
)
_DATE_CODE = re.compile(r"[ymdhs]", re.IGNORECASE)
_NOT_DATE_PARTS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_COLUMN = re.compile(r"[A-Z]+")
_CHUNK = 1 << 16
_EPOCH_1900 = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - Excel dates have no time zone
_EPOCH_1904 = dt.datetime(1904, 1, 1)  # noqa: DTZ001


class XlsxError(ValueError):
    """The file is not an .xlsx workbook this reader understands."""


def _is_date_format(code: str) -> bool:
    stripped = _NOT_DATE_PARTS.sub("", code)
    return bool(_DATE_CODE.search(stripped)) and "general" not in stripped.lower()


_COLUMNS: dict[str, int] = {}


def _column_index(ref: str) -> int:
    """0-based column of a cell reference ("B3" -> 1); letters are looked up once each."""
    letters = ref.rstrip("0123456789")
    index = _COLUMNS.get(letters)
    if index is None:
        if not letters or not _COLUMN.fullmatch(letters):
            raise XlsxError(f"bad cell reference {ref!r}")
        index = 0
        for char in letters:
            index = index * 26 + ord(char) - 64
        index -= 1
        _COLUMNS[letters] = index
    return index


def _expat(
    stream: IO[bytes],
    start: Callable[[str, dict[str, str]], None] | None = None,
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Run expat over a part; element names arrive as "<namespace> <local name>"."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.ParseFile(stream)


class XlsxReader:
    def __init__(self, file: IO[bytes] | str) -> None:
        try:
            self.zip = zipfile.ZipFile(file)
            self._sheets = self._read_workbook()
        except (zipfile.BadZipFile, KeyError, OSError, expat.ExpatError) as exc:
            raise XlsxError(str(exc)) from exc
        self._strings: list[str] | None = None
        self._date_styles: set[int] | None = None

    def close(self) -> None:
        self.zip.close()

    @property
    def sheet_names(self) -> list[str]:
        return [name for name, _path in self._sheets]

    def _read_workbook(self) -> list[tuple[str, str]]:
        rels: dict[str, str] = {}

        def relationship(name: str, attrs: dict[str, str]) -> None:
            if name == f"{_PKG_REL}Relationship":
                target = attrs.get("Target", "")
                if target.startswith("/"):
                    rels[attrs.get("Id", "")] = target.lstrip("/")
                else:
                    rels[attrs.get("Id", "")] = posixpath.normpath(posixpath.join("xl", target))

        with self.zip.open("xl/_rels/workbook.xml.rels") as stream:
            _expat(stream, start=relationship)
        sheets: list[tuple[str, str]] = []
        self.date1904 = False

        def workbook(name: str, attrs: dict[str, str]) -> None:
            if name == f"{_MAIN}sheet":
                sheets.append((attrs.get("name", ""), rels[attrs.get(f"{_REL}id", "")]))
            elif name == f"{_MAIN}workbookPr":
                self.date1904 = attrs.get("date1904", "0") in {"1", "true"}

        with self.zip.open("xl/workbook.xml") as stream:
            _expat(stream, start=workbook)
        return sheets

    def _shared_strings(self) -> list[str]:
        if self._strings is not None:
            return self._strings
        strings: list[str] = []
        parts: list[str] = []
        state = {"text": False, "phonetic": 0}
        t_tag, si_tag, rph_tag = f"{_MAIN}t", f"{_MAIN}si", f"{_MAIN}rPh"

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == t_tag:
                state["text"] = not state["phonetic"]
            elif name == rph_tag:
                state["phonetic"] += 1

        def end(name: str) -> None:
            if name == t_tag:
                state["text"] = False
            elif name == rph_tag:
                state["phonetic"] -= 1
            elif name == si_tag:
                strings.append("".join(parts))
                parts.clear()

        def text(data: str) -> None:
            if state["text"]:
                parts.append(data)

        if "xl/sharedStrings.xml" in self.zip.namelist():
            with self.zip.open("xl/sharedStrings.xml") as stream:
                _expat(stream, start, end, text)
        self._strings = strings
        return strings

    def _date_style_indexes(self) -> set[int]:
        if self._date_styles is not None:
            return self._date_styles
        custom: dict[int, str] = {}
        formats: list[int] = []
        state = {"cell_xfs": False}

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == f"{_MAIN}cellXfs":
                state["cell_xfs"] = True
            elif name == f"{_MAIN}numFmt":
                custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif name == f"{_MAIN}xf" and state["cell_xfs"]:
                formats.append(int(attrs.get("numFmtId", "0")))

        def end(name: str) -> None:
            if name == f"{_MAIN}cellXfs":
                state["cell_xfs"] = False

        if "xl/styles.xml" in self.zip.namelist():
            with self.zip.open("xl/styles.xml") as stream:
                _expat(stream, start, end)
        self._date_styles = {
            index
            for index, fmt in enumerate(formats)
            if fmt in _DATE_FORMAT_IDS or (fmt in custom and _is_date_format(custom[fmt]))
        }
        return self._date_styles

    def rows(self, sheet_name: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(Excel row number, cell values) of every row that has a value, in order."""
        path = dict(self._sheets)[sheet_name]
        sheet = _SheetParser(self._shared_strings(), self._date_style_indexes(), self.date1904)
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartElementHandler = sheet.start
        parser.EndElementHandler = sheet.end
        parser.CharacterDataHandler = sheet.text
        with self.zip.open(path) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
                yield from sheet.done
                sheet.done.clear()
            parser.Parse(b"", True)
            yield from sheet.done


class _SheetParser:
    """expat handlers that turn a worksheet's XML into finished rows."""

    def __init__(self, strings: list[str], dates: set[int], date1904: bool) -> None:
        self.strings, self.dates = strings, dates
        self.epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
        self.done: list[tuple[int, tuple[Any, ...]]] = []
        self.number = 0
        self.cells: dict[int, Any] = {}
        self.column = -1
        self.kind = "n"
        self.style: str | None = None
        self.buffer: list[str] = []
        self.collect = False
        self.in_inline = False
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == _C:
            ref = attrs.get("r")
            self.column = _column_index(ref) if ref else self.column + 1
            self.kind = attrs.get("t", "n")
            self.style = attrs.get("s")
            self.buffer = []
        elif name == _V:
            self.collect = True
        elif name == _T:
            self.collect = self.in_inline and not self.phonetic
        elif name == _ROW:
            self.number = int(attrs.get("r") or self.number + 1)
            self.cells = {}
            self.column = -1
        elif name == _IS:
            self.in_inline = True
        elif name == _RPH:
            self.phonetic += 1

    def end(self, name: str) -> None:
        if name == _C:
            value = self._value()
            if value is not None:
                self.cells[self.column] = value
        elif name in (_V, _T):
            self.collect = False
        elif name == _ROW:
            if self.cells:
                width = max(self.cells) + 1
                self.done.append((self.number, tuple(self.cells.get(i) for i in range(width))))
        elif name == _IS:
            self.in_inline = False
        elif name == _RPH:
            self.phonetic -= 1

    def text(self, data: str) -> None:
        if self.collect:
            self.buffer.append(data)

    def _value(self) -> Any:
        raw = "".join(self.buffer)
        kind = self.kind
        if kind == "inlineStr" or kind == "str":
            return raw
        if not raw or kind == "e":
            return None
        if kind == "s":
            return self.strings[int(raw)]
        if kind == "b":
            return raw == "1"
        if kind == "d":
            return dt.datetime.fromisoformat(raw)
        number: int | float = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
        if self.style is not None and self.dates and int(self.style) in self.dates:
            return self.epoch + dt.timedelta(days=float(number))
        return number


_ROW, _C, _V, _T = f"{_MAIN}row", f"{_MAIN}c", f"{_MAIN}v", f"{_MAIN}t"
_IS, _RPH = f"{_MAIN}is", f"{_MAIN}rPh"
