import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import EdgeForm

MAX_RANGE_DAYS = 400


class StatsForm(EdgeForm):
    date_from = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and (start > end or end - start > dt.timedelta(days=MAX_RANGE_DAYS)):
            raise forms.ValidationError(_("日期范围无效（最长 400 天）。"))
        return data


class ImportForm(EdgeForm):
    file = forms.FileField(
        label=_("驿站表格（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    dry_run = forms.BooleanField(label=_("只检查，不导入"), required=False, initial=True)
