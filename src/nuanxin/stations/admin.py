"""Back office for stations: region staff manage their jurisdiction, keepers their stations.

Forms here hold no model fields of their own: every save goes through the services, and
``clean`` rehearses the same service calls inside a rolled-back savepoint, so the admin shows
exactly the errors the API would give, next to the form.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from nuanxin.accounts.models import Role, User
from nuanxin.core.admin import ScopedAdmin
from nuanxin.core.errors import ApplicationError
from nuanxin.core.scoping import jurisdiction_path, scope_to_jurisdiction
from nuanxin.geo.coords import CoordSystem
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.stations import services
from nuanxin.stations.excel import split_list
from nuanxin.stations.hours_text import format_weekly
from nuanxin.stations.models import (
    Amenity,
    HostType,
    HoursException,
    StandardService,
    Station,
    StationKind,
    StationPhoto,
    StationStatus,
)
from nuanxin.stations.permissions import governs, stations_managed_by
from nuanxin.stations.schedule import Span
from nuanxin.stations.services.photos import clean_image


class _Rehearsal(Exception):
    pass


class ServiceForm(forms.ModelForm):
    """A model form whose ``apply(actor)`` calls services; ``clean`` rehearses it."""

    actor: Any = None

    def apply(self, actor: Any) -> Any:
        raise NotImplementedError

    def _post_clean(self) -> None:
        """No model validation: the instance is never saved from the form, the services
        validate (and ``clean`` rehearses them)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            with transaction.atomic():
                self.apply(self.actor)
                raise _Rehearsal
        except _Rehearsal:
            pass
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return data


def _form_for(form_class: type[ServiceForm], request: HttpRequest) -> type[ServiceForm]:
    return type(form_class.__name__, (form_class,), {"actor": request.user})


