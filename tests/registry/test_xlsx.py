"""The .xlsx reader (python-calamine) and writer against files made by openpyxl and XlsxWriter
(shared strings, as Excel and WPS save them)."""

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


def test_reader__shared_strings_dates_and_numbers_as_excel_saves_them():
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)  # strings in a shared table, as Excel keeps them
    sheet = book.add_worksheet("从业人员台账")
    sheet.merge_range("A1:D1", "湛江市从业人员台账")
    sheet.write_row(2, 0, ["姓名", "手机号", "身份证号", "出生日期"])
    sheet.write_row(3, 0, ["张三", 13800001234, 4.40802199003151e17])
    sheet.write_datetime(
        3, 3, dt.datetime(1990, 3, 15), book.add_format({"num_format": "yyyy年m月d日"})
    )
    sheet.write_row(4, 0, ["李四", "１３８００００１２３５", None, "1988"])
    book.close()

    rows = list(XlsxReader(io.BytesIO(buffer.getvalue())).rows("从业人员台账"))

    assert rows == [
        (1, ("湛江市从业人员台账",)),
        (3, ("姓名", "手机号", "身份证号", "出生日期")),
        # a whole number is an int; one past 15 digits stays a float (its digits were lost)
        (4, ("张三", 13800001234, 4.40802199003151e17, dt.datetime(1990, 3, 15))),
        (5, ("李四", "１３８００００１２３５", None, "1988")),
    ]


def test_reader__a_sheet_spanning_too_many_cells_is_refused_before_it_is_read():
    # Two cells, but a grid of 2**34 from A1 to XFD1048576: calamine would abort the process.
    workbook = Workbook()
    workbook.active["A1"] = "标题"
    workbook.active["XFD1048576"] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(XlsxError, match="1048576 rows x 16384 columns"):
        XlsxReader(io.BytesIO(buffer.getvalue()))


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
