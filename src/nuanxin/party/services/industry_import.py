"""The .xlsx import of industry figures: the registry's reader and header rule, one row per
subject and period, every row through ``industry_figure_record``.

All or nothing: one bad row and nothing is written; the report lists every bad row with its
Excel row number and a stable code. ``dry_run`` checks the whole sheet and writes nothing.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError, not_found
from nuanxin.core.scoping import scope_to_jurisdiction
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.party.models import IndustryFigure, IndustryScope, IndustryTheme
from nuanxin.party.services.industry import figure_labels, industry_figure_record
from nuanxin.registry.selectors import (
    SheetUnreadable,
    enterprises_under,
    sheet_header,
    sheet_rows,
    to_text,
)

MAX_ROWS = 2000


def columns() -> list[tuple[str, str]]:
    """(key, Chinese header) in the template's order; the first five are required."""
    labels = figure_labels()
    return [
        ("theme", _("类别")),
        ("scope", _("统计对象类型")),
        ("subject", _("统计对象")),
        ("period_start", _("统计期起")),
        ("period_end", _("统计期止")),
        ("region", _("所在区域")),
        *((name, labels[name]) for name in labels),
        ("note", _("说明")),
    ]


REQUIRED = ("theme", "scope", "subject", "period_start", "period_end")
# What people write for a theme or a scope besides its label.
_THEME_WORDS = {"电商": IndustryTheme.ECOMMERCE, "直播": IndustryTheme.LIVESTREAM,
                "产销": IndustryTheme.PRODUCTION}  # fmt: skip
_SCOPE_WORDS = {"园区": IndustryScope.PARK, "县": IndustryScope.COUNTY,
                "县区": IndustryScope.COUNTY, "区县": IndustryScope.COUNTY}  # fmt: skip
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)(万|亿)?(元|人|场|件|单)?")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


@dataclass
class RowError:
    row: int
    code: str
    message: str
    field: str = ""


@dataclass
class IndustryImportReport:
    created: int = 0
    updated: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    pass


def _bad(code: str, message: str, column: str) -> ApplicationError:
    return ApplicationError(f"party.{code}", message, extra={"field": column})


def _choice(value: Any, choices: Any, words: dict[str, str], column: str, what: str) -> str:
    text = to_text(value)
    labels = {to_text(str(label)): key for key, label in choices.choices}
    found = text if text in choices.values else labels.get(text) or words.get(text)
    if found is None:
        raise _bad(
            "import_bad_choice", _("%(what)s“%(value)s”无法识别。") % {"what": what,
            "value": text[:20]}, column,
        )  # fmt: skip
    return found


