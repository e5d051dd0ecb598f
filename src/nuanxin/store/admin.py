"""Back office of the store, scoped by jurisdiction. The catalogue is edited through the
services (city admins); shops, stock, movements and orders are read here and changed through the
staff pages or the actions below. Pickup codes are never shown to staff: only the worker has one."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from nuanxin.core.admin import ScopedAdmin
from nuanxin.core.errors import ApplicationError
from nuanxin.core.images import image_clean
from nuanxin.store import services
from nuanxin.store.models import Item, Movement, Order, Shop, Stock
from nuanxin.store.services._common import ITEM_AUDIT_FIELDS, is_catalogue_manager
from nuanxin.store.services.catalogue import PICTURE_PURPOSE, clean_item


class _ReadOnly(ScopedAdmin):
    region_field = "station__region"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]


@admin.register(Item)
class ItemAdmin(ScopedAdmin):
    city_wide = True
    list_display = ["name", "category", "points_price", "monthly_limit", "active_until", "retired"]
    list_filter = ["category", "retired"]
    search_fields = ["name"]
    fields = [*ITEM_AUDIT_FIELDS, "picture"]
    # A plain file field: the image intake is the one judge of what a picture is (Django's
    # ImageField would open the upload with Pillow first and answer with its own message).
    formfield_overrides = {models.ImageField: {"form_class": forms.FileField}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_catalogue_manager(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_catalogue_manager(request.user)

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        base = super().get_form(request, obj, **kwargs)

        class CheckedForm(base):  # type: ignore[valid-type, misc]
            """Shows the service's own checks as form errors, before anything is saved."""

            def clean(self) -> dict[str, Any]:
                cleaned = super().clean()
                fields = {name: cleaned.get(name) for name in ITEM_AUDIT_FIELDS}
                try:
                    clean_item(Item(**fields))
                except ApplicationError as error:
                    raise ValidationError(error.message) from error
                picture = cleaned.get("picture")
                if isinstance(picture, UploadedFile):
                    try:
                        image_clean(picture, purpose=PICTURE_PURPOSE)
                    except ApplicationError as error:
                        self.add_error("picture", ValidationError(error.message, code=error.code))
                return cleaned

        return CheckedForm

    def save_model(self, request: HttpRequest, obj: Item, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data.get(name) for name in ITEM_AUDIT_FIELDS}
        if change:
            saved = services.item_update(actor=request.user, item=obj, **values)
        else:
            values.pop("retired")
            saved = services.item_create(actor=request.user, **values)
        picture = form.cleaned_data.get("picture")
        if isinstance(picture, UploadedFile):
            # A refused picture rolls the whole save back and shows on the form (ScopedAdmin).
            saved = services.item_set_picture(actor=request.user, item=saved, data=picture)
        obj.pk = saved.pk


@admin.register(Shop)
class ShopAdmin(_ReadOnly):
    list_display = ["station", "is_open", "pickup_hours", "redemption_day", "created_at"]
    list_filter = ["is_open"]
    search_fields = ["station__name", "station__code"]
    list_select_related = ["station"]
    actions = ["pause", "reopen"]

    def _set_open(self, request: HttpRequest, queryset: QuerySet, is_open: bool) -> None:
        done = 0
        for shop in queryset.select_related("station"):
            try:
                services.shop_update(actor=request.user, station=shop.station, is_open=is_open)
            except ApplicationError as error:
                messages.error(request, f"{shop}: {error.message}")
            else:
                done += 1
        if done:
            messages.success(request, _("已更新 %(n)s 个兑换点。") % {"n": done})

    @admin.action(description=_("暂停所选兑换点"))
    def pause(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_open(request, queryset, False)

    @admin.action(description=_("恢复所选兑换点"))
    def reopen(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_open(request, queryset, True)


@admin.register(Stock)
class StockAdmin(_ReadOnly):
    list_display = ["station", "item", "on_shelf", "reserved", "handed_out", "removed", "restocked"]
    list_filter = ["item__category"]
    search_fields = ["station__name", "item__name"]
    list_select_related = ["station", "item"]


@admin.register(Movement)
class MovementAdmin(_ReadOnly):
    region_field = "stock__station__region"
    list_display = ["created_at", "stock", "kind", "quantity", "actor", "note"]
    list_filter = ["kind"]
    search_fields = ["stock__station__name", "stock__item__name", "note"]
    list_select_related = ["stock__station", "stock__item", "actor"]


@admin.register(Order)
class OrderAdmin(_ReadOnly):
    list_display = ["number", "item", "station", "worker", "points", "status", "created_at"]
    list_filter = ["status", "item__category"]
    search_fields = ["station__name", "item__name"]
    list_select_related = ["station", "item", "worker"]
    exclude = ["pickup_code", "request_id"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        hidden = set(self.exclude)
        return [f.name for f in self.model._meta.fields if f.name not in hidden]