class StationForm(ServiceForm):
    code = forms.CharField(label=_lazy("编号"), required=False, help_text=_lazy("留空自动编号"))
    kind = forms.ChoiceField(label=_lazy("类型"), choices=StationKind.choices)
    name = forms.CharField(label=_lazy("名称"), max_length=100)
    host_type = forms.ChoiceField(label=_lazy("承建场所类型"), choices=HostType.choices)
    host_name = forms.CharField(label=_lazy("承建单位"), max_length=100, required=False)
    address = forms.CharField(label=_lazy("地址"), max_length=200)
    lon = forms.FloatField(label=_lazy("经度"))
    lat = forms.FloatField(label=_lazy("纬度"))
    coord_system = forms.ChoiceField(
        label=_lazy("坐标系"),
        choices=[
            (CoordSystem.WGS84, "WGS-84（GPS）"),
            (CoordSystem.GCJ02, _lazy("GCJ-02（高德、腾讯地图）")),
            (CoordSystem.BD09, _lazy("BD-09（百度地图）")),
        ],
        initial=CoordSystem.WGS84,
    )
    region = forms.ModelChoiceField(
        label=_lazy("所属区域"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_lazy("留空则按坐标自动确定"),
    )
    amenities = forms.ModelMultipleChoiceField(
        label=_lazy("服务设施"),
        queryset=Amenity.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    standard_services = forms.MultipleChoiceField(
        label=_lazy("“5+X”基本服务"),
        choices=StandardService.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    extra_services = forms.CharField(
        label=_lazy("特色服务（X）"), required=False, help_text=_lazy("多项用顿号分隔")
    )
    hours_text = forms.CharField(
        label=_lazy("每周开放时间"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_lazy(
            "例：周一至周五 08:00-20:00；周末 09:00-18:00；每天 24小时；每天 22:00-次日06:00"
        ),
    )
    timezone = forms.CharField(label=_lazy("时区"), initial="Asia/Shanghai")
    capacity = forms.IntegerField(label=_lazy("可容纳人数"), required=False, min_value=0)
    contact_name = forms.CharField(label=_lazy("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_lazy("服务电话"), max_length=30, required=False)
    status = forms.ChoiceField(label=_lazy("状态"), choices=StationStatus.choices)
    status_note = forms.CharField(label=_lazy("状态说明"), max_length=200, required=False)
    description = forms.CharField(
        label=_lazy("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    keepers = forms.ModelMultipleChoiceField(
        label=_lazy("驿站管理员"),
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


class KeeperAwareAdmin(ScopedAdmin):
    """Scoped to the jurisdiction, and open to station keepers for the stations they keep."""

    def _is_governing(self, request: HttpRequest) -> bool:
        return super()._is_governing(request) or (
            request.user.is_authenticated and request.user.role == Role.STATION_KEEPER
        )

    def managed(self, request: HttpRequest) -> Any:
        return stations_managed_by(request.user)


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
        (_lazy("状态"), {"fields": ["status", "status_note"]}),
        (_lazy("位置"), {"fields": ["address", "lon", "lat", "coord_system", "region"]}),
        (_lazy("服务"), {"fields": ["amenities", "standard_services", "extra_services"]}),
        (_lazy("开放时间"), {"fields": ["hours_text", "timezone", "capacity"]}),
        (_lazy("联系与管理"), {"fields": ["contact_name", "contact_phone", "keepers"]}),
        (_lazy("简介"), {"fields": ["description"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        return self.managed(request).select_related("region")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return jurisdiction_path(request.user) is not None

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        return _form_for(StationForm, request)

    def save_model(self, request: HttpRequest, obj: Station, form: Any, change: bool) -> None:
        saved = form.apply(request.user)
        obj.pk, obj.name = saved.pk, saved.name

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Relations were saved by the services in ``save_model``."""

    @admin.display(description=_lazy("链接"))
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

    @admin.action(description=_lazy("暂停服务"))
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

    @admin.action(description=_lazy("恢复运营"))
    def reopen(self, request: HttpRequest, queryset: Any) -> None:
        self._each(
            request,
            queryset,
            lambda s: services.station_set_status(
                station=s, actor=request.user, status=StationStatus.OPEN
            ),
            _("已恢复 %(count)d 个驿站。"),
        )

    @admin.action(description=_lazy("更换签到二维码（旧码作废）"))
    def rotate_qr(self, request: HttpRequest, queryset: Any) -> None:
        self._each(
            request,
            queryset,
            lambda s: services.station_rotate_qr(station=s, actor=request.user),
            _("已为 %(count)d 个驿站更换二维码，请重新打印海报。"),
        )


class ExceptionForm(ServiceForm):
    station = forms.ModelChoiceField(label=_lazy("驿站"), queryset=Station.objects.none())
    date = forms.DateField(label=_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    is_closed = forms.BooleanField(label=_lazy("全天闭站"), required=False)
    spans_text = forms.CharField(
        label=_lazy("特别开放时段"),
        required=False,
        help_text=_lazy("不闭站时填写，例：09:00-12:00、14:00-18:00"),
    )
    note = forms.CharField(label=_lazy("说明"), max_length=100, required=False)

    class Meta:
        model = HoursException
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations_managed_by(self.actor)
        exception = self.instance
        if exception.pk:
            self.initial.update(
                station=exception.station_id,
                date=exception.date,
                is_closed=exception.is_closed,
                spans_text="、".join(f"{a}-{b}" for a, b in exception.spans),
                note=exception.note,
            )
            self.fields["station"].disabled = True
            self.fields["date"].disabled = True

    def apply(self, actor: Any) -> HoursException:
        data = self.cleaned_data
        spans = []
        for piece in split_list(data["spans_text"]):
            start, _sep, end = piece.partition("-")
            spans.append((start, end))
        return services.station_set_exception(
            station=data["station"],
            actor=actor,
            date=data["date"],
            closed=data["is_closed"],
            spans=spans,
            note=data["note"],
        )


@admin.register(HoursException)
class HoursExceptionAdmin(KeeperAwareAdmin):
    region_field = "station__region"
    staff_can_add = True
    staff_can_change = True
    list_display = ["station", "date", "is_closed", "spans", "note"]
    list_filter = ["is_closed"]
    date_hierarchy = "date"
    fields = ["station", "date", "is_closed", "spans_text", "note"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return HoursException.objects.filter(station__in=self.managed(request)).select_related(
            "station"
        )

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        return _form_for(ExceptionForm, request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_governing(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = form.apply(request.user)
        obj.pk, obj.station_id, obj.date = saved.pk, saved.station_id, saved.date

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing: the service saved everything."""

    def delete_model(self, request: HttpRequest, obj: HoursException) -> None:
        services.station_remove_exception(station=obj.station, actor=request.user, date=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for exception in queryset:
            self.delete_model(request, exception)


class PhotoForm(ServiceForm):
    station = forms.ModelChoiceField(label=_lazy("驿站"), queryset=Station.objects.none())
    upload = forms.ImageField(label=_lazy("照片"))
    caption = forms.CharField(label=_lazy("说明"), max_length=100, required=False)

    class Meta:
        model = StationPhoto
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations_managed_by(self.actor)

    def clean(self) -> dict[str, Any]:
        """Checks the picture only: a rehearsal would write the file to storage."""
        data = forms.ModelForm.clean(self)
        upload = data.get("upload")
        if upload is not None:
            self._bytes = upload.read()
            try:
                clean_image(self._bytes)
            except ApplicationError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from exc
        return data

    def apply(self, actor: Any) -> StationPhoto:
        return services.station_photo_add(
            station=self.cleaned_data["station"],
            actor=actor,
            data=self._bytes,
            caption=self.cleaned_data["caption"],
        )


@admin.register(StationPhoto)
class StationPhotoAdmin(KeeperAwareAdmin):
    region_field = "station__region"
    staff_can_add = True
    list_display = ["station", "caption", "thumbnail", "created_at"]
    fields = ["station", "upload", "caption"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return StationPhoto.objects.filter(station__in=self.managed(request)).select_related(
            "station"
        )

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        return _form_for(PhotoForm, request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_governing(request)

    @admin.display(description=_lazy("照片"))
    def thumbnail(self, obj: StationPhoto) -> str:
        return format_html('<img src="{}" style="height:3rem">', obj.image.url)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            saved = form.apply(request.user)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk, obj.station_id = saved.pk, saved.station_id

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing: the service saved the photo."""

    def delete_model(self, request: HttpRequest, obj: StationPhoto) -> None:
        services.station_photo_remove(photo=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for photo in queryset:
            self.delete_model(request, photo)


class AmenityForm(ServiceForm):
    class Meta:
        model = Amenity
        fields = ["code", "name", "icon", "sort_order", "is_active"]

    def apply(self, actor: Any) -> Amenity:
        data = self.cleaned_data
        return services.amenity_save(
            code=data.get("code") or self.instance.code,
            name=data["name"],
            icon=data["icon"],
            sort_order=data["sort_order"],
            is_active=data["is_active"],
            actor=actor,
        )


@admin.register(Amenity)
class AmenityAdmin(ScopedAdmin):
    region_field = None
    list_display = ["name", "code", "icon", "sort_order", "is_active"]
    list_editable: list[str] = []

    def get_queryset(self, request: HttpRequest) -> Any:
        return Amenity.objects.all()

    def _city_wide(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or request.user.role == Role.CITY_ADMIN

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._city_wide(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._city_wide(request)

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, form=AmenityForm, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code"] if obj else []

    def save_model(self, request: HttpRequest, obj: Amenity, form: Any, change: bool) -> None:
        obj.pk = form.apply(request.user).pk
