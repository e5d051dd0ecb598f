from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from nuanxin.accounts import admin_logins  # noqa: F401  (registers the login records' pages)
from nuanxin.accounts.admin_search import PhoneSearch
from nuanxin.accounts.models import ApiToken, LocationConsent, LoginEvent, User
from nuanxin.accounts.second_factor import second_factor_reset
from nuanxin.accounts.services import (
    check_role_region,
    phone_clean,
    token_revoke,
    user_create,
    user_update,
)
from nuanxin.core.admin import ScopedAdmin
from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import EdgeModelForm


class _RoleRegionChecked(EdgeModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "role" in data:
            try:
                check_role_region(data["role"], data.get("region"))
            except ApplicationError as exc:
                raise forms.ValidationError(exc.message) from exc
        return data


class UserAddForm(_RoleRegionChecked):
    phone = forms.CharField(label=_("手机号"), max_length=20)
    password = forms.CharField(
        label=_("初始密码"), widget=forms.PasswordInput, required=False, strip=False
    )

    class Meta:
        model = User
        fields = ["phone", "name", "role", "region"]

    def clean_phone(self) -> str:
        try:
            return phone_clean(self.cleaned_data["phone"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc


class UserChangeForm(_RoleRegionChecked):
    class Meta:
        model = User
        fields = ["name", "role", "region", "is_active"]


@admin.register(User)
class UserAdmin(PhoneSearch, ScopedAdmin):
    staff_can_add = True
    staff_can_change = True
    list_display = ["masked_phone", "name", "role", "region", "is_active", "date_joined"]
    list_filter = ["role", "is_active"]
    search_fields = ["name", "phone"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    actions = ["reset_second_factor"]

    @admin.action(description=_("重置两步验证（用户下次登录时重新设置身份验证器）"))
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        done = 0
        for user in queryset:
            try:
                second_factor_reset(user=user, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{user}: {exc.message}", level="error")
            else:
                done += 1
        self.message_user(request, _("已重置 %(n)d 个用户的两步验证。") % {"n": done})

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: User) -> str:
        return obj.masked_phone

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs["form"] = UserChangeForm if obj else UserAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj:
            return ["masked_phone", "name", "role", "region", "is_active"]
        return ["phone", "name", "role", "region", "password"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["masked_phone"] if obj else []

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change:
            user_update(
                user=obj,
                actor=request.user,
                name=obj.name,
                role=obj.role,
                region=obj.region,
                is_active=obj.is_active,
            )
        else:
            obj.pk = user_create(
                phone=obj.phone,
                name=obj.name,
                role=obj.role,
                region=obj.region,
                password=form.cleaned_data.get("password") or None,
                actor=request.user,
            ).pk


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    region_field = "user__region"
    list_display = ["prefix", "user", "name", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["prefix", "user", "name", "created_at", "expires_at", "revoked_at"]
    exclude = ["digest"]
    actions = ["revoke"]

    @admin.action(description=_("吊销所选令牌（立即失效）"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = sum(token_revoke(token=token, actor=request.user) for token in queryset)
        self.message_user(request, _("已吊销 %(n)d 个令牌。") % {"n": count})


@admin.register(LoginEvent)
class LoginEventAdmin(PhoneSearch, ScopedAdmin):
    """Every login step (password, SMS code, second factor), read-only, scoped by the user's
    region; a try for a phone with no account shows to city-wide admins only."""

    region_field = "user__region"
    list_display = ["at", "user", "method", "succeeded", "reason", "client_ip", "user_agent"]
    list_filter = ["method", "succeeded"]
    list_select_related = ["user"]
    search_fields = ["user__phone", "client_ip"]
    phone_path = "user__phone"
    date_hierarchy = "at"
    readonly_fields = list_display

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LocationConsent)
class LocationConsentAdmin(PhoneSearch, ScopedAdmin):
    """Who has consented to location use, read-only, scoped by the worker's region. Consent is
    the worker's own act (PIPL art. 14): it is given and withdrawn by the worker alone, through
    ``location_consent_give`` / ``location_consent_withdraw``, so no staff member adds, changes or
    removes it here; each earlier give and withdrawal is in the audit log."""

    region_field = "user__region"
    list_display = ["user", "state", "given_at", "withdrawn_at", "notice_version"]
    list_select_related = ["user"]
    list_filter = [("withdrawn_at", admin.EmptyFieldListFilter), "notice_version"]
    search_fields = ["user__phone", "user__name"]
    phone_path = "user__phone"
    date_hierarchy = "given_at"
    fields = ["user", "state", "given_at", "withdrawn_at", "notice_version", "notice_text"]
    readonly_fields = fields

    @admin.display(description=_("状态"))
    def state(self, obj: LocationConsent) -> str:
        return str(_("已同意") if obj.is_given else _("已撤回"))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# django-otp's own admin pages list every user's authenticators with their secret keys; no one
# edits those by hand here: an authenticator is set up by its user and reset by
# ``second_factor_reset`` (the action above, audited).
for _otp_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_otp_model):
        admin.site.unregister(_otp_model)
