"""Builders for Open311 tests: client applications, categories with every kind of question."""

import itertools

from nuanxin.open311.models import ClientApplication
from nuanxin.open311.services import client_create
from tests.reports import factories as rf

_codes = itertools.count(1)

QUESTIONS = [
    {"code": "count", "label": "数量", "type": "number", "required": False},
    {"code": "note", "label": "补充说明", "type": "text", "required": False, "hint": "简要说明"},
    {
        "code": "where",
        "label": "位置",
        "type": "single",
        "required": True,
        "options": [{"key": "window", "name": "窗外"}, {"key": "corridor", "name": "楼道"}],
    },
    {
        "code": "kinds",
        "label": "涉及",
        "type": "multi",
        "required": False,
        "options": [{"key": "car", "name": "汽车"}, {"key": "ebike", "name": "电动车"}],
    },
    {"code": "warned", "label": "已有警示", "type": "bool", "required": False},
]


def client_app(code: str | None = None, **fields) -> tuple[ClientApplication, str]:
    code = code or f"app-{next(_codes)}"
    return client_create(actor=None, code=code, name=fields.pop("name", f"应用{code}"), **fields)


def category_with_questions(**fields):
    fields.setdefault("questions", QUESTIONS)
    fields.setdefault("group", "消防安全隐患")
    fields.setdefault("keywords", "飞线,充电")
    fields.setdefault("description", "从窗户拉线给电动车充电")
    return rf.category(**fields)


def in_state(tree, state: str, *, cat, reviewer, reporter=None, **fields):
    """A report in the test city moved to ``state`` through the reports services.

    Categories with points need a funded pool when a worker reports; pass a 0-point category or
    no reporter (an Open311 citizen) to keep points out of it.
    """
    from nuanxin.reports import services as rs
    from nuanxin.reports.models import Channel, Department

    extra = {} if reporter is not None else {"channel": Channel.OPEN311}
    report = rf.submitted(tree, reporter=reporter, cat=cat, **extra, **fields)
    if state == "submitted":
        return report
    if state == "rejected":
        return rs.report_reject(report=report, reviewer=reviewer, reason="照片看不清，无法核实")
    if state == "duplicate":
        original = rf.submitted(tree, reporter=None, cat=cat, channel=Channel.OPEN311)
        return rs.report_mark_duplicate(report=report, reviewer=reviewer, original=original)
    report = rs.report_accept(report=report, reviewer=reviewer, note="已受理，感谢反馈")
    if state == "accepted":
        return report
    department = Department.objects.get(code="municipal")
    report = rs.report_dispatch(
        report=report, reviewer=reviewer, department=department, note="已派市政维修"
    )
    if state == "dispatched":
        return report
    report = rs.report_resolve(report=report, reviewer=reviewer, note="已修复")
    if state == "resolved":
        return report
    if state == "closed":
        return rs.report_close(report=report, reviewer=reviewer)
    assert state == "reopened" and reporter is not None
    return rs.report_reopen(report=report, reporter=reporter, reason="还是没修好")
