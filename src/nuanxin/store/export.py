"""The monthly redemption report as .xlsx: per station and item, per station, per item."""

import io
from collections import defaultdict
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from nuanxin.core.xlsx import add_sheet, xlsx_file_response
from nuanxin.store.selectors import ReportRow


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
    add_sheet(
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
    add_sheet(
        book,
        _("按兑换点"),
        [_("县（市、区）"), _("街道（镇）"), _("兑换点编号"), _("兑换点"), count, points],
        [*by_station, [_("合计"), "", "", "", *total]],
    )
    by_item = _totals(rows, lambda r: (r.item, r.category))
    add_sheet(
        book,
        _("按商品"),
        [_("商品"), _("类别"), count, points],
        [*by_item, [_("合计"), "", *total]],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_response(rows: list[ReportRow], year: int, month: int) -> HttpResponse:
    """The report as an .xlsx download, named for its month."""
    return xlsx_file_response(report_workbook(rows, year, month), f"store-{year}{month:02d}.xlsx")
