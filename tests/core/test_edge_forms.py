"""Every form of the project bounds its numbers and dates (core.forms), so a page cannot pass
10**30 to a column or 0001-01-01 to date arithmetic; the admin's forms get the same."""

import importlib
import pkgutil

import pytest
from django import forms
from django.contrib import admin

import nuanxin
from nuanxin.core.admin import ScopedAdmin
from nuanxin.core.forms import EdgeForm, EdgeFormMixin


def _all_form_classes():
    for module in pkgutil.walk_packages(nuanxin.__path__, "nuanxin."):
        if ".migrations" in module.name or module.name.endswith((".cli", ".wsgi", ".asgi")):
            continue
        importlib.import_module(module.name)
    seen, stack = set(), [forms.BaseForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return [c for c in seen if c.__module__.startswith("nuanxin.")]


def test_every_form_of_the_project_has_the_edge_bounds():
    classes = _all_form_classes()
    assert len(classes) > 20
    loose = sorted(f"{c.__module__}.{c.__qualname__}" for c in classes
                   if not issubclass(c, EdgeFormMixin))  # fmt: skip
    assert loose == []


def test_every_admin_is_scoped_and_its_forms_have_the_edge_bounds():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in {"auth"}:
            continue
        assert isinstance(model_admin, ScopedAdmin), model
        assert issubclass(model_admin.form, EdgeFormMixin), model


class _Sample(EdgeForm):
    count = forms.IntegerField()
    places = forms.IntegerField(min_value=1, max_value=50)
    day = forms.DateField()
    at = forms.DateTimeField()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"count": str(10**30)}, "count"),
        ({"count": str(-(10**30))}, "count"),
        ({"places": "51"}, "places"),
        ({"day": "0001-01-01"}, "day"),
        ({"day": "9999-12-31"}, "day"),
        ({"at": "9999-12-31 23:59"}, "at"),
    ],
)
def test_a_form_refuses_numbers_and_dates_out_of_range_in_chinese(data, field):
    form = _Sample({"count": "1", "places": "1", "day": "2024-05-01", "at": "2024-05-01 08:00",
                    **data})  # fmt: skip
    assert not form.is_valid()
    assert list(form.errors) == [field]
    assert any("之间" in m or "小于" in m or "大于" in m for m in form.errors[field])


def test_a_form_in_range_is_valid():
    form = _Sample({"count": "-5", "places": "50", "day": "2024-05-01", "at": "2024-05-01 08:00"})
    assert form.is_valid(), form.errors


def test_browser_date_and_time_inputs_get_html_formats_in_every_language():
    import datetime as dt

    from django.utils import translation

    class Dated(EdgeForm):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        at = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
        typed = forms.DateField()  # a plain text input keeps the language's format

    initial = {"day": dt.date(2026, 11, 3), "at": dt.time(16, 0), "typed": dt.date(2026, 11, 3)}
    with translation.override("zh-hans"):
        html = str(Dated(initial=initial))

    assert 'type="date" name="day" value="2026-11-03"' in html
    assert 'type="time" name="at" value="16:00"' in html
    assert 'name="typed" value="2026/11/03"' in html
