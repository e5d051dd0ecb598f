"""A category's extra questions (Open311 "attributes") and the checking of their answers."""

import math
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError

QUESTION_TYPES = ("text", "number", "single", "multi", "bool")
MAX_TEXT_ANSWER = 500


def _bad(code: str, message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(code, message, extra=extra)


def questions_clean(questions: Any) -> list[dict[str, Any]]:
    """Normalise a category's question list; raise ``reports.bad_questions`` when malformed."""
    if questions in (None, ""):
        return []
    if not isinstance(questions, list):
        raise _bad("reports.bad_questions", _("补充问题必须是列表。"))
    seen: set[str] = set()
    out = []
    for item in questions:
        if not isinstance(item, dict):
            raise _bad("reports.bad_questions", _("每个补充问题必须是对象。"))
        code = str(item.get("code", "")).strip()
        kind = item.get("type", "text")
        label = str(item.get("label", "")).strip()
        if not code or code in seen or not label or kind not in QUESTION_TYPES:
            raise _bad("reports.bad_questions", _("补充问题格式不正确。"), question=code)
        seen.add(code)
        options = []
        if kind in ("single", "multi"):
            for option in item.get("options") or []:
                key = str(option.get("key", "")).strip() if isinstance(option, dict) else ""
                if not key:
                    raise _bad("reports.bad_questions", _("选项格式不正确。"), question=code)
                options.append({"key": key, "name": str(option.get("name") or key)})
            if not options:
                raise _bad("reports.bad_questions", _("选择题必须有选项。"), question=code)
        out.append(
            {
                "code": code,
                "label": label,
                "type": kind,
                "required": bool(item.get("required", False)),
                "options": options,
                "hint": str(item.get("hint", "")),
            }
        )
    return out


def _answer(question: dict[str, Any], value: Any) -> Any:
    code, kind = question["code"], question["type"]
    keys = {option["key"] for option in question["options"]}
    if kind == "text":
        text = str(value).strip()
        if len(text) > MAX_TEXT_ANSWER:
            raise _bad("reports.bad_answer", _("回答过长。"), question=code)
        return text
    if kind == "number":
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise _bad("reports.bad_answer", _("请填写数字。"), question=code) from exc
        if not math.isfinite(number):
            raise _bad("reports.bad_answer", _("请填写数字。"), question=code)
        return number
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "1", "yes", "是"):
            return True
        if str(value).lower() in ("false", "0", "no", "否"):
            return False
        raise _bad("reports.bad_answer", _("请选择是或否。"), question=code)
    if kind == "single":
        if str(value) not in keys:
            raise _bad("reports.bad_answer", _("选项无效。"), question=code)
        return str(value)
    values = value if isinstance(value, list | tuple) else [value]
    chosen = [str(v) for v in values if str(v) != ""]
    if any(v not in keys for v in chosen):
        raise _bad("reports.bad_answer", _("选项无效。"), question=code)
    return sorted(set(chosen))


def answers_clean(category: Any, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Check answers against the category's questions; unknown questions are refused."""
    questions = {q["code"]: q for q in questions_clean(category.questions)}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise _bad("reports.unknown_question", _("存在未知的补充问题。"), questions=unknown)
    out: dict[str, Any] = {}
    for code, question in questions.items():
        value = answers.get(code)
        empty = value is None or value == "" or value == []
        if empty:
            if question["required"]:
                raise _bad(
                    "reports.answer_required",
                    _("请回答：%(label)s") % {"label": question["label"]},
                    question=code,
                )
            continue
        out[code] = _answer(question, value)
    return out