def _date(value: Any, column: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE.fullmatch(to_text(value))
    if match:
        try:
            return dt.date(*map(int, match.groups()))
        except ValueError:
            pass
    raise _bad("import_bad_date", _("日期“%s”无法识别，请写成 2023-03-31。") % to_text(value)[:20],
               column)  # fmt: skip


def amount(value: Any, column: str) -> int | None:
    """A whole number from a numeric cell or from '591,000,000', '5.91亿', '60万元', '300场';
    never through a float for text, and a numeric cell must hold a whole number."""
    if value is None or to_text(value) == "":
        return None
    if isinstance(value, bool):
        raise _bad("import_bad_number", _("“%s”不是数字。") % to_text(value), column)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        raise _bad("import_bad_number", _("“%s”应为整数。") % value, column)
    text = re.sub(r"[\s,，]", "", to_text(value))
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise _bad("import_bad_number", _("“%s”不是数字。") % text[:20], column)
    number, unit = match.group(1), match.group(2)
    try:
        exact = Decimal(number) * {None: 1, "万": 10_000, "亿": 100_000_000}[unit]
    except InvalidOperation:
        raise _bad("import_bad_number", _("“%s”不是数字。") % text[:20], column) from None
    if exact != exact.to_integral_value():
        raise _bad("import_bad_number", _("“%s”应为整数。") % text[:20], column)
    return int(exact)


def _region(value: Any, actor: Any, *, county: bool) -> Region | None:
    text = to_text(value)
    if not text:
        return None
    qs = Region.objects.filter(Q(code=text) | Q(name=text))
    if county:
        qs = qs.filter(level=RegionLevel.COUNTY)
    found = list(qs[:2])
    if len(found) != 1:
        message = _("区域“%s”不存在或有重名，请写区划代码。") % text[:30]
        raise _bad("import_unknown_region", message, "region")
    return found[0]


def enterprise_named(name: Any, actor: Any) -> Any:
    """The enterprise of the registry with that name inside the caller's area."""
    text = to_text(name)
    qs = enterprises_under("")
    if actor is not None:
        qs = scope_to_jurisdiction(qs, actor)
    found = qs.filter(name=text).first()
    if found is None:
        # Outside the importer's area reads like one that does not exist.
        raise _bad("enterprise_not_found", _("企业“%s”不在台账中。") % text[:50], "subject")
    return found


def _import_row(values: dict[str, Any], actor: Any) -> bool:
    """Record one row; True when it is new, False when it corrects a recorded period."""
    theme = _choice(values.get("theme"), IndustryTheme, _THEME_WORDS, "theme", _("类别"))
    scope = _choice(values.get("scope"), IndustryScope, _SCOPE_WORDS, "scope", _("统计对象类型"))
    place: dict[str, Any] = {"enterprise": None, "region": None, "chain_name": ""}
    if scope in (IndustryScope.ENTERPRISE, IndustryScope.PARK):
        place["enterprise"] = enterprise_named(values.get("subject"), actor)
        subject = place["enterprise"].name
    elif scope == IndustryScope.COUNTY:
        place["region"] = _region(values.get("region") or values.get("subject"), actor, county=True)
        subject = place["region"].name
    else:
        place["region"] = _region(values.get("region"), actor, county=False)
        subject = place["chain_name"] = to_text(values.get("subject"))
    figures = {name: amount(values.get(name), name) for name in figure_labels()}
    start = _date(values.get("period_start"), "period_start")
    end = _date(values.get("period_end"), "period_end")
    new = not IndustryFigure.objects.filter(
        theme=theme, scope=scope, subject=subject, period_start=start, period_end=end
    ).exists()
    industry_figure_record(
        actor=actor, theme=theme, scope=scope, period_start=start, period_end=end,
        note=to_text(values.get("note")), **place, **figures,
    )  # fmt: skip
    return new


def enterprise_in_reach(actor: Any, pk: int) -> Any:
    """The enterprise ``pk`` of the registry inside the caller's area (else not found)."""
    qs = scope_to_jurisdiction(enterprises_under(""), actor)
    found = qs.filter(pk=pk).first()
    if found is None:
        raise not_found("party.enterprise_not_found", _("企业不存在。"))
    return found


def _keys_of(header: tuple[Any, ...]) -> list[str | None]:
    by_text = {sheet_header(text): key for key, text in columns()}
    return [by_text.get(sheet_header(cell)) if cell is not None else None for cell in header]


def industry_figures_import_xlsx(
    *, actor: Any, file: Any, dry_run: bool = False
) -> IndustryImportReport:
    """Record every row of the sheet, or none of them; see the module docstring."""
    report = IndustryImportReport(dry_run=dry_run)
    try:
        rows = sheet_rows(file, limit=MAX_ROWS + 1)
    except SheetUnreadable:
        message = _("无法读取该文件，请上传 .xlsx 格式的 Excel 文件。")
        report.errors.append(RowError(0, "party.import_bad_file", message))
        return report
    if not rows:
        report.errors.append(RowError(0, "party.import_empty", _("表格是空的。")))
        return report
    header_number, header = rows[0]
    keys = _keys_of(header)
    labels = dict(columns())
    missing = [labels[k] for k in REQUIRED if k not in keys]
    if missing:
        message = _("缺少必填列：%s") % "、".join(missing)
        report.errors.append(RowError(header_number, "party.import_missing_column", message))
        return report
    body = rows[1:]
    if len(body) > MAX_ROWS:
        message = _("一次最多导入 %d 行。") % MAX_ROWS
        report.errors.append(RowError(0, "party.import_too_many_rows", message))
        return report
    try:
        with transaction.atomic():
            for number, cells in body:
                values = {k: v for k, v in zip(keys, cells, strict=False) if k is not None}
                try:
                    with transaction.atomic():
                        new = _import_row(values, actor)
                    if new:
                        report.created += 1
                    else:
                        report.updated += 1
                except ApplicationError as error:
                    report.errors.append(
                        RowError(number, error.code, error.message, error.extra.get("field", ""))
                    )
            if dry_run or report.errors:
                raise _Rollback
    except _Rollback:
        if report.errors:
            report.created = report.updated = 0
    return report
