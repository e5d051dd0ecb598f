"""Benchmark: the registry's own .xlsx reader and writer against the libraries that could replace
them, on the demo's 20,316-row worker ledger, in one run.

    uv run python benchmarks/run.py xlsx            # through the runner (results/xlsx.json)
    uv run python benchmarks/bench_xlsx.py          # alone
    BENCH_XLSX_ROWS=300 uv run python benchmarks/bench_xlsx.py   # a small ledger

Readers: the registry's (``registry.importing.xlsx``: python-calamine, its values put as the
importer wants them), python-calamine bare, fastexcel (to Python rows through Arrow), openpyxl
read-only as the reference, and with ``BENCH_XLSX_COMPARE=<file>`` another version of the
registry's reader (the expat reader it replaced: ``git show 2d9919d:src/nuanxin/registry/
importing/xlsx.py``). Writers: ours (``registry.xlsxout``), XlsxWriter in constant_memory mode,
openpyxl write-only as the reference.

Each reader and writer runs in a fresh process of its own: wall time is the median of three
runs, memory the process's peak resident set (``getrusage``; tracemalloc does not see what Rust
allocates) and that peak less the peak before the work began. Fidelity is checked on a fixture
workbook made to hold what offices send (a merged title row above the header, shared and inline
strings, rich text, dates stored as serial numbers with date formats, full-width digits, phone
and ID numbers stored as numbers, empty cells between filled ones, a footer, a second sheet): a
reader is faithful when every ledger row, after the importer's own header search and cleaning
(``importing.reader.sheet_from_rows`` and ``registry.cleaning``), is what ``FIXTURE_EXPECTED``
says, row numbers included. On the big ledger every reader's cleaned rows are compared with the
registry reader's. A writer is
faithful when openpyxl reads back the same values and the sheet keeps the title, the bold
header on its fill, the frozen panes and the column widths.
"""

import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuanxin.settings")
os.environ.setdefault("NUANXIN_DATA_DIR", tempfile.mkdtemp(prefix="nuanxin-bench-xlsx-"))
os.environ.setdefault("NUANXIN_TEST_DB_NAME", "bench_xlsx")
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import django  # noqa: E402

django.setup()

from xlsx_readers import READERS, WRITERS  # noqa: E402

RUNS = 3
WORKER_KEYS = ["name", "phone", "id_number", "gender", "birth_year", "occupation", "enterprises",
               "work_region", "home_region", "political_status", "union_member"]  # fmt: skip


def _peak_mib() -> float:
    """The process's peak resident set. Linux keeps ``ru_maxrss`` across ``execve``, so a child
    started from this (large) parent would report the parent's size: the kernel's high-water
    mark of the new address space (VmHWM) is read where there is one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the files ---


def _worker_headers() -> list[str]:
    from nuanxin.registry.importing.columns import WORKER_COLUMNS

    headers = {c.key: c.header for c in WORKER_COLUMNS}
    return ["序号", *(headers[k] for k in WORKER_KEYS)]


def demo_rows(limit: int | None) -> list[dict]:
    """The demo city's worker rows (in a throw-away database: they need its regions)."""
    from django.test.utils import setup_databases, teardown_databases

    from nuanxin.demo import regions
    from nuanxin.demo import registry as demo
    from nuanxin.demo.loader import DemoContext

    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        ctx = DemoContext(out=io.StringIO())
        regions.load(ctx)
        gen = demo.Generator(ctx.rng("registry"), demo.Geo.load())
        rows = demo._finish(gen.workers(gen.enterprises(), []), gen.geo)
    finally:
        teardown_databases(old_config, verbosity=0)
    return rows[:limit] if limit else rows


