"""Admins for date exceptions, photos and the amenity list."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from nuanxin.accounts.models import Role
from nuanxin.core.admin import ScopedAdmin
from nuanxin.core.errors import ApplicationError
from nuanxin.core.images import image_clean
from nuanxin.stations import services
from nuanxin.stations.admin.base import KeeperAwareAdmin, ServiceForm, form_for
from nuanxin.stations.excel import split_list
from nuanxin.stations.models import (
    Amenity,
    HoursException,
    Station,
    StationPhoto,
)
from nuanxin.stations.permissions import stations_managed_by
from nuanxin.stations.services.photos import PURPOSE as PHOTO_PURPOSE


class ExceptionForm(ServiceForm):
    station = forms.ModelChoiceField(label=_("驿站"), queryset=Station.objects.none())
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    is_closed = forms.BooleanField(label=_("全天闭站"), required=False)
    spans_text = forms.CharField(
        label=_("特别开放时段"),
        required=False,
        help_text=_("不闭站时填写，例：09:00-12:00、14:00-18:00"),
    )
    note = forms.CharField(label=_("说明"), max_length=100, required=False)

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
        return form_for(ExceptionForm, request)

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
    station = forms.ModelChoiceField(label=_("驿站"), queryset=Station.objects.none())
    # A plain file field: the image intake is the one judge of what a picture is (Django's
    # ImageField would open it with Pillow first and answer with its own message).
    upload = forms.FileField(label=_("照片"))
    caption = forms.CharField(label=_("说明"), max_length=100, required=False)

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
            try:
                image_clean(upload, purpose=PHOTO_PURPOSE)
            except ApplicationError as exc:
                self.add_error("upload", forms.ValidationError(exc.message, code=exc.code))
        return data

    def apply(self, actor: Any) -> StationPhoto:
        return services.station_photo_add(
            station=self.cleaned_data["station"],
            actor=actor,
            data=self.cleaned_data["upload"],
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
        return form_for(PhotoForm, request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_governing(request)

    @admin.display(description=_("照片"))
    def thumbnail(self, obj: StationPhoto) -> str:
        return format_html('<img src="{}" height="48" alt="">', obj.image.url)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = form.apply(request.user)
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
