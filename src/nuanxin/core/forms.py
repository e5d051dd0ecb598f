"""The edge's bounds for page and admin forms: every whole number and date a form takes lies in
a range no column or date arithmetic breaks on (core.schema's), with the error in Chinese.

Every form of the project mixes in ``EdgeFormMixin`` (``tests/core/test_edge_forms.py`` fails on
one that does not), and the admin's forms get it from ``core.admin.ScopedAdmin``. A field that
sets its own ``min_value``/``max_value`` keeps them; one that sets none gets the edge's.
Control characters in any form field are refused before the view by ``core.edge``.
"""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.widgets import DateTimeBaseInput
from django.utils.translation import gettext as _

from nuanxin.core.schema import DATE_MAX, DATE_MIN, MAX_POINTS, date_in_range

# Whole numbers typed into a page: points, counts, years... far inside a 32-bit column.
FORM_INT_MIN, FORM_INT_MAX = -MAX_POINTS, MAX_POINTS


def validate_date_in_range(value: dt.date | dt.datetime | None) -> None:
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not date_in_range(day):
        raise ValidationError(
            _("日期须在 %(min)s 至 %(max)s 之间。")
            % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
            code="date_range",
        )


# What a browser's date, time and datetime-local inputs accept as their value (HTML's own
# formats); a localised "2026/11/03" leaves the input empty.
HTML_INPUT_FORMATS = {"date": "%Y-%m-%d", "time": "%H:%M", "datetime-local": "%Y-%m-%dT%H:%M"}


def html_input_format(widget: forms.Widget) -> None:
    """A date/time widget rendered as a browser's date or time input writes its value in the
    input's own format, whatever the language's date format."""
    kind = widget.attrs.get("type") or getattr(widget, "input_type", "")
    if kind in HTML_INPUT_FORMATS and isinstance(widget, DateTimeBaseInput):
        widget.format = HTML_INPUT_FORMATS[kind]


def bound_field(field: forms.Field) -> None:
    """Give ``field`` the edge's bounds if it is a number or date field without its own."""
    html_input_format(field.widget)
    if isinstance(field, forms.IntegerField):
        if field.min_value is None:
            field.validators.append(MinValueValidator(FORM_INT_MIN))
        if field.max_value is None:
            field.validators.append(MaxValueValidator(FORM_INT_MAX))
    elif isinstance(field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField):
        field.validators.append(validate_date_in_range)


class EdgeFormMixin:
    """Mixed into every form: bounds its number and date fields (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            bound_field(field)


class EdgeForm(EdgeFormMixin, forms.Form):
    pass


class EdgeModelForm(EdgeFormMixin, forms.ModelForm):
    pass


def submitted(request: Any) -> Any:
    """The form data a page binds its form to: the POST data of a submission, else None. A form
    bound to the empty POST of a GET would be validated and show "this field is required" under
    every field of a page the visitor has only just opened."""
    return request.POST if request.method == "POST" else None


# Pages that read a value straight from the query string or a form (a filter, a "load more"
# cursor) use these: a value outside the edge's bounds is the same as no value.


def query_int(raw: str | None, *, ge: int = FORM_INT_MIN, le: int = FORM_INT_MAX) -> int | None:
    """``raw`` as a whole number in [ge, le], or None (not digits, or out of range)."""
    text = (raw or "").strip()
    digits = text[1:] if text.startswith("-") else text
    if not digits.isdigit() or not digits.isascii() or len(digits) > 20:
        return None
    value = int(text)
    return value if ge <= value <= le else None


def query_date(raw: str | None) -> dt.date | None:
    """``raw`` as an ISO date between DATE_MIN and DATE_MAX, or None."""
    try:
        value = dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None
    return value if date_in_range(value) else None