def ledger_xlsx(rows: list[dict], path: Path) -> None:
    """The ledger as bench_registry_import writes it (a title row), strings shared."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "从业人员台账"
    sheet.append(["湛江市新就业群体从业人员台账"])
    sheet.append(_worker_headers())
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *(row.get(k) for k in WORKER_KEYS)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    shared_strings(buffer.getvalue(), path)


def fixture_xlsx(path: Path) -> None:
    """A small workbook with what offices' files hold and a reader can get wrong."""
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    book = Workbook()
    sheet = book.active
    sheet.title = "从业人员台账"
    sheet["A1"] = "湛江市新就业群体从业人员台账（2026 年第四季度）"
    sheet.merge_cells("A1:L1")
    sheet["A2"] = "填报单位：赤坎区某街道"
    sheet.append(_worker_headers())  # row 3
    rows: list[list[Any]] = [
        [1, "张三", 13800001234, "440802199003150017", "男", dt.datetime(1990, 3, 15),
         "外卖骑手", "美团外卖", "赤坎区中华街道", None, "群众", "是"],
        [2, "李四", "１３８００００１２３５", "４４０８０２１９８８０７０１００２３", "女",
         "１９８８", "快递员", "顺丰速运、京东物流", "赤坎区中华街道", "霞山区", "中共党员", "否"],
        [3, "王五", 13800001236.0, 440802198501010000, None, dt.datetime(1985, 1, 1),
         None, None, None, None, None, "√"],
        [None, "赵 六", " 138 0000 1237 ", None, "男", 1992, "网约车司机", None, None, None,
         None, None],
        [5, CellRichText("钱", TextBlock(InlineFont(b=True), "七")), "+86 13800001238", None,
         None, dt.date(1979, 12, 31), "货车司机", "满帮", None, None, "共青团员", "是"],
        [6, None, None, None, None, None, None, None, None, None, None, None],
        ["填表人：孙八", None, None, None, None, None, None, None, None, None, None, None],
    ]  # fmt: skip
    for row in rows:
        sheet.append(row)
    sheet["F4"].number_format = "yyyy/m/d"
    sheet["F6"].number_format = "yyyy年m月d日"
    sheet["F8"].number_format = "m/d/yy"
    second = book.create_sheet("企业台账")
    second.append(["企业名称", "统一社会信用代码", "从业人员数", "联系电话", "成立日期"])
    second.append(["湛江市美团配送有限公司", "91440800MA4UJ5K59X", 120, 7592345678,
                   dt.datetime(2018, 6, 1)])  # fmt: skip
    second.append(["（顺丰）湛江分公司", None, "１ ２００", "0759-2345679", None])
    second["E2"].number_format = "yyyy-mm-dd"
    book.create_sheet("说明")["B3"] = "本表按季度填报。"
    buffer = io.BytesIO()
    book.save(buffer)
    shared_strings(buffer.getvalue(), path, keep_inline="H")


def shared_strings(data: bytes, path: Path, *, keep_inline: str = "") -> None:
    """The workbook with its first sheet's plain strings in a shared table, as Excel and WPS
    save them (openpyxl writes them inline); the cells of column ``keep_inline`` stay inline."""
    import re
    from xml.sax.saxutils import unescape

    cell = re.compile(
        r'<c r="([A-Z]+)(\d+)"( s="\d+")? t="inlineStr"><is><t(?: xml:space="preserve")?>'
        r"([^<]*)</t></is></c>"
    )
    table: dict[str, int] = {}

    def shared(m: re.Match) -> str:
        if m.group(1) == keep_inline:
            return m.group(0)
        index = table.setdefault(unescape(m.group(4)), len(table))
        return f'<c r="{m.group(1)}{m.group(2)}"{m.group(3) or ""} t="s"><v>{index}</v></c>'

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = cell.sub(shared, body.decode()).encode()
            elif item.filename == "[Content_Types].xml":
                body = body.replace(
                    b"</Types>",
                    (
                        f'<Override PartName="/xl/sharedStrings.xml" '
                        f'ContentType="{sml}.sharedStrings+xml"/></Types>'
                    ).encode(),
                )
            elif item.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(
                    b"</Relationships>",
                    (
                        f'<Relationship Id="rIdShared" Type="{rels}/sharedStrings" '
                        'Target="sharedStrings.xml"/></Relationships>'
                    ).encode(),
                )
            target.writestr(item.filename, body)
        assert table, "no string to share"
        items = "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in table)
        target.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" count="{len(table)}" '
            f'uniqueCount="{len(table)}">{items}</sst>',
        )


# --- what the importer makes of a reader's rows ---

# The fixture's ledger rows after cleaning (checksums of the made-up ID numbers fail on purpose:
# the problem, not the number, is compared; 王五's was stored as a number and lost its digits).
FIXTURE_EXPECTED = [
    ("从业人员台账", 4, {"birth_year": 1990, "enterprises": "美团外卖", "gender": "男",
     "id_number": "problem registry.invalid_id_number", "name": "张三", "occupation": "外卖骑手",
     "phone": "13800001234", "political_status": "群众", "union_member": True,
     "work_region": "赤坎区中华街道"}),
    ("从业人员台账", 5, {"birth_year": 1988, "enterprises": "顺丰速运、京东物流", "gender": "女",
     "home_region": "霞山区", "id_number": "problem registry.invalid_id_number", "name": "李四",
     "occupation": "快递员", "phone": "13800001235", "political_status": "中共党员",
     "union_member": False, "work_region": "赤坎区中华街道"}),
    ("从业人员台账", 6, {"birth_year": 1985,
     "id_number": "problem registry.number_stored_as_number", "name": "王五",
     "phone": "13800001236", "union_member": True}),
    ("从业人员台账", 7, {"birth_year": 1992, "gender": "男", "name": "赵六",
     "occupation": "网约车司机", "phone": "13800001237"}),
    ("从业人员台账", 8, {"birth_year": 1979, "enterprises": "满帮", "name": "钱七",
     "occupation": "货车司机", "phone": "13800001238", "political_status": "共青团员",
     "union_member": True}),
    ("企业台账", 2, {"contact_phone": "problem registry.invalid_phone",
     "credit_code": "problem registry.invalid_credit_code", "name": "湛江市美团配送有限公司",
     "worker_count": 120}),
    ("企业台账", 3, {"contact_phone": "0759-2345679", "name": "（顺丰）湛江分公司",
     "worker_count": 1200}),
]  # fmt: skip


