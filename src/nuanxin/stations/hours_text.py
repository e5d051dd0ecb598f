"""Weekly opening hours as a line of text, for spreadsheets and the admin form.

    每天 24小时
    周一至周五 08:00-20:00；周六、周日 09:00-12:00, 14:00-18:00
    工作日 08:30-17:30；周末 休息
    每天 22:00-次日06:00

Parts are separated by "；", ";" or new lines. A part is an optional day list (每天/每日, 工作日,
周末, 周一至周五, 周一、周三, 星期六, Mo-Fr) and a list of time ranges, "24小时", or "休息". A part
without days means every day; days mentioned in no part are closed; a later "休息" clears a day.
An end time not after the start runs into the next day ("次日" may be written but is optional).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.stations.schedule import Span, parse_clock

# The text form is Chinese in every language: it is what the city's spreadsheets hold.
WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_CN_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_EN_DAYS = {"mo": 0, "tu": 1, "we": 2, "th": 3, "fr": 4, "sa": 5, "su": 6}
_DAY = r"(?:(?:周|星期|礼拜)[一二三四五六日天七]|mo|tu|we|th|fr|sa|su)"
_RANGE_SEP = r"(?:至|到|-|–|—|~|～)"
_DAY_RANGE_RE = re.compile(rf"^({_DAY})(?:{_RANGE_SEP}({_DAY}))?$", re.IGNORECASE)
_TIME_RANGE_RE = re.compile(
    rf"^(\d{{1,2}}[:：]\d{{2}}){_RANGE_SEP}(?:次日|翌日)?(\d{{1,2}}[:：]\d{{2}})$"
)
_WHOLE_DAY = {"24小时", "24h", "全天", "全天24小时", "24小时营业", "全天开放"}
_CLOSED = {"休息", "闭馆", "闭站", "不开放", "关闭", "closed", "off"}
_EVERY_DAY = {"每天", "每日", "天天", "全周", "周一至周日", "daily"}
_WORKDAYS = {"工作日"}
_WEEKEND = {"周末", "双休日"}


class HoursTextError(ValueError):
    """The text does not describe weekly hours; ``str()`` says which part is wrong."""


def _day_number(token: str) -> int:
    token = token.lower()
    if token in _EN_DAYS:
        return _EN_DAYS[token]
    return _CN_DAYS[token[-1]]


def _parse_days(text: str) -> list[int]:
    if text in _EVERY_DAY:
        return list(range(7))
    if text in _WORKDAYS:
        return list(range(5))
    if text in _WEEKEND:
        return [5, 6]
    days: list[int] = []
    for piece in re.split(r"[、,，/]", text):
        match = _DAY_RANGE_RE.match(piece.strip())
        if not match:
            raise HoursTextError(_("无法识别的星期：%s") % (piece.strip() or text))
        first = _day_number(match.group(1))
        last = _day_number(match.group(2)) if match.group(2) else first
        day = first
        while True:  # wraps around the week: 周六至周一
            days.append(day)
            if day == last:
                break
            day = (day + 1) % 7
    return days


def _parse_times(text: str) -> list[Span] | None:
    """Spans of a time list; None for "休息"."""
    compact = text.replace(" ", "")
    if compact.lower() in _CLOSED:
        return None
    if compact.lower() in _WHOLE_DAY:
        return [Span(parse_clock("00:00"), parse_clock("00:00"))]
    spans = []
    for piece in re.split(r"[,，、]|\s+", text.strip()):
        if not piece:
            continue
        if piece.lower() in _WHOLE_DAY:
            spans.append(Span(parse_clock("00:00"), parse_clock("00:00")))
            continue
        match = _TIME_RANGE_RE.match(piece)
        if not match:
            raise HoursTextError(_("无法识别的时间段：%s") % piece)
        try:
            spans.append(Span(parse_clock(match.group(1)), parse_clock(match.group(2))))
        except ValueError as exc:
            raise HoursTextError(_("无效的时间：%s") % piece) from exc
    if not spans:
        raise HoursTextError(_("缺少时间段：%s") % text)
    return spans


def _split_part(part: str) -> tuple[str, str]:
    """(days text, times text) of one part; days may be empty."""
    part = part.strip()
    match = re.match(r"^(\S+?)\s*[:：]?\s+(.+)$", part)
    if match and not re.match(r"^\d", match.group(1)):
        return match.group(1), match.group(2)
    # "周一至周五08:00-20:00" written without a space.
    glued = re.match(r"^([^\d]+?)(\d.*|24小时.*)$", part)
    if glued and glued.group(1).strip() not in _WHOLE_DAY | _CLOSED:
        return glued.group(1).strip(" :："), glued.group(2)
    return "", part


def parse_weekly(text: str) -> dict[int, list[Span]]:
    """Weekday (0 = Monday) -> spans. Raises HoursTextError for text it cannot read."""
    weekly: dict[int, list[Span]] = {day: [] for day in range(7)}
    parts = [p for p in re.split(r"[；;\n]", text or "") if p.strip()]
    if not parts:
        raise HoursTextError(_("营业时间为空"))
    for part in parts:
        days_text, times_text = _split_part(part)
        days = _parse_days(days_text) if days_text else list(range(7))
        spans = _parse_times(times_text)
        for day in days:
            if spans is None:
                weekly[day] = []
            else:
                weekly[day].extend(s for s in spans if s not in weekly[day])
    return weekly


def _span_text(span: Span) -> str:
    if span.whole_day and span.start_s == 0:
        return "24小时"
    end = f"{span.end:%H:%M}"
    if span.overnight and not span.whole_day:
        end = "次日" + end
    elif span.end_s == 86_400 and span.start_s > 0:
        end = "24:00"
    return f"{span.start:%H:%M}-{end}"


def _days_text(days: list[int]) -> str:
    if days == list(range(7)):
        return "每天"
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    pieces = []
    for run in runs:
        if len(run) >= 3:
            pieces.append(f"{WEEKDAY_LABELS[run[0]]}至{WEEKDAY_LABELS[run[-1]]}")
        else:
            pieces.extend(WEEKDAY_LABELS[d] for d in run)
    return "、".join(pieces)


def format_weekly(weekly: dict[int, list[Span]] | tuple[tuple[Span, ...], ...]) -> str:
    """The text ``parse_weekly`` reads back to the same spans; "" for a station never open."""
    by_day = dict(enumerate(weekly)) if isinstance(weekly, tuple) else weekly
    groups: dict[tuple[Span, ...], list[int]] = {}
    for day in range(7):
        spans = tuple(sorted(set(by_day.get(day, ())), key=lambda s: (s.start_s, s.end_s)))
        if spans:
            groups.setdefault(spans, []).append(day)
    parts = [
        f"{_days_text(days)} {', '.join(_span_text(s) for s in spans)}"
        for spans, days in sorted(groups.items(), key=lambda item: item[1][0])
    ]
    return "；".join(parts)


# The words of the text form, for showing it to a reader in their language (longest first, so
# "24小时" is one word).
_SHOWN_WORDS = [
    gettext_noop("24小时"),
    gettext_noop("每天"),
    gettext_noop("次日"),
    *WEEKDAY_LABELS,
    gettext_noop("至"),
    gettext_noop("、"),
    gettext_noop("；"),
]


def format_weekly_shown(weekly: dict[int, list[Span]] | tuple[tuple[Span, ...], ...]) -> str:
    """``format_weekly`` in the reader's language, for pages (the text form stays Chinese)."""
    text = format_weekly(weekly)
    for word in _SHOWN_WORDS:
        text = text.replace(word, _(word))
    return text
