"""The station admin: the whole station on one form, saved through the services."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from nuanxin.accounts.models import Role, User
from nuanxin.core.errors import ApplicationError
from nuanxin.core.scoping import jurisdiction_path, scope_to_jurisdiction
from nuanxin.geo.coords import CoordSystem
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.stations import services
from nuanxin.stations.admin.base import KeeperAwareAdmin, ServiceForm, form_for
from nuanxin.stations.excel import split_list
from nuanxin.stations.hours_text import format_weekly
from nuanxin.stations.models import (
    Amenity,
    HostType,
    StandardService,
    Station,
    StationKind,
    StationStatus,
)
from nuanxin.stations.permissions import governs
from nuanxin.stations.schedule import Span


class StationForm(ServiceForm):
    code = forms.CharField(label=_("编号"), required=False, help_text=_("留空自动编号"))
    kind = forms.ChoiceField(label=_("类型"), choices=StationKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    host_type = forms.ChoiceField(label=_("承建场所类型"), choices=HostType.choices)
    host_name = forms.CharField(label=_("承建单位"), max_length=100, required=False)
    address = forms.CharField(label=_("地址"), max_length=200)
    lon = forms.FloatField(label=_("经度"))
    lat = forms.FloatField(label=_("纬度"))
    coord_system = forms.ChoiceField(
        label=_("坐标系"),
        choices=[
            (CoordSystem.WGS84, _("WGS-84（GPS）")),
            (CoordSystem.GCJ02, _("GCJ-02（高德、腾讯地图）")),
            (CoordSystem.BD09, _("BD-09（百度地图）")),
        ],
        initial=CoordSystem.WGS84,
    )
    region = forms.ModelChoiceField(
        label=_("所属区域"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("留空则按坐标自动确定"),
    )
    amenities = forms.ModelMultipleChoiceField(
        label=_("服务设施"),
        queryset=Amenity.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    standard_services = forms.MultipleChoiceField(
        label=_("“5+X”基本服务"),
        choices=StandardService.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    extra_services = forms.CharField(
        label=_("特色服务（X）"), required=False, help_text=_("多项用顿号分隔")
    )
    hours_text = forms.CharField(
        label=_("每周开放时间"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "例：周一至周五 08:00-20:00；周末 09:00-18:00；每天 24小时；每天 22:00-次日06:00"
        ),
    )
    timezone = forms.CharField(label=_("时区"), initial="Asia/Shanghai")
    capacity = forms.IntegerField(label=_("可容纳人数"), required=False, min_value=0)
    checkin_radius_m = forms.IntegerField(
        label=_("签到范围（米）"), min_value=20, max_value=2000, initial=200
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("服务电话"), max_length=30, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=StationStatus.choices)
    status_note = forms.CharField(label=_("状态说明"), max_length=200, required=False)
    description = forms.CharField(
        label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    keepers = forms.ModelMultipleChoiceField(
        label=_("驿站管理员"),
        queryset=User.objects.filter(role=Role.STATION_KEEPER, is_active=True),
        required=False,
    )

    class Meta:
        model = Station
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = Region.objects.filter(
            level__in=[RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID]
        )
        if jurisdiction_path(self.actor) is not None:
            regions = scope_to_jurisdiction(regions, self.actor, region_field=None)
        self.fields["region"].queryset = regions
        station = self.instance
        if station.pk:
            weekly: dict[int, list[Span]] = {}
            for row in station.weekly_spans.all():
                weekly.setdefault(row.weekday, []).append(Span(row.start, row.end))
            self.initial.update(
                {
                    "code": station.code,
                    "kind": station.kind,
                    "name": station.name,
                    "host_type": station.host_type,
                    "host_name": station.host_name,
                    "address": station.address,
                    "lon": station.lon,
                    "lat": station.lat,
                    "region": station.region_id,
                    "amenities": list(station.amenities.all()),
                    "standard_services": station.standard_services,
                    "extra_services": "、".join(station.extra_services),
                    "hours_text": format_weekly(weekly),
                    "timezone": station.timezone,
                    "capacity": station.capacity,
                    "checkin_radius_m": station.checkin_radius_m,
                    "contact_name": station.contact_name,
                    "contact_phone": station.contact_phone,
                    "status": station.status,
                    "status_note": station.status_note,
                    "description": station.description,
                    "keepers": list(station.keepers.all()),
                }
            )
            if self.actor is not None and not governs(self.actor, station):
                for name in ("code", "keepers", "region"):
                    self.fields[name].disabled = True

    def apply(self, actor: Any) -> Station:
        data = self.cleaned_data
        fields: dict[str, Any] = {
            "kind": data["kind"],
            "name": data["name"],
            "host_type": data["host_type"],
            "host_name": data["host_name"],
            "address": data["address"],
            "lon": data["lon"],
            "lat": data["lat"],
            "coord_system": data["coord_system"],
            "amenities": [a.code for a in data["amenities"]],
            "standard_services": data["standard_services"],
            "extra_services": split_list(data["extra_services"]),
            "timezone": data["timezone"],
            "capacity": data["capacity"],
            "checkin_radius_m": data["checkin_radius_m"],
            "contact_name": data["contact_name"],
            "contact_phone": data["contact_phone"],
            "status": data["status"],
            "status_note": data["status_note"],
            "description": data["description"],
        }
        station = self.instance
        if station.pk is None:
            station = services.station_create(
                actor=actor,
                code=data["code"] or None,
                region=data["region"],
                keepers=list(data["keepers"]),
                **fields,
            )
        else:
            if not self.fields["keepers"].disabled:
                fields.update(code=data["code"] or station.code, keepers=list(data["keepers"]))
                fields["region"] = data["region"]
            station = services.station_update(station=station, actor=actor, **fields)
        hours = data["hours_text"].strip()
        if hours != (self.initial.get("hours_text") or ""):
            if hours:
                services.station_set_weekly_hours(station=station, actor=actor, text=hours)
            else:
                services.station_set_weekly_hours(station=station, actor=actor, weekly={})
        return station


@admin.register(Station)
class StationAdmin(KeeperAwareAdmin):
    form = StationForm
    staff_can_add = True
    staff_can_change = True
    list_display = ["code", "name", "kind", "host_type", "region", "status", "links"]
    list_filter = ["kind", "status", "host_type"]
    search_fields = ["code", "name", "address", "host_name"]
    list_select_related = ["region"]
    actions = ["suspend", "reopen", "rotate_qr"]
    fieldsets = [
        (None, {"fields": ["code", "kind", "name", "host_type", "host_name"]}),
        (_("状态"), {"fields": ["status", "status_note"]}),
        (_("位置"), {"fields": ["address", "lon", "lat", "coord_system", "region"]}),
        (_("服务"), {"fields": ["amenities", "standard_services", "extra_services"]}),
        (_("开放时间"), {"fields": ["hours_text", "timezone", "capacity", "checkin_radius_m"]}),
        (_("联系与管理"), {"fields": ["contact_name", "contact_phone", "keepers"]}),
        (_("简介"), {"fields": ["description"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        return self.managed(request).select_related("region")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return jurisdiction_path(request.user) is not None

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        return form_for(StationForm, request)

    def save_model(self, request: HttpRequest, obj: Station, form: Any, change: bool) -> None:
        saved = form.apply(request.user)
        obj.pk, obj.name = saved.pk, saved.name

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Relations were saved by the services in ``save_model``."""

    @admin.display(description=_("链接"))
    def links(self, obj: Station) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("stations:detail", args=[obj.pk]),
            _("详情"),
            reverse("stations:poster", args=[obj.pk]),
            _("二维码海报"),
        )

    def _each(self, request: HttpRequest, queryset: Any, run: Any, done: str) -> None:
        count = 0
        for station in queryset:
            try:
                run(station)
                count += 1
            except ApplicationError as exc:
                self.message_user(request, f"{station}: {exc.message}", messages.ERROR)
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("暂停服务"))
    def suspend(self, request: HttpRequest, queryset: Any) -> None:
        self._each(
            request,
            queryset,
            lambda s: services.station_set_status(
                station=s, actor=request.user, status=StationStatus.SUSPENDED,
                note=_("驿站暂停服务，恢复时间请留意通知。"),
            ),
            _("已暂停 %(count)d 个驿站。"),
        )  # fmt: skip

    @admin.action(description=_("恢复运营"))
    def reopen(self, request: HttpRequest, queryset: Any) -> None:
        self._each(
            request,
            queryset,
            lambda s: services.station_set_status(
                station=s, actor=request.user, status=StationStatus.OPEN
            ),
            _("已恢复 %(count)d 个驿站。"),
        )

    @admin.action(description=_("更换签到二维码（旧码作废）"))
    def rotate_qr(self, request: HttpRequest, queryset: Any) -> None:
        self._each(
            request,
            queryset,
            lambda s: services.station_rotate_qr(station=s, actor=request.user),
            _("已为 %(count)d 个驿站更换二维码，请重新打印海报。"),
        )