def cleaned(sheets: list[tuple[str, list]]) -> list[tuple]:
    """Every ledger row after the importer's header search and per-field cleaning."""
    from nuanxin.registry import cleaning as c
    from nuanxin.registry.importing.reader import sheet_from_rows

    def clean(kind: str, key: str, value: Any) -> Any:
        rule = {
            "name": c.clean_person_name if kind == "worker" else c.clean_enterprise_name,
            "phone": c.clean_mobile,
            "contact_phone": c.clean_contact_phone,
            "id_number": lambda v: (x := c.clean_id_number(v)) and (x.number, x.recovered),
            "birth_year": c.clean_birth_year,
            "credit_code": c.clean_credit_code,
            "union_member": lambda v: c.clean_bool(v, label=""),
            "worker_count": lambda v: c.clean_count(v, label=""),
        }.get(key, c.to_text)
        try:
            return rule(value)
        except c.FieldProblem as problem:
            return f"problem {problem.code}"

    out = []
    for title, rows in sheets:
        sheet = sheet_from_rows(title, rows)
        if sheet is None:
            continue
        for number, values in sheet.rows:
            out.append(
                (title, number, {k: clean(sheet.kind, k, v) for k, v in sorted(values.items())})
            )
    return out


# --- one reader or writer in a process of its own ---


def child_read(name: str, path: str) -> dict:
    from nuanxin.registry.importing.reader import sheet_from_rows

    read = READERS[name]
    before = _peak_mib()
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        sheets = read(path)
        ledgers = [sheet_from_rows(title, rows) for title, rows in sheets]
        seconds.append(time.perf_counter() - started)
    peak = _peak_mib()
    rows = sum(len(s.rows) for s in ledgers if s is not None)
    return {"seconds": seconds, "peak_rss_mib": peak, "rss_before_mib": before,
            "rows": rows, "cleaned": cleaned(sheets)}  # fmt: skip


def export_sheets(rows: list[list[Any]]) -> list[Any]:
    from nuanxin.registry.exporting import WORKER_EXPORT_HEADER
    from nuanxin.registry.xlsxout import Sheet

    return [
        Sheet(
            title="从业人员台账",
            caption=f"从业人员台账（导出于 2026-12-03 08:00，共 {len(rows)} 条，含完整号码）",
            header=WORKER_EXPORT_HEADER,
            rows=rows,
            widths=[10, 15, 21, 6, 9, 12, 30, 28, 28, 12, 10, 9, 28],
        )
    ]


def child_write(name: str, rows_path: str, out: str) -> dict:
    rows = json.loads(Path(rows_path).read_text())
    write = WRITERS[name]
    before = _peak_mib()
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        write(export_sheets(rows), out)
        seconds.append(time.perf_counter() - started)
    return {"seconds": seconds, "peak_rss_mib": _peak_mib(), "rss_before_mib": before,
            "bytes": Path(out).stat().st_size}  # fmt: skip


