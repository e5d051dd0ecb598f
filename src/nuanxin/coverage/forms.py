from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import EdgeForm
from nuanxin.coverage.analysis import MAX_THRESHOLD_MINUTES
from nuanxin.coverage.demand import SOURCES
from nuanxin.coverage.planning import CANDIDATE_SETS, MAX_P, MAX_TIME_LIMIT_S

MODES = [("ride", _("电动车")), ("walk", _("步行"))]


class CoverageForm(EdgeForm):
    # Fields left out of a link take their defaults (a bookmarked "?sources=hotspots" works).
    mode = forms.ChoiceField(label=_("出行方式"), choices=MODES, initial="ride", required=False)
    threshold_minutes = forms.IntegerField(
        label=_("时间阈值（分钟）"),
        min_value=1,
        max_value=MAX_THRESHOLD_MINUTES,
        initial=15,
        required=False,
    )
    amenity = forms.ChoiceField(label=_("须具备的设施"), required=False)
    at = forms.DateTimeField(
        label=_("开放时刻"),
        required=False,
        help_text=_("只计此时开放的驿站；留空则不看开放时间。"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    sources = forms.MultipleChoiceField(
        label=_("需求来源"),
        choices=list(SOURCES.items()),
        initial=["hotspots", "reports", "grid"],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, amenities: list[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amenity"].choices = [("", _("不限")), *amenities]


class SitingForm(CoverageForm):
    p = forms.IntegerField(
        label=_("新建驿站数"), min_value=1, max_value=MAX_P, initial=3, required=False
    )
    candidates = forms.ChoiceField(
        label=_("候选站址"), choices=list(CANDIDATE_SETS.items()), initial="grid", required=False
    )
    solver = forms.ChoiceField(
        label=_("求解方法"),
        choices=[("exact", _("精确求解（HiGHS）")), ("greedy", _("贪心法（大规模）"))],
        initial="exact",
        required=False,
    )
    time_limit_s = forms.IntegerField(
        label=_("求解时限（秒）"),
        min_value=1,
        max_value=int(MAX_TIME_LIMIT_S),
        initial=60,
        required=False,
    )
    target_percent = forms.IntegerField(
        label=_("目标覆盖率（%）"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_("填写时另算达到该覆盖率最少需新建几个驿站。"),
    )
