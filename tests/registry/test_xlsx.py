"""The .xlsx reader and writer against files made by openpyxl (as Excel and WPS make them)."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from nuanxin.registry.importing.xlsx import XlsxError, XlsxReader
from nuanxin.registry.xlsxout import Sheet, write_xlsx


def _rows(workbook: Workbook, sheet: str | None = None) -> list:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    reader = XlsxReader(buffer)
    return list(reader.rows(sheet or reader.sheet_names[0]))


def test_reader__values_dates_booleans_and_row_numbers():
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "标题"
    sheet.merge_cells("A1:D1")
    sheet["A3"] = "张三"
    sheet["B3"] = 13800001234
    sheet["C3"] = dt.datetime(1990, 3, 15)
    sheet["D3"] = True
    sheet["B5"] = 1.5
    sheet["C5"] = "=1+1"

    rows = _rows(workbook)

    assert rows[0] == (1, ("标题",))
    assert rows[1] == (3, ("张三", 13800001234, dt.datetime(1990, 3, 15), True))
    assert rows[2][0] == 5 and rows[2][1][:2] == (None, 1.5)


def test_reader__rich_text_runs_are_joined():
    workbook = Workbook()
    workbook.active["A1"] = CellRichText("美团", TextBlock(InlineFont(b=True), "外卖"), "南调站")

    assert _rows(workbook) == [(1, ("美团外卖南调站",))]


def test_reader__sheet_names_in_order():
    workbook = Workbook()
    workbook.active.title = "企业"
    workbook.create_sheet("人员")["A2"] = "x"

    buffer = io.BytesIO()
    workbook.save(buffer)
    reader = XlsxReader(io.BytesIO(buffer.getvalue()))

    assert reader.sheet_names == ["企业", "人员"]
    assert list(reader.rows("人员")) == [(2, ("x",))]


def test_reader__not_a_workbook():
    with pytest.raises(XlsxError):
        XlsxReader(io.BytesIO(b"PK\x03\x04 not really"))


def test_writer__round_trip_through_openpyxl_and_the_reader():
    rows = [["张三", "138****1234", 12, 1.5, True, None, "a<b&c\x01", " 前后空格 "]]
    data = write_xlsx(
        [Sheet(title="从业人员台账", caption="标题", header=list("ABCDEFGH"), rows=rows)]
    )

    sheet = load_workbook(io.BytesIO(data)).active
    read_back = list(XlsxReader(io.BytesIO(data)).rows("从业人员台账"))

    assert sheet.title == "从业人员台账" and sheet.freeze_panes == "A3"
    assert [c.value for c in sheet[3]] == ["张三", "138****1234", 12, 1.5, True, None, "a<b&c",
                                            " 前后空格 "]  # fmt: skip
    assert read_back[2] == (3, ("张三", "138****1234", 12, 1.5, True, None, "a<b&c", " 前后空格 "))