def in_child(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True, text=True, check=True, cwd=HERE.parent,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- writers: what openpyxl reads back ---


EDGE_ROWS = [
    ["张三", "13800001234", "440802199003150017", "男", 1990, "外卖骑手", "美团外卖",
     "湛江市赤坎区中华街道", "", "群众", "是", "在职", ""],
    ["a<b&c\x01", " 前后空格 ", "0123", "女", 1.5, True, None, "=1+1", "'引号", "１３８",
     "长" * 300, "在职", "x"],
]  # fmt: skip


def writer_fidelity(name: str, folder: Path, big: Path, rows: list[list[Any]]) -> dict:
    """Values of the big export and the features of a small one, as openpyxl reads them."""
    from openpyxl import load_workbook

    from nuanxin.core.xlsx import cell_value

    def expected(values: list[Any]) -> list[Any]:
        return [None if v in ("", None) else cell_value(v) for v in values]

    sheet = load_workbook(big, read_only=True).worksheets[0]
    got = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    width = len(rows[0])
    got = [(r + [None] * width)[:width] for r in got]
    values_equal = got == [expected(r) for r in rows]

    small = folder / f"edge-{name.split()[0]}.xlsx"
    WRITERS[name](export_sheets(EDGE_ROWS), str(small))
    sheet = load_workbook(small).worksheets[0]
    header = sheet["A2"]
    features = {
        "title": sheet.title == "从业人员台账",
        "caption_bold_14": bool(sheet["A1"].font.b) and sheet["A1"].font.sz == 14,
        "header_bold_on_fill": bool(header.font.b)
        and (header.fill.fgColor.rgb or "").endswith("FFF4E6"),
        "frozen_below_header": sheet.freeze_panes == "A3",
        # Within a character: XlsxWriter stores the padding Excel adds to a width it is given.
        "column_widths": all(
            abs((sheet.column_dimensions[c].width or 0) - w) < 1
            for c, w in zip("ABCM", (10, 15, 21, 28), strict=True)
        ),
        "edge_values": [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
        == [(expected(r) + [None] * 13)[:13] for r in EDGE_ROWS],
    }
    return {"values_equal": values_equal, **features}


# --- the run ---


def _figures(result: dict) -> dict:
    return {
        "seconds_median": round(statistics.median(result["seconds"]), 3),
        "seconds_runs": [round(s, 3) for s in result["seconds"]],
        "peak_rss_mib": round(result["peak_rss_mib"], 1),
        "rss_growth_mib": round(result["peak_rss_mib"] - result["rss_before_mib"], 1),
    }


def main() -> dict:
    limit = int(os.environ.get("BENCH_XLSX_ROWS", "0")) or None
    folder = Path(tempfile.mkdtemp(prefix="nuanxin-bench-xlsx-files-"))
    rows = demo_rows(limit)
    ledger, fixture = folder / "从业人员台账.xlsx", folder / "fixture.xlsx"
    ledger_xlsx(rows, ledger)
    fixture_xlsx(fixture)
    export = [[r.get(k) for k in WORKER_KEYS] + ["在职", ""] for r in rows]
    (folder / "export-rows.json").write_text(json.dumps(export, ensure_ascii=False))
    load_before = [round(x, 2) for x in os.getloadavg()]

    expected = [list(row) for row in FIXTURE_EXPECTED]
    registry = next(iter(READERS))
    readers: dict[str, dict] = {}
    ledger_cleaned: dict[str, list] = {}
    for name, read in READERS.items():
        result = in_child("read", name, str(ledger))
        ledger_cleaned[name] = result["cleaned"]
        got = [list(row) for row in cleaned(read(str(fixture)))]
        differences = [f"{a} != {b}" for a, b in zip(expected, got, strict=False) if a != b]
        if len(got) != len(expected):
            differences.append(f"{len(got)} rows, not {len(expected)}")
        readers[name] = {
            **_figures(result),
            "rows": result["rows"],
            "fixture_as_expected": got == expected,
            "fixture_differences": [d[:300] for d in differences[:4]],
            "ledger_equal_to_registry": ledger_cleaned[name] == ledger_cleaned[registry],
        }
    writers: dict[str, dict] = {}
    for name in WRITERS:
        out = folder / f"export-{name.split()[0]}.xlsx"
        result = in_child("write", name, str(folder / "export-rows.json"), str(out))
        writers[name] = {
            **_figures(result),
            "bytes": result["bytes"],
            **writer_fidelity(name, folder, out, export),
        }
    for group, first in ((readers, registry), (writers, next(iter(WRITERS)))):
        for figures in group.values():
            figures["time_over_ours"] = round(
                figures["seconds_median"] / group[first]["seconds_median"], 2
            )
    figures = {
        "rows": len(rows),
        "ledger_kib": ledger.stat().st_size // 1024,
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "readers": readers,
        "writers": writers,
    }
    _print(figures)
    return figures


def _print(figures: dict) -> None:
    load = f"{figures['load_average_before']} -> {figures['load_average_after']}"
    print(f"{figures['rows']} 行，{figures['ledger_kib']} KiB；负载 {load}")
    for kind in ("readers", "writers"):
        for name, f in figures[kind].items():
            faithful = {k: v for k, v in f.items() if isinstance(v, bool)}
            memory = f"峰值 {f['peak_rss_mib']:6.1f} MiB (+{f['rss_growth_mib']:.1f})"
            print(f"  {name:<28} {f['seconds_median']:7.3f} s  x{f['time_over_ours']:<5} "
                  f"{memory}  {faithful}")  # fmt: skip
            for line in f.get("fixture_differences", []):
                print(f"      {line}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        kind, *rest = sys.argv[2:]
        result = child_read(*rest) if kind == "read" else child_write(*rest)
        print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        main()
