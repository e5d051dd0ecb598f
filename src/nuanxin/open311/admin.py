"""City admins register Open311 client applications here; a key is shown once, on issue."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nuanxin.core.admin import ScopedAdmin
from nuanxin.core.errors import ApplicationError
from nuanxin.core.masking import mask_phone
from nuanxin.core.scoping import jurisdiction_path
from nuanxin.open311 import services
from nuanxin.open311.models import ClientApplication


def _show_key(request: HttpRequest, client: ClientApplication, key: str) -> None:
    messages.warning(
        request,
        _("%(name)s 的 API 密钥（只显示这一次，请立即复制并安全交给对方）：%(key)s")
        % {"name": client.name, "key": key},
    )


@admin.register(ClientApplication)
class ClientApplicationAdmin(ScopedAdmin):
    region_field = None
    staff_can_add = True
    staff_can_change = True
    list_display = [
        "name",
        "code",
        "contact_name",
        "masked_contact_phone",
        "key_prefix",
        "is_active",
        "can_submit",
        "last_used_at",
    ]
    list_filter = ["is_active", "can_submit"]
    search_fields = ["name", "code", "contact_name"]
    fields = [
        "code",
        "name",
        "contact_name",
        "contact_phone",
        "contact_email",
        "note",
        "is_active",
        "can_submit",
        "key_prefix",
        "key_issued_at",
        "last_used_at",
        "created_at",
        "created_by",
    ]
    actions = ["rotate_key"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClientApplication]:
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs if self._is_city_admin(request) else qs.none()

    def _is_city_admin(self, request: HttpRequest) -> bool:
        try:
            services.require_city_admin(request.user)
        except ApplicationError:
            return False
        return jurisdiction_path(request.user) is not None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_city_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_city_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_city_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_city_admin(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fixed = ["key_prefix", "key_issued_at", "last_used_at", "created_at", "created_by"]
        return ["code", *fixed] if obj is not None else fixed

    @admin.display(description=gettext_lazy("联系电话"))
    def masked_contact_phone(self, obj: ClientApplication) -> str:
        return mask_phone(obj.contact_phone)

    def save_model(
        self, request: HttpRequest, obj: ClientApplication, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        contact = {
            "name": data["name"],
            "contact_name": data.get("contact_name", ""),
            "contact_phone": data.get("contact_phone", ""),
            "contact_email": data.get("contact_email", ""),
            "note": data.get("note", ""),
        }
        if change:
            saved = services.client_update(
                actor=request.user,
                client=obj,
                is_active=data.get("is_active", True),
                can_submit=data.get("can_submit", True),
                **contact,
            )
        else:
            saved, key = services.client_create(
                actor=request.user,
                code=data["code"],
                can_submit=data.get("can_submit", True),
                **contact,
            )
            if not data.get("is_active", True):
                saved = services.client_update(actor=request.user, client=saved, is_active=False)
            _show_key(request, saved, key)
        obj.pk = saved.pk

    @admin.action(description=gettext_lazy("重新签发 API 密钥（旧密钥立即失效）"))
    def rotate_key(self, request: HttpRequest, queryset: QuerySet[ClientApplication]) -> None:
        for client in queryset:
            _show_key(
                request, client, services.client_key_rotate(actor=request.user, client=client)
            )
