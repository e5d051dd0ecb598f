"""The monthly redemption report as .xlsx: per station and item, per station, per item."""

import io
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from nuanxin.store.selectors import ReportRow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(book: Workbook, title: str, headers: list[str], rows: list[list[Any]]) -> None:
    sheet = book.create_sheet(title)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header)) * 2, *(len(str(r[index - 1])) * 2 for r in rows[:200])])
        sheet.column_dimensions[get_column_letter(index)].width = min(48, width + 2)
    sheet.freeze_panes = "A2"


def _totals(rows: list[ReportRow], key: Any) -> list[list[Any]]:
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        sums[key(row)][0] += row.count
        sums[key(row)][1] += row.points
    return [[*k, count, points] for k, (count, points) in sorted(sums.items())]


def report_workbook(rows: list[ReportRow], year: int, month: int) -> bytes:
    book = Workbook()
    book.remove(book.active)
    count, points = _("兑换件数"), _("消耗积分")
    _sheet(
        book,
        _("%(y)d年%(m)d月兑换明细") % {"y": year, "m": month},
        [
            _("县（市、区）"),
            _("街道（镇）"),
            _("兑换点编号"),
            _("兑换点"),
            _("商品"),
            _("类别"),
            count,
            points,
        ],
        [
            [r.county, r.street, r.station_code, r.station, r.item, r.category, r.count, r.points]
            for r in rows
        ],
    )
    by_station = _totals(rows, lambda r: (r.county, r.street, r.station_code, r.station))
    total = [sum(r.count for r in rows), sum(r.points for r in rows)]
    _sheet(
        book,
        _("按兑换点"),
        [_("县（市、区）"), _("街道（镇）"), _("兑换点编号"), _("兑换点"), count, points],
        [*by_station, [_("合计"), "", "", "", *total]],
    )
    by_item = _totals(rows, lambda r: (r.item, r.category))
    _sheet(
        book,
        _("按商品"),
        [_("商品"), _("类别"), count, points],
        [*by_item, [_("合计"), "", *total]],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
