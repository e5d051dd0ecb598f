"""Page forms. They only parse input; every rule is checked by the services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import EdgeForm
from nuanxin.core.scoping import scope_to_jurisdiction
from nuanxin.geo.coords import CoordSystem
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.volunteering.models import (
    AwardRule,
    Outcome,
    ProjectKind,
    Recurrence,
    Requirement,
)

WEEKDAYS = [
    (1, _("周一")),
    (2, _("周二")),
    (3, _("周三")),
    (4, _("周四")),
    (5, _("周五")),
    (6, _("周六")),
    (7, _("周日")),
]
MAX_REGION_CHOICES = 3000


def _regions_of(user: Any, levels: list[str]) -> list[Region]:
    qs = scope_to_jurisdiction(Region.objects.filter(level__in=levels), user, region_field=None)
    return list(qs.select_related("parent").order_by("path")[:MAX_REGION_CHOICES])


def _label(region: Region) -> str:
    if region.level == RegionLevel.COMMUNITY and region.parent is not None:
        return f"{region.parent.name} · {region.name}"
    return region.name


class ProjectForm(EdgeForm):
    title = forms.CharField(label=_("项目名称"), max_length=120)
    kind = forms.ChoiceField(label=_("类型"), choices=ProjectKind.choices)
    region = forms.ChoiceField(label=_("发布单位（社区或街道）"))
    pool_region = forms.ChoiceField(
        label=_("积分发放社区"),
        required=False,
        help_text=_("街道项目可指定；留空则由集合地点所在社区发放。"),
    )
    place_name = forms.CharField(label=_("集合地点"), max_length=200)
    lon = forms.FloatField(label=_("经度"), required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(label=_("纬度"), required=False, widget=forms.HiddenInput)
    coord_system = forms.ChoiceField(
        choices=[(c.value, c.value) for c in CoordSystem],
        initial=CoordSystem.WGS84,
        widget=forms.HiddenInput,
    )
    recurrence = forms.ChoiceField(label=_("时间安排"), choices=Recurrence.choices)
    first_date = forms.DateField(
        label=_("日期（重复活动为开始日期）"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last_date = forms.DateField(
        label=_("结束日期（重复活动）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("每周活动日（重复活动）"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(
        label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(label=_("结束时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    places = forms.IntegerField(label=_("每场名额"), min_value=1, initial=10)
    award_rule = forms.ChoiceField(label=_("积分规则"), choices=AwardRule.choices)
    points_per_hour = forms.IntegerField(
        label=_("每小时积分"), required=False, help_text=_("留空则用全市默认值（每小时 10 分）。")
    )
    points_per_task = forms.IntegerField(label=_("每次任务积分"), required=False)
    cap = forms.IntegerField(label=_("单次活动积分上限"), required=False)
    requirement = forms.ChoiceField(label=_("报名要求"), choices=Requirement.choices)
    party_hold_hours = forms.IntegerField(label=_("党员优先时长（小时）"), required=False)
    quantity_target = forms.IntegerField(label=_("每场发放目标（份，传单任务）"), required=False)
    withdraw_hours_before = forms.IntegerField(label=_("开始前多少小时可退出"), initial=2)
    description = forms.CharField(
        label=_("项目说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    requirements_note = forms.CharField(label=_("其他要求"), required=False, max_length=300)
    publish = forms.BooleanField(label=_("立即发布"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        posting = _regions_of(user, [RegionLevel.STREET, RegionLevel.COMMUNITY])
        self.regions = {str(r.pk): r for r in posting}
        self.fields["region"].choices = [(str(r.pk), _label(r)) for r in posting]
        communities = [r for r in posting if r.level == RegionLevel.COMMUNITY]
        self.fields["pool_region"].choices = [("", "—")] + [
            (str(r.pk), _label(r)) for r in communities
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["region"] = self.regions[data["region"]]
        pool = data.pop("pool_region")
        data["pool_region"] = self.regions.get(pool) if pool else None
        lon, lat = data.pop("lon"), data.pop("lat")
        data["place"] = (lon, lat) if lon is not None and lat is not None else None
        data["weekdays"] = data.get("weekdays") or []
        return data


class VerifyForm(EdgeForm):
    outcome = forms.ChoiceField(choices=Outcome.choices)
    hours = forms.DecimalField(required=False, max_digits=5, decimal_places=2)
    quantity = forms.IntegerField(required=False)
    note = forms.CharField(required=False, max_length=300)
    reason = forms.CharField(required=False, max_length=300)


class CodeForm(EdgeForm):
    code = forms.CharField(label=_("认领码"), max_length=8)
    op = forms.ChoiceField(choices=[("check_in", "check_in"), ("check_out", "check_out")])
    quantity = forms.IntegerField(label=_("发放数量"), required=False)
