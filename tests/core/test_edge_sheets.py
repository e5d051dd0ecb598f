"""Every .xlsx the project writes opens, whatever text is stored (a control character saved
before the edge refused them made every station export a 500), and the importers drop the
control characters a sheet's cell can carry."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from nuanxin.core.xlsx import add_sheet, cell_value
from nuanxin.registry.cleaning.text import to_text
from nuanxin.registry.exporting import error_report
from nuanxin.registry.models import ImportJob
from nuanxin.registry.xlsxout import Sheet, write_xlsx
from nuanxin.stations.excel import COLUMNS, read_rows

DIRTY = "义诊\u0001\u0008\u000b\u001f\ufffe"


def _cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def test_cell_value_drops_what_a_sheet_cannot_hold_and_keeps_the_rest():
    assert cell_value(DIRTY) == "义诊"
    assert cell_value("a\tb\nc\u0085") == "a\tb\nc\u0085"
    assert cell_value(5) == 5


def test_the_openpyxl_reports_open_with_dirty_text():
    book = Workbook()
    add_sheet(book, "统计\u0001", ["名称\u0002"], [[DIRTY, 3]])
    out = io.BytesIO()
    book.save(out)

    assert "义诊" in _cells(out.getvalue())


def test_the_large_export_writer_opens_with_dirty_text():
    data = write_xlsx([Sheet(title="台账\u0001", header=["姓名"], rows=[[DIRTY]])])

    assert "义诊" in _cells(data)


@pytest.mark.django_db
def test_the_import_error_report_opens_with_dirty_file_names_and_messages():
    job = ImportJob(
        file_name="台账\u0001.xlsx",
        errors=[{"sheet": "表\u0002", "row": 3, "column": "姓名", "message": DIRTY}],
        warnings=[{"sheet": "表", "row": None, "column": "", "message": DIRTY}],
    )

    cells = _cells(error_report(job))

    assert "义诊" in cells
    assert any("台账.xlsx" in str(c) for c in cells)


def test_the_station_importer_drops_control_characters_from_cells():
    book = Workbook()
    sheet = book.active
    sheet.append([header for _key, header in COLUMNS])
    values = {"kind": "暖新服务驿站", "name": "驿站\u0085", "host_type": "银行网点",
              "address": "路\u009f 1 号", "lon": 110.05, "lat": 21.05}  # fmt: skip
    sheet.append([values.get(key) for key, _header in COLUMNS])
    out = io.BytesIO()
    book.save(out)

    [row] = list(read_rows(out.getvalue()))

    assert row.values["name"] == "驿站"
    assert row.values["address"] == "路 1 号"


def test_the_registry_importer_drops_control_characters_from_cells():
    assert to_text("张三\u0085") == "张三"
    assert to_text("abc\u0001") == "abc"
